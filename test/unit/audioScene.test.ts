// A sound as a perturbation space: its spectrogram is the picture, the time-frequency grid the segmentation, and a
// perturbed copy the sound with some cells silenced (by a sum of per-cell sounds, exact by linearity).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildAudioScene, DEFAULT_AUDIO_GRID, type AudioScene } from '../../src/engine/audio/audioScene';
import { DEFAULT_SPECTROGRAM_CONFIG, type SpectrogramConfig } from '../../src/engine/audio/spectrogram';
import { DaxError } from '../../src/engine/core/errors';
import { createRng } from '../../src/engine/core/rng';

const RATE = 16000;

/** 1.5 s: a 440 Hz tone at 0.2-0.6 s, a 2.5 kHz tone at 0.8-1.2 s, white noise at 0.01 throughout. */
function syntheticClip(seconds = 1.5): Float32Array {
  const rng = createRng(7);
  const out = new Float32Array(Math.round(seconds * RATE));
  for (let i = 0; i < out.length; i++) {
    const t = i / RATE;
    out[i] =
      0.01 * rng.normal() +
      (t >= 0.2 && t < 0.6 ? 0.4 * Math.sin(2 * Math.PI * 440 * t) : 0) +
      (t >= 0.8 && t < 1.2 ? 0.3 * Math.sin(2 * Math.PI * 2500 * t) : 0);
  }
  return out;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length, 'same length');
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

function maxAbs(a: Float32Array): number {
  let worst = 0;
  for (const v of a) worst = Math.max(worst, Math.abs(v));
  return worst;
}

function randomPattern(count: number, seed: number, keep = 0.5): Uint8Array {
  const rng = createRng(seed);
  return Uint8Array.from({ length: count }, () => (rng.next() < keep ? 1 : 0));
}

const LINEAR: SpectrogramConfig = { fftSize: 256, hop: 64, window: 'hann', scale: 'linear', log: true };
const CONFIGS: [string, SpectrogramConfig][] = [
  ['mel (the default: 512-point FFT, hop 128, 64 bands)', DEFAULT_SPECTROGRAM_CONFIG],
  ['linear (256-point FFT, hop 64, Hamming)', { ...LINEAR, window: 'hamming' }],
];
const clip = syntheticClip();

