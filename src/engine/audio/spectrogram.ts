// Short-time Fourier transform and its inverse, power and mel spectrograms, and the bridge that lets a mask drawn
// over a (mel) spectrogram be applied to a waveform: mask × complex STFT (the original phase kept), then weighted
// overlap-add. Every time-frequency array here is a picture: `rows x frames`, row-major, row 0 the lowest
// frequency, index `row * frames + frame`.
import FFT from 'fft.js';
import { DaxError } from '../core/errors';

/** How a waveform becomes a spectrogram; part of a model's configuration. */
export interface SpectrogramConfig {
  /** FFT and window length in samples, a power of two (512 at 16 kHz is 32 ms). */
  fftSize: number;
  /** Samples between frames, at most fftSize / 2: every sample then lies under at least two windows, away from their zeros. */
  hop: number;
  /** Periodic window applied to each frame. */
  window: 'hann' | 'hamming';
  /** Rows of the spectrogram: the FFT's bins, or mel bands. */
  scale: 'linear' | 'mel';
  /** Mel bands (scale 'mel'); default 64. */
  melBands?: number;
  /** Lowest frequency of the mel filterbank in Hz; default 0. */
  fMin?: number;
  /** Highest frequency of the mel filterbank in Hz; default the Nyquist frequency. */
  fMax?: number;
  /** Values in decibels (10·log10 of power) rather than power. */
  log: boolean;
}

/** A common setting at 16 kHz: 32 ms windows every 8 ms, 64 mel bands, in dB. */
export const DEFAULT_SPECTROGRAM_CONFIG: SpectrogramConfig = {
  fftSize: 512,
  hop: 128,
  window: 'hann',
  scale: 'mel',
  melBands: 64,
  log: true,
};

/** Complex STFT, `bins x frames` (bin-major, see the module comment). */
export interface Stft {
  fftSize: number;
  hop: number;
  window: SpectrogramConfig['window'];
  /** fftSize / 2 + 1. */
  bins: number;
  frames: number;
  /** Samples of the signal it was taken from; {@link istft} gives back this many. */
  length: number;
  real: Float32Array;
  imag: Float32Array;
}

/** Checks a configuration (and the mel bands against the sample rate when given); throws DaxError('usage'). */
export function checkSpectrogramConfig(config: SpectrogramConfig, sampleRate?: number): void {
  const { fftSize, hop } = config;
  if (!Number.isInteger(fftSize) || fftSize < 16 || fftSize > 65536 || (fftSize & (fftSize - 1)) !== 0) {
    throw new DaxError('usage', `the spectrogram's fftSize must be a power of two from 16 to 65536, got ${fftSize}.`);
  }
  if (!Number.isInteger(hop) || hop < 1 || hop > fftSize / 2) {
    throw new DaxError(
      'usage',
      `the spectrogram's hop must be a whole number from 1 to fftSize / 2 (${fftSize / 2}), got ${hop}.`,
    );
  }
  if (config.window !== 'hann' && config.window !== 'hamming')
    throw new DaxError(
      'usage',
      `the spectrogram's window must be "hann" or "hamming", got ${JSON.stringify(config.window)}.`,
    );
  if (config.scale !== 'linear' && config.scale !== 'mel')
    throw new DaxError(
      'usage',
      `the spectrogram's scale must be "linear" or "mel", got ${JSON.stringify(config.scale)}.`,
    );
  if (config.scale === 'mel') {
    const bands = config.melBands ?? 64;
    if (!Number.isInteger(bands) || bands < 1)
      throw new DaxError('usage', `melBands must be a positive whole number, got ${bands}.`);
    if (sampleRate !== undefined) {
      const fMin = config.fMin ?? 0;
      const fMax = config.fMax ?? sampleRate / 2;
      if (!(fMin >= 0 && fMax > fMin && fMax <= sampleRate / 2)) {
        throw new DaxError(
          'usage',
          `the mel range must satisfy 0 <= fMin < fMax <= ${sampleRate / 2} Hz (half the sample rate), got ${fMin} to ${fMax} Hz.`,
        );
      }
    }
  }
}

