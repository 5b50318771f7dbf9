// Writing an explanation's files all-or-nothing: temporary names first, renamed only when every file is complete.
import sharp from 'sharp';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ExplanationReport } from '../../shared/report';
import { colormapTable, type ColormapName } from './colormap';
import type { RgbImage } from './image';

/** The three files of one explanation. */
export interface OutputPaths {
  saliency: string;
  overlay: string;
  report: string;
}

/**
 * `<out>/<stem>.saliency.png`, `.overlay.png`, `.dax.json` for DAX; a baseline's files carry its name
 * (`<stem>.rise.saliency.png`) so that it never overwrites DAX's result for the same input.
 */
export function outputPaths(outDir: string, inputFile: string, method = 'dax'): OutputPaths {
  const stem = path.basename(inputFile).replace(/\.[^.]+$/, '') + (method === 'dax' ? '' : `.${method}`);
  return {
    saliency: path.join(outDir, `${stem}.saliency.png`),
    overlay: path.join(outDir, `${stem}.overlay.png`),
    report: path.join(outDir, `${stem}.dax.json`),
  };
}

/** 8-bit grey bytes of a [0,1] map. */
export function saliencyBytes(saliency: Float32Array): Uint8Array {
  return Uint8Array.from(saliency, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));
}

/** The image with the colormapped saliency blended over it. */
export function overlayBytes(image: RgbImage, saliency: Float32Array, colormap: ColormapName = 'turbo', opacity = 0.5): Uint8Array {
  const table = colormapTable(colormap);
  const out = new Uint8Array(image.data.length);
  for (let p = 0; p < saliency.length; p++) {
    const entry = Math.round(Math.min(1, Math.max(0, saliency[p]!)) * 255) * 3;
    for (let c = 0; c < 3; c++) out[3 * p + c] = Math.round(image.data[3 * p + c]! * (1 - opacity) + table[entry + c]! * opacity);
  }
  return out;
}

/** Writes the saliency PNG, the overlay PNG and the JSON report; on any failure none of them is left behind. */
export async function writeExplanation(paths: OutputPaths, image: RgbImage, saliency: Float32Array, report: ExplanationReport): Promise<void> {
  await mkdir(path.dirname(paths.report), { recursive: true });
  const suffix = `.partial-${process.pid}`;
  const temporary = { saliency: paths.saliency + suffix, overlay: paths.overlay + suffix, report: paths.report + suffix };
  try {
    await sharp(saliencyBytes(saliency), { raw: { width: image.width, height: image.height, channels: 1 } }).toColourspace('b-w').png().toFile(temporary.saliency);
    await sharp(overlayBytes(image, saliency), { raw: { width: image.width, height: image.height, channels: 3 } }).png().toFile(temporary.overlay);
    await writeFile(temporary.report, JSON.stringify({ ...report, outputs: paths }, null, 2) + '\n');
    await rename(temporary.saliency, paths.saliency);
    await rename(temporary.overlay, paths.overlay);
    await rename(temporary.report, paths.report);
  } catch (error) {
    await Promise.all(Object.values(temporary).map((file) => rm(file, { force: true })));
    throw error;
  }
}
