// Writing an audio explanation's files all-or-nothing: the spectrogram with the map over it, the sound the map
// keeps and the sound it removes, and the report.
import sharp from 'sharp';
import { writeFile } from 'node:fs/promises';
import type { ExplanationReport } from '../../shared/report';
import type { AudioScene } from '../audio/audioScene';
import { spectrogramPictures } from '../audio/audioPictures';
import { encodeWav } from '../audio/encodeWav';
import { outputPaths, overlayBytes, saliencyBytes, stageFiles } from './outputs';

/** The files of one audio explanation. */
export interface AudioOutputPaths {
  /** The spectrogram with the map over it (turbo, 50 %). */
  saliency: string;
  /** The map alone, grey, one pixel per spectrogram cell (high frequencies at the top). */
  mask: string;
  report: string;
  kept: string;
  removed: string;
}

/** `<out>/<stem>.saliency.png`, `.mask.png`, `.kept.wav`, `.removed.wav`, `.dax.json` (a baseline's carry its name). */
export function audioOutputPaths(outDir: string, inputFile: string, method = 'dax'): AudioOutputPaths {
  const base = outputPaths(outDir, inputFile, method);
  const stem = base.report.replace(/\.dax\.json$/, '');
  return {
    saliency: base.saliency,
    mask: `${stem}.mask.png`,
    report: base.report,
    kept: `${stem}.kept.wav`,
    removed: `${stem}.removed.wav`,
  };
}

/** The sound the map keeps (input × M) and the sound it removes (input × (1 − M)), M the map in [0, 1]. */
export function keptAndRemoved(
  scene: AudioScene,
  saliency: Float32Array,
): { kept: Float32Array; removed: Float32Array } {
  return { kept: scene.maskedWaveform(saliency), removed: scene.maskedWaveform(saliency.map((v) => 1 - v)) };
}

/** Writes the five files; on any failure none of them is left behind. */
export async function writeAudioExplanation(
  paths: AudioOutputPaths,
  scene: AudioScene,
  saliency: Float32Array,
  report: ExplanationReport,
): Promise<void> {
  const { rows, frames } = scene.spectrogram;
  const staged = await stageFiles(paths, async (temporary) => {
    const { image, saliency: big } = await spectrogramPictures(scene.picture, saliency, rows, frames);
    await sharp(overlayBytes(image, big), { raw: { width: image.width, height: image.height, channels: 3 } })
      .png()
      .toFile(temporary.saliency);
    const flipped = new Float32Array(saliency.length);
    for (let r = 0; r < rows; r++)
      flipped.set(saliency.subarray(r * frames, (r + 1) * frames), (rows - 1 - r) * frames);
    await sharp(saliencyBytes(flipped), { raw: { width: frames, height: rows, channels: 1 } })
      .toColourspace('b-w')
      .png()
      .toFile(temporary.mask);
    const { kept, removed } = keptAndRemoved(scene, saliency);
    await writeFile(temporary.kept, encodeWav([kept], scene.sampleRate));
    await writeFile(temporary.removed, encodeWav([removed], scene.sampleRate));
    await writeFile(temporary.report, JSON.stringify({ ...report, outputs: paths }, null, 2) + '\n');
  });
  await staged.commit();
}