/** The analysis window (periodic, as for spectral analysis with overlap). */
export function makeWindow(kind: SpectrogramConfig['window'], size: number): Float64Array {
  const window = new Float64Array(size);
  const a0 = kind === 'hann' ? 0.5 : 0.54;
  for (let n = 0; n < size; n++) window[n] = a0 - (1 - a0) * Math.cos((2 * Math.PI * n) / size);
  return window;
}

/** Frames of a signal of `length` samples: frame t is centred on sample t · hop (the signal padded with zeros). */
export function frameCount(length: number, hop: number): number {
  return 1 + Math.floor(length / hop);
}

/**
 * The STFT of `samples`: frame t covers samples [t·hop − fftSize/2, t·hop + fftSize/2), zeros outside the
 * signal, windowed; bins 0..fftSize/2 of its FFT.
 */
export function stft(samples: Float32Array, config: Pick<SpectrogramConfig, 'fftSize' | 'hop' | 'window'>): Stft {
  checkSpectrogramConfig({ scale: 'linear', log: false, ...config });
  const { fftSize, hop } = config;
  const half = fftSize / 2;
  const bins = half + 1;
  const frames = frameCount(samples.length, hop);
  const window = makeWindow(config.window, fftSize);
  const fft = new FFT(fftSize);
  const input = new Float64Array(fftSize);
  const output = new Float64Array(2 * fftSize);
  const real = new Float32Array(bins * frames);
  const imag = new Float32Array(bins * frames);
  for (let t = 0; t < frames; t++) {
    const start = t * hop - half;
    for (let n = 0; n < fftSize; n++) {
      const i = start + n;
      input[n] = i >= 0 && i < samples.length ? samples[i]! * window[n]! : 0;
    }
    fft.realTransform(output, input);
    for (let k = 0; k < bins; k++) {
      real[k * frames + t] = output[2 * k]!;
      imag[k * frames + t] = output[2 * k + 1]!;
    }
  }
  return { fftSize, hop, window: config.window, bins, frames, length: samples.length, real, imag };
}

/**
 * The waveform of an STFT whose values are multiplied by `mask` (`bins x frames`, default all ones): each bin keeps
 * its original phase and its magnitude is scaled. Frames are inverse-transformed, windowed again and overlap-added,
 * divided by the sum of the squared windows: the least-squares signal whose STFT is closest to the masked one
 * (Griffin & Lim 1984), and exactly the original signal for an all-ones mask. Returns `length` samples.
 */
export function istft(spectrum: Stft, mask?: Float32Array, length = spectrum.length): Float32Array {
  const { fftSize, hop, bins, frames } = spectrum;
  if (mask && mask.length !== bins * frames)
    throw new RangeError(`istft: the mask has ${mask.length} values, expected ${bins} x ${frames}`);
  const half = fftSize / 2;
  const window = makeWindow(spectrum.window, fftSize);
  const fft = new FFT(fftSize);
  const full = new Float64Array(2 * fftSize);
  const frame = new Float64Array(2 * fftSize);
  const sum = new Float64Array(length);
  const weight = new Float64Array(length);
  for (let t = 0; t < frames; t++) {
    const start = t * hop - half;
    if (start >= length || start + fftSize <= 0) continue;
    let silent = true;
    for (let k = 0; k < bins; k++) {
      const m = mask ? mask[k * frames + t]! : 1;
      const re = spectrum.real[k * frames + t]! * m;
      const im = spectrum.imag[k * frames + t]! * m;
      if (re !== 0 || im !== 0) silent = false;
      full[2 * k] = re;
      full[2 * k + 1] = im;
      // Hermitian symmetry: the spectrum of a real frame.
      if (k > 0 && k < half) {
        full[2 * (fftSize - k)] = re;
        full[2 * (fftSize - k) + 1] = -im;
      }
    }
    if (!silent) fft.inverseTransform(frame, full);
    for (let n = 0; n < fftSize; n++) {
      const i = start + n;
      if (i < 0 || i >= length) continue;
      const w = window[n]!;
      if (!silent) sum[i] += frame[2 * n]! * w;
      weight[i] += w * w;
    }
  }
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = weight[i]! > 1e-10 ? sum[i]! / weight[i]! : 0;
  return out;
}