describe('an audio scene of a waveform model', () => {
  for (const [name, config] of CONFIGS) {
    describe(name, () => {
      const scene = buildAudioScene(clip, RATE, config, 'waveform');
      const { grid } = scene;

      test('is the spectrogram picture, frames wide and rows high, cut by the grid', () => {
        const { rows, frames } = scene.spectrogram;
        assert.equal(frames, 1 + Math.floor(clip.length / config.hop));
        assert.equal(rows, config.scale === 'mel' ? 64 : config.fftSize / 2 + 1);
        assert.deepEqual(
          [scene.image.width, scene.image.height, scene.analysis.width, scene.analysis.height],
          [frames, rows, frames, rows],
        );
        assert.equal(scene.picture.length, rows * frames);
        assert.ok(
          scene.picture.every((v) => v >= 0 && v <= 1),
          'picture in [0, 1]',
        );
        assert.equal(scene.segmentation, grid);
        assert.equal(grid.bands, DEFAULT_AUDIO_GRID.bands);
        // 1.5 s in 0.1 s windows.
        assert.equal(grid.windows, 15);
        assert.equal(scene.model.original, clip, 'the model input is the clip itself');
      });

      test('compose(all ones) gives back the input', () => {
        const out = scene.compose(new Uint8Array(grid.count).fill(1));
        assert.equal(out.length, clip.length);
        const error = maxAbsDiff(out, clip);
        assert.ok(error < 1e-4, `max error ${error}`);
      });

      test('compose(all zeros) is silence', () => {
        const out = scene.compose(new Uint8Array(grid.count));
        assert.equal(out.length, clip.length);
        assert.ok(maxAbs(out) < 1e-7, `max |sample| ${maxAbs(out)}`);
      });

      test('compose(pattern) is the masked inverse STFT of that pattern, for random patterns', () => {
        for (const [seed, keep] of [
          [1, 0.5],
          [2, 0.5],
          [3, 0.2],
          [4, 0.9],
        ] as const) {
          const pattern = randomPattern(grid.count, seed, keep);
          const composed = scene.compose(pattern);
          const direct = scene.maskedWaveform(grid.maskFromPattern(pattern));
          const error = maxAbsDiff(composed, direct);
          assert.ok(error < 1e-5, `seed ${seed}: max error ${error}`);
          // Not trivially equal to the input or to silence.
          assert.ok(maxAbsDiff(composed, clip) > 0.01 && maxAbs(composed) > 0.01, `seed ${seed} perturbs the clip`);
        }
      });

      test('compose into a reused buffer overwrites it (no leftovers of the previous copy)', () => {
        const out = new Float32Array(clip.length).fill(5);
        const pattern = randomPattern(grid.count, 9);
        const first = Float32Array.from(scene.compose(pattern, out));
        assert.equal(scene.compose(new Uint8Array(grid.count).fill(1), out), out, 'writes into out');
        scene.compose(pattern, out);
        assert.ok(maxAbsDiff(out, first) < 1e-7);
      });

      test('silencing the cells of the first tone removes that tone and keeps the other', () => {
        // Windows 2-5 hold 0.2-0.6 s: switch them off in every band.
        const pattern = new Uint8Array(grid.count).fill(1);
        for (let b = 0; b < grid.bands; b++) for (let w = 2; w < 6; w++) pattern[b * grid.windows + w] = 0;
        const out = scene.compose(pattern);
        const rms = (from: number, to: number) => {
          let sum = 0;
          for (let i = Math.round(from * RATE); i < Math.round(to * RATE); i++) sum += out[i]! ** 2;
          return Math.sqrt(sum / Math.round((to - from) * RATE));
        };
        assert.ok(rms(0.3, 0.5) < 0.01, `first tone gone: rms ${rms(0.3, 0.5)}`);
        assert.ok(Math.abs(rms(0.9, 1.1) - 0.3 / Math.SQRT2) < 0.02, `second tone kept: rms ${rms(0.9, 1.1)}`);
      });

      test('blend applies a soft mask: a constant 0.5 halves the clip, and it equals maskedWaveform', () => {
        const { rows, frames } = scene.spectrogram;
        const half = new Float32Array(rows * frames).fill(0.5);
        const out = scene.blend(half, new Float32Array(clip.length));
        const halfClip = clip.map((v) => v / 2);
        assert.ok(maxAbsDiff(out, halfClip) < 1e-4, `max error ${maxAbsDiff(out, halfClip)}`);
        const rng = createRng(11);
        const soft = Float32Array.from({ length: rows * frames }, () => rng.next());
        const blended = scene.blend(soft, new Float32Array(clip.length));
        assert.ok(maxAbsDiff(blended, scene.maskedWaveform(soft)) < 1e-7);
        assert.ok(maxAbsDiff(blended, clip) > 0.01, 'a random soft mask changes the clip');
      });

      test('workingSize gives one mask cell per grid cell', () => {
        assert.deepEqual(scene.workingSize!(4), { width: grid.windows * 4, height: grid.bands * 4 });
        assert.deepEqual(scene.workingSize!(2), { width: grid.windows * 2, height: grid.bands * 2 });
      });

      test('view(w, h) has the asked size, grey pixels from the picture, black fill, and segment labels in range', async () => {
        const [width, height] = [37, 23];
        const view = await scene.view(width, height);
        assert.deepEqual([view.width, view.height], [width, height]);
        assert.equal(view.original.length, width * height * 3);
        assert.equal(view.fill.length, width * height * 3);
        assert.ok(
          view.fill.every((v) => v === 0),
          'fill is black',
        );
        assert.equal(view.segmentOf.length, width * height);
        assert.equal(view.sourceOf.length, width * height);
        const seen = new Set<number>();
        for (let p = 0; p < width * height; p++) {
          const label = view.segmentOf[p]!;
          assert.ok(Number.isInteger(label) && label >= 0 && label < grid.count, `label ${label}`);
          seen.add(label);
          const source = view.sourceOf[p]!;
          assert.ok(source >= 0 && source < scene.picture.length, `source ${source}`);
          assert.equal(label, grid.labels[source]);
          assert.equal(view.original[3 * p], view.original[3 * p + 1]);
          assert.ok(Math.abs(view.original[3 * p]! - scene.picture[source]! * 255) < 1e-3);
        }
        // 23 rows over 8 bands and 37 columns over 15 windows: every cell shows.
        assert.equal(seen.size, grid.count);
        // Row 0 of the view is the lowest frequency (row 0 of the picture).
        assert.ok(view.segmentOf[0]! < grid.windows, 'top-left pixel is in band 0');
      });
    });
  }
});

