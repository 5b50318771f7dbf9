import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkSpectrogramConfig,
  displaySpectrogram,
  expandMelMask,
  hzToMel,
  istft,
  magnitudes,
  melFilterbank,
  melToHz,
  spectrogram,
  stft,
  toLogMel,
  type SpectrogramConfig,
} from '../../src/engine/audio/spectrogram';
import { timeFrequencyGrid } from '../../src/engine/audio/timeFrequencyGrid';
import { createRng } from '../../src/engine/core/rng';
import { DaxError } from '../../src/engine/core/errors';

const rate = 16000;
const config: SpectrogramConfig = { fftSize: 512, hop: 128, window: 'hann', scale: 'mel', melBands: 64, log: true };

function noise(length: number, seed = 7): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length }, () => rng.next() * 2 - 1);
}

function tones(length: number, parts: [hz: number, amplitude: number][]): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    let sum = 0;
    for (const [hz, a] of parts) sum += a * Math.sin((2 * Math.PI * hz * i) / rate);
    out[i] = sum;
  }
  return out;
}

function maxAbsDiff(a: Float32Array, b: Float32Array, from = 0, to = a.length): number {
  let max = 0;
  for (let i = from; i < to; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

function energy(x: Float32Array, from: number, to: number): number {
  let sum = 0;
  for (let i = Math.max(0, from); i < Math.min(x.length, to); i++) sum += x[i]! * x[i]!;
  return sum;
}

describe('the STFT and the spectrograms match librosa 0.11', () => {
  // Reference values computed with librosa 0.11.0 (numpy 2): filters.mel(sr=16000, n_fft=512, n_mels=64), and for
  // x = 0.5·sin(2π·440·t) + 0.2·sin(2π·3000·t), 4000 samples at 16 kHz (float32),
  // power_to_db(melspectrogram(y=x, sr=16000, n_fft=512, hop_length=128, n_mels=64, center=True,
  // pad_mode='constant'), ref=1.0, amin=1e-10, top_db=None).
  test('mel filterbank weights (Slaney scale, area-normalised)', () => {
    const bank = melFilterbank(16000, 512, 64);
    const expected: [band: number, bin: number, weight: number][] = [
      [0, 1, 0.014511281624436378],
      [0, 2, 0.014075512066483498],
      [5, 8, 0.00834506656974554],
      [5, 9, 0.02024172618985176],
      [5, 10, 0.00573044503107667],
      [40, 79, 0.0035133250057697296],
      [63, 236, 0.0008086183806881309],
    ];
    for (const [band, bin, weight] of expected)
      assert.ok(Math.abs(bank.weights[band * bank.bins + bin]! - weight) < 1e-8, `band ${band} bin ${bin}`);
    assert.equal(bank.weights[5 * bank.bins + 7], 0);
    assert.equal(bank.weights[5 * bank.bins + 11], 0);
  });

  test('log-mel values', () => {
    const x = tones(4000, [
      [440, 0.5],
      [3000, 0.2],
    ]);
    const spec = toLogMel(x, rate, { fftSize: 512, hop: 128, window: 'hann', melBands: 64 });
    assert.deepEqual([spec.rows, spec.frames], [64, 32]);
    const expected: [band: number, frame: number, db: number][] = [
      [0, 0, -5.663609504699707],
      [10, 5, 4.498321533203125],
      [10, 16, 4.49835729598999],
      [30, 16, -95.37800598144531],
      [63, 31, -36.27543258666992],
      [45, 16, -100.00000762939453],
    ];
    for (const [band, frame, db] of expected) {
      const value = spec.values[band * spec.frames + frame]!;
      assert.ok(Math.abs(value - db) < 1e-3, `band ${band} frame ${frame}: ${value} vs ${db}`);
    }
  });

  test('the mel scale', () => {
    assert.ok(Math.abs(hzToMel(440) - 6.6) < 1e-12);
    assert.ok(Math.abs(hzToMel(3000) - 30.979401986098402) < 1e-9);
    assert.ok(Math.abs(melToHz(20) - 1410.2385678078886) < 1e-9);
    for (const hz of [0, 100, 999, 1000, 4000, 8000]) assert.ok(Math.abs(melToHz(hzToMel(hz)) - hz) < 1e-9);
  });

  test("a tone peaks in its bin, with the window's gain (sum of a Hann window / 2 per unit amplitude)", () => {
    const x = tones(8000, [[1000, 0.5]]); // 1000 Hz is bin 32 at 16 kHz / 512
    const spectrum = stft(x, config);
    const mag = magnitudes(spectrum);
    const frame = 20;
    let peak = 0;
    for (let k = 1; k < spectrum.bins; k++)
      if (mag[k * spectrum.frames + frame]! > mag[peak * spectrum.frames + frame]!) peak = k;
    assert.equal(peak, 32);
    assert.ok(Math.abs(mag[32 * spectrum.frames + frame]! - (0.5 * 256) / 2) < 0.01);
  });
});

describe('the inverse STFT', () => {
  for (const [window, fftSize, hop] of [
    ['hann', 512, 128],
    ['hann', 256, 128],
    ['hamming', 512, 160],
    ['hann', 1024, 256],
  ] as const) {
    test(`an all-ones mask gives back the input, edges included (${window}, ${fftSize}/${hop})`, () => {
      const x = noise(16000 + 77);
      const spectrum = stft(x, { fftSize, hop, window });
      const ones = new Float32Array(spectrum.bins * spectrum.frames).fill(1);
      const y = istft(spectrum, ones);
      assert.equal(y.length, x.length);
      const error = maxAbsDiff(x, y);
      assert.ok(error < 1e-4, `max error ${error}`);
      assert.ok(maxAbsDiff(x, istft(spectrum)) < 1e-4, 'no mask is an all-ones mask');
    });
  }

  test('a zero mask gives silence', () => {
    const spectrum = stft(noise(8000), config);
    const y = istft(spectrum, new Float32Array(spectrum.bins * spectrum.frames));
    assert.ok(y.every((v) => v === 0));
  });

  test('zeroing one time column of a grid removes the energy in that interval only', () => {
    const x = noise(16000);
    const spectrum = stft(x, config);
    const grid = timeFrequencyGrid(spectrum.bins, spectrum.frames, { bands: 4, windows: 10 });
    const keep = new Uint8Array(grid.count).fill(1);
    for (let band = 0; band < grid.bands; band++) keep[band * grid.windows + 4] = 0;
    const y = istft(spectrum, grid.maskFromPattern(keep));

    // Frames a..b-1 are zeroed; frame t covers samples [t·hop − 256, t·hop + 256).
    const [a, b] = [grid.windowEdges[4]!, grid.windowEdges[5]!];
    const half = config.fftSize / 2;
    const silentFrom = (a - 1) * config.hop + half; // every frame covering these samples is zeroed
    const silentTo = b * config.hop - half;
    const touchedFrom = a * config.hop - half; // only these samples are covered by a zeroed frame at all
    const touchedTo = (b - 1) * config.hop + half;
    assert.ok(silentTo - silentFrom > 800, 'the test interval is long enough to mean something');
    assert.ok(maxAbsDiff(new Float32Array(y.length), y, silentFrom, silentTo) < 1e-6, 'silent inside');
    assert.ok(maxAbsDiff(x, y, 0, touchedFrom) < 1e-4, 'unchanged before');
    assert.ok(maxAbsDiff(x, y, touchedTo, x.length) < 1e-4, 'unchanged after');
    assert.ok(
      energy(y, touchedFrom, touchedTo) < 0.5 * energy(x, touchedFrom, touchedTo),
      'most of the energy of the interval is gone',
    );
  });

  test('zeroing the frequency band of one tone removes that tone and keeps the other', () => {
    const x = tones(16000, [
      [440, 0.5],
      [3500, 0.3],
    ]);
    const spectrum = stft(x, config);
    const grid = timeFrequencyGrid(spectrum.bins, spectrum.frames, { bands: 8, windows: 1 }); // about 1 kHz per band
    const keep = new Uint8Array(grid.count).fill(1);
    keep[3] = 0; // 3500 Hz is bin 112, inside band 3 (bins 96..127) with its window's whole main lobe
    const y = istft(spectrum, grid.maskFromPattern(keep));
    const expected = tones(16000, [[440, 0.5]]);
    const residual = energy(
      Float32Array.from(y, (v, i) => v - expected[i]!),
      1000,
      15000,
    );
    const snr = 10 * Math.log10(energy(expected, 1000, 15000) / residual);
    assert.ok(snr > 40, `${snr.toFixed(1)} dB`);
  });

  test('a mel-band mask, expanded to the bins, removes the tone under the zeroed bands', () => {
    const x = tones(16000, [
      [440, 0.5],
      [3000, 0.3],
    ]);
    const spectrum = stft(x, config);
    const bank = melFilterbank(rate, config.fftSize, 64);
    const melMask = new Float32Array(64 * spectrum.frames).fill(1);
    const near3k = Array.from(bank.centers.keys()).filter((b) => Math.abs(bank.centers[b]! - 3000) < 400);
    for (const b of near3k) melMask.fill(0, b * spectrum.frames, (b + 1) * spectrum.frames);
    const y = istft(spectrum, expandMelMask(bank, melMask, spectrum.frames));
    const expected = tones(16000, [[440, 0.5]]);
    const residual = energy(
      Float32Array.from(y, (v, i) => v - expected[i]!),
      1000,
      15000,
    );
    assert.ok(10 * Math.log10(energy(expected, 1000, 15000) / residual) > 30);
  });
});

describe('mel masks', () => {
  const bank = melFilterbank(rate, 512, 40, 100, 7000);
  const frames = 3;

  test('all ones stay ones and all zeros stay zeros, including bins outside fMin..fMax', () => {
    const ones = expandMelMask(bank, new Float32Array(40 * frames).fill(1), frames);
    assert.equal(ones.length, bank.bins * frames);
    for (const v of ones) assert.ok(Math.abs(v - 1) < 1e-6);
    assert.ok(expandMelMask(bank, new Float32Array(40 * frames), frames).every((v) => v === 0));
  });

  test("a band's value holds at its centre and fades linearly to its neighbours' centres", () => {
    const mask = new Float32Array(40 * frames).fill(1);
    mask.fill(0, 20 * frames, 21 * frames);
    const linear = expandMelMask(bank, mask, frames);
    const binOf = (hz: number) => Math.round((hz * 512) / rate);
    assert.ok(linear[binOf(bank.centers[20]!) * frames]! < 0.15);
    assert.ok(linear[binOf(bank.centers[19]!) * frames]! > 0.85);
    assert.ok(linear[binOf(bank.centers[22]!) * frames]! === 1);
    const between = linear[binOf((bank.centers[20]! + bank.centers[21]!) / 2) * frames]!;
    assert.ok(between > 0.3 && between < 0.7, `half-way: ${between}`);
  });

  test('a mask of the wrong size is refused', () => {
    assert.throws(() => expandMelMask(bank, new Float32Array(10), frames), RangeError);
  });
});

describe('spectrogram configuration', () => {
  test('linear and mel spectrograms have their rows, frequencies and hop', () => {
    const x = tones(8000, [[1000, 0.5]]);
    const linear = spectrogram(x, rate, { ...config, scale: 'linear', log: false });
    assert.deepEqual([linear.rows, linear.frames, linear.hopSeconds], [257, 63, 0.008]);
    assert.equal(linear.frequencies[32], 1000);
    const mel = spectrogram(x, rate, { ...config, melBands: 32, fMin: 50, fMax: 7600 });
    assert.deepEqual([mel.rows, mel.frames], [32, 63]);
    assert.ok(mel.filterbank && mel.frequencies[0]! > 50 && mel.frequencies[31]! < 7600);
    const shown = displaySpectrogram(mel);
    assert.ok(shown.every((v) => v >= 0 && v <= 1));
    assert.equal(Math.max(...shown), 1);
  });

  test('bad settings are usage errors that say what is allowed', () => {
    const usage = (pattern: RegExp) => (error: unknown) =>
      error instanceof DaxError && error.kind === 'usage' && pattern.test(error.message);
    assert.throws(() => checkSpectrogramConfig({ ...config, fftSize: 500 }), usage(/power of two/));
    assert.throws(
      () => checkSpectrogramConfig({ ...config, hop: 300 }),
      usage(/hop must be a whole number from 1 to fftSize \/ 2 \(256\)/),
    );
    assert.throws(() => checkSpectrogramConfig({ ...config, fMax: 9000 }, rate), usage(/fMax <= 8000 Hz/));
    assert.throws(() => melFilterbank(rate, 256, 128), usage(/too many for an FFT of 256/));
  });
});