/**
 * The part of {@link istft}'s output that frames [firstFrame, endFrame) contribute, for a mask that is zero on
 * every other frame: samples from `start` on. Adding the segments of masks that sum to M gives istft(M) exactly
 * (the overlap-add and its normalisation are linear), at the cost of the segment's frames only.
 */
export function istftSegment(
  spectrum: Stft,
  mask: Float32Array,
  firstFrame: number,
  endFrame: number,
): { start: number; samples: Float32Array } {
  const { fftSize, hop, bins, frames, length } = spectrum;
  if (mask.length !== bins * frames)
    throw new RangeError(`istftSegment: the mask has ${mask.length} values, expected ${bins} x ${frames}`);
  const half = fftSize / 2;
  const start = Math.max(0, firstFrame * hop - half);
  const end = Math.min(length, (endFrame - 1) * hop + half);
  const window = makeWindow(spectrum.window, fftSize);
  const weight = overlapWeights(spectrum, window);
  const fft = new FFT(fftSize);
  const full = new Float64Array(2 * fftSize);
  const frame = new Float64Array(2 * fftSize);
  const out = new Float32Array(Math.max(0, end - start));
  for (let t = firstFrame; t < endFrame; t++) {
    for (let k = 0; k < bins; k++) {
      const m = mask[k * frames + t]!;
      const re = spectrum.real[k * frames + t]! * m;
      const im = spectrum.imag[k * frames + t]! * m;
      full[2 * k] = re;
      full[2 * k + 1] = im;
      if (k > 0 && k < half) {
        full[2 * (fftSize - k)] = re;
        full[2 * (fftSize - k) + 1] = -im;
      }
    }
    fft.inverseTransform(frame, full);
    for (let n = 0; n < fftSize; n++) {
      const i = t * hop - half + n;
      if (i < start || i >= end) continue;
      if (weight[i]! > 1e-10) out[i - start]! += (frame[2 * n]! * window[n]!) / weight[i]!;
    }
  }
  return { start, samples: out };
}

const weightCache = new WeakMap<Stft, Float64Array>();

/** Per sample, the sum of the squared windows of the frames that cover it (istft's normaliser), cached per STFT. */
function overlapWeights(spectrum: Stft, window: Float64Array): Float64Array {
  const cached = weightCache.get(spectrum);
  if (cached) return cached;
  const { fftSize, hop, frames, length } = spectrum;
  const weight = new Float64Array(length);
  for (let t = 0; t < frames; t++) {
    for (let n = 0; n < fftSize; n++) {
      const i = t * hop - fftSize / 2 + n;
      if (i >= 0 && i < length) weight[i]! += window[n]! * window[n]!;
    }
  }
  weightCache.set(spectrum, weight);
  return weight;
}

/** |X|^power per cell (power 1: magnitude, 2: power), `bins x frames`. */
export function magnitudes(spectrum: Stft, power: 1 | 2 = 1): Float32Array {
  const out = new Float32Array(spectrum.real.length);
  for (let i = 0; i < out.length; i++) {
    const p = spectrum.real[i]! * spectrum.real[i]! + spectrum.imag[i]! * spectrum.imag[i]!;
    out[i] = power === 2 ? p : Math.sqrt(p);
  }
  return out;
}

// ---------------------------------------------------------------- mel

/** Triangular mel filters over the FFT's bins, as librosa's defaults (Slaney's mel scale, area-normalised). */
export interface MelFilterbank {
  bands: number;
  bins: number;
  sampleRate: number;
  fftSize: number;
  fMin: number;
  fMax: number;
  /** Centre frequency of each band in Hz. */
  centers: Float64Array;
  /** `bands x bins`: each triangle scaled by 2 / (its width in Hz), so every band has the same area. */
  weights: Float32Array;
  /** `bands x bins`: the same triangles with peak 1; adjacent ones sum to 1 between their centres. */
  triangles: Float32Array;
}