describe('an audio scene of a spectrogram model', () => {
  for (const [name, config] of CONFIGS) {
    test(`${name}: compose gives the masked spectrogram plane, the full one for all cells`, () => {
      const scene: AudioScene = buildAudioScene(clip, RATE, config, 'spectrogram');
      const { rows, frames, values } = scene.spectrogram;
      const all = scene.compose(new Uint8Array(scene.grid.count).fill(1));
      assert.equal(all.length, rows * frames);
      assert.equal(scene.model.original, values, 'the model input is the spectrogram plane');
      assert.ok(maxAbsDiff(all, values) < 1e-4, `max error ${maxAbsDiff(all, values)}`);

      // A dropped cell falls to the floor of the dB scale; the kept ones are as they were.
      const pattern = randomPattern(scene.grid.count, 5);
      const masked = scene.compose(pattern);
      assert.equal(masked.length, rows * frames);
      let keptError = 0;
      let droppedMax = -Infinity;
      for (let i = 0; i < masked.length; i++) {
        if (pattern[scene.grid.labels[i]!]) keptError = Math.max(keptError, Math.abs(masked[i]! - values[i]!));
        else droppedMax = Math.max(droppedMax, masked[i]!);
      }
      if (config.scale === 'linear') {
        assert.ok(keptError < 1e-3, `kept cells unchanged: ${keptError}`);
        assert.ok(droppedMax <= -99.9, `dropped cells at -100 dB: ${droppedMax}`);
      }
      // Mel bands straddle cell borders (the expanded mask is soft between band centres), so only the mean moves.
      const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
      assert.ok(mean(masked) < mean(values) - 10, `masking lowers the plane: ${mean(masked)} vs ${mean(values)}`);

      // A soft mask of 0.5 everywhere is −6 dB on every cell above the floor.
      const blended = scene.blend(new Float32Array(rows * frames).fill(0.5), new Float32Array(rows * frames));
      let worst = 0;
      for (let i = 0; i < values.length; i++)
        if (values[i]! > -80) worst = Math.max(worst, Math.abs(blended[i]! - (values[i]! - 10 * Math.log10(4))));
      assert.ok(worst < 1e-3, `−6.02 dB: max error ${worst}`);
    });
  }
});

describe('buildAudioScene refuses', () => {
  test('a clip shorter than one FFT window, as an input error saying how long it must be', () => {
    assert.throws(
      () => buildAudioScene(syntheticClip(0.01), RATE, DEFAULT_SPECTROGRAM_CONFIG, 'waveform'),
      (error: unknown) =>
        error instanceof DaxError &&
        error.kind === 'input' &&
        /0\.010 s long/.test(error.message) &&
        /0\.032 s/.test(error.message),
    );
    // Exactly one window is enough.
    const scene = buildAudioScene(new Float32Array(512), RATE, DEFAULT_SPECTROGRAM_CONFIG, 'waveform');
    assert.equal(scene.grid.windows, 1);
  });
});