/** Hz to mel on Slaney's scale (librosa's default): linear below 1 kHz (15 mel at 1 kHz), logarithmic above. */
export function hzToMel(hz: number): number {
  return hz < 1000 ? hz / (200 / 3) : 15 + Math.log(hz / 1000) / (Math.log(6.4) / 27);
}

/** Inverse of {@link hzToMel}. */
export function melToHz(mel: number): number {
  return mel < 15 ? mel * (200 / 3) : 1000 * Math.exp((mel - 15) * (Math.log(6.4) / 27));
}

/** Builds the filterbank (throws DaxError('usage') when some band would cover no bin: too many bands for the FFT). */
export function melFilterbank(
  sampleRate: number,
  fftSize: number,
  bands: number,
  fMin = 0,
  fMax = sampleRate / 2,
): MelFilterbank {
  checkSpectrogramConfig(
    { fftSize, hop: 1, window: 'hann', scale: 'mel', melBands: bands, fMin, fMax, log: false },
    sampleRate,
  );
  const bins = fftSize / 2 + 1;
  const melMin = hzToMel(fMin);
  const melMax = hzToMel(fMax);
  const edges = new Float64Array(bands + 2);
  for (let i = 0; i < bands + 2; i++) edges[i] = melToHz(melMin + ((melMax - melMin) * i) / (bands + 1));
  const weights = new Float32Array(bands * bins);
  const triangles = new Float32Array(bands * bins);
  for (let b = 0; b < bands; b++) {
    const [low, centre, high] = [edges[b]!, edges[b + 1]!, edges[b + 2]!];
    const area = 2 / (high - low);
    let any = false;
    for (let k = 0; k < bins; k++) {
      const f = (k * sampleRate) / fftSize;
      const value = Math.max(0, Math.min((f - low) / (centre - low), (high - f) / (high - centre)));
      if (value > 0) any = true;
      triangles[b * bins + k] = value;
      weights[b * bins + k] = value * area;
    }
    if (!any) {
      throw new DaxError(
        'usage',
        `${bands} mel bands are too many for an FFT of ${fftSize} at ${sampleRate} Hz (band ${b} covers no frequency bin): use fewer bands or a larger fftSize.`,
      );
    }
  }
  return { bands, bins, sampleRate, fftSize, fMin, fMax, centers: edges.slice(1, bands + 1), weights, triangles };
}

/** Applies the filterbank to a `bins x frames` power (or magnitude) array: `bands x frames`. */
export function applyFilterbank(filterbank: MelFilterbank, values: Float32Array, frames: number): Float32Array {
  const { bands, bins, weights } = filterbank;
  if (values.length !== bins * frames)
    throw new RangeError(`applyFilterbank: expected ${bins} x ${frames} values, got ${values.length}`);
  const out = new Float32Array(bands * frames);
  for (let b = 0; b < bands; b++) {
    for (let k = 0; k < bins; k++) {
      const w = weights[b * bins + k]!;
      if (w === 0) continue;
      for (let t = 0; t < frames; t++) out[b * frames + t]! += w * values[k * frames + t]!;
    }
  }
  return out;
}

/**
 * Turns a mask over mel cells (`bands x frames`) into a mask over the STFT's bins (`bins x frames`): each bin
 * takes the mean of the bands whose triangles cover it, weighted by the triangles (so the mask varies linearly
 * between band centres, and a band's own value holds at its centre). Bins no band covers (below fMin or above
 * fMax) take the nearest band's value, so an all-zero mask silences everything and an all-ones mask changes nothing.
 */
export function expandMelMask(filterbank: MelFilterbank, mask: Float32Array, frames: number): Float32Array {
  const { bands, bins, triangles, centers, sampleRate, fftSize } = filterbank;
  if (mask.length !== bands * frames)
    throw new RangeError(`expandMelMask: expected ${bands} x ${frames} values, got ${mask.length}`);
  const out = new Float32Array(bins * frames);
  for (let k = 0; k < bins; k++) {
    let total = 0;
    for (let b = 0; b < bands; b++) total += triangles[b * bins + k]!;
    const row = out.subarray(k * frames, (k + 1) * frames);
    if (total > 1e-6) {
      for (let b = 0; b < bands; b++) {
        const w = triangles[b * bins + k]! / total;
        if (w === 0) continue;
        for (let t = 0; t < frames; t++) row[t]! += w * mask[b * frames + t]!;
      }
    } else {
      const f = (k * sampleRate) / fftSize;
      let nearest = 0;
      for (let b = 1; b < bands; b++) if (Math.abs(centers[b]! - f) < Math.abs(centers[nearest]! - f)) nearest = b;
      row.set(mask.subarray(nearest * frames, (nearest + 1) * frames));
    }
  }
  return out;
}

// ---------------------------------------------------------------- spectrogram pictures

/** A spectrogram as a model or a person sees it. */
export interface Spectrogram {
  /** Frequency bins (linear) or mel bands. */
  rows: number;
  frames: number;
  /** `rows x frames`: power, or dB when `log`. */
  values: Float32Array;
  /** Centre frequency of each row in Hz. */
  frequencies: Float64Array;
  /** Seconds between frames (frame t is centred at t · hopSeconds). */
  hopSeconds: number;
  log: boolean;
  /** The filterbank, for a mel spectrogram (to expand masks drawn over its rows with {@link expandMelMask}). */
  filterbank?: MelFilterbank;
}

/** Power to decibels: 10·log10(max(power, amin)), amin 1e-10 (-100 dB), as librosa's power_to_db with ref 1. */
export function powerToDb(power: Float32Array, amin = 1e-10): Float32Array {
  const out = new Float32Array(power.length);
  for (let i = 0; i < power.length; i++) out[i] = 10 * Math.log10(Math.max(power[i]!, amin));
  return out;
}

/** The spectrogram of `samples` at `sampleRate` per the configuration (from an STFT already taken, when given). */
export function spectrogram(
  samples: Float32Array,
  sampleRate: number,
  config: SpectrogramConfig,
  spectrum?: Stft,
): Spectrogram {
  checkSpectrogramConfig(config, sampleRate);
  const transform = spectrum ?? stft(samples, config);
  const power = magnitudes(transform, 2);
  let values = power;
  let rows = transform.bins;
  let frequencies: Float64Array = Float64Array.from({ length: rows }, (_, k) => (k * sampleRate) / config.fftSize);
  let filterbank: MelFilterbank | undefined;
  if (config.scale === 'mel') {
    filterbank = melFilterbank(
      sampleRate,
      config.fftSize,
      config.melBands ?? 64,
      config.fMin ?? 0,
      config.fMax ?? sampleRate / 2,
    );
    values = applyFilterbank(filterbank, power, transform.frames);
    rows = filterbank.bands;
    frequencies = filterbank.centers;
  }
  if (config.log) values = powerToDb(values);
  return {
    rows,
    frames: transform.frames,
    values,
    frequencies,
    hopSeconds: config.hop / sampleRate,
    log: config.log,
    filterbank,
  };
}

/** The log-mel spectrogram (dB), the usual input of audio classifiers. */
export function toLogMel(
  samples: Float32Array,
  sampleRate: number,
  config: Omit<SpectrogramConfig, 'scale' | 'log'>,
): Spectrogram {
  return spectrogram(samples, sampleRate, { ...config, scale: 'mel', log: true });
}

/**
 * Values for display, in [0, 1]: dB (taken here when the spectrogram is in power), clipped to the `rangeDb`
 * below the loudest cell, stretched linearly.
 */
export function displaySpectrogram(spec: Spectrogram, rangeDb = 80): Float32Array {
  const db = spec.log ? spec.values : powerToDb(spec.values);
  let top = -Infinity;
  for (const value of db) if (value > top) top = value;
  const out = new Float32Array(db.length);
  for (let i = 0; i < db.length; i++) out[i] = Math.max(0, Math.min(1, (db[i]! - (top - rangeDb)) / rangeDb));
  return out;
}
