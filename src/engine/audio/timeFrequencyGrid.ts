// The perturbation space of an audio input: a grid of cells over its spectrogram, rows of frequency bands by
// columns of time windows. It is the audio counterpart of the image engine's segments: a grid is a Segmentation
// whose "pixels" are the spectrogram's cells (width = frames, height = bins or mel bands, row 0 the lowest
// frequency), so the samplers and poolings written for images apply unchanged; a pattern over its cells becomes a
// mask over the spectrogram, which `istft` (or `expandMelMask` first, for a mel plane) turns back into sound.
import type { Segmentation } from '../perturbation/slic';
import { hzToMel, melToHz } from './spectrogram';

/** How to cut the spectrogram. */
export interface TimeFrequencyGridOptions {
  /** Frequency bands (grid rows); clamped to the plane's rows. */
  bands: number;
  /** Time windows (grid columns); clamped to the plane's frames. */
  windows: number;
  /**
   * Band edges equally spaced in bins (`linear`, the default, also right for a plane that is already mel bands),
   * or in mel over the linear bins of an STFT (`mel`, which needs `sampleRate` and `fftSize`), so that low
   * frequencies, where most of speech and music's structure is, get narrower bands.
   */
  spacing?: 'linear' | 'mel';
  sampleRate?: number;
  fftSize?: number;
}

/** A grid over a `rows x frames` plane. Cell c = band · windows + window. */
export interface TimeFrequencyGrid extends Segmentation {
  /** Rows of the plane (STFT bins or mel bands); equals `height`. */
  rows: number;
  /** Frames of the plane; equals `width`. */
  frames: number;
  bands: number;
  windows: number;
  /** bands + 1 row indices: band b covers rows [bandEdges[b], bandEdges[b + 1]). */
  bandEdges: Int32Array;
  /** windows + 1 frame indices: window w covers frames [windowEdges[w], windowEdges[w + 1]). */
  windowEdges: Int32Array;
  /** A `rows x frames` mask: 1 on the cells where `keep[c]` is non-zero, 0 elsewhere. */
  maskFromPattern(keep: Uint8Array): Float32Array;
  /** A `rows x frames` mask taking value `values[c]` on cell c (soft masks, saliencies per cell). */
  maskFromValues(values: ArrayLike<number>): Float32Array;
}

/** Cuts a `rows x frames` spectrogram plane into `bands x windows` cells. */
export function timeFrequencyGrid(rows: number, frames: number, options: TimeFrequencyGridOptions): TimeFrequencyGrid {
  for (const [name, value] of [
    ['rows', rows],
    ['frames', frames],
  ] as const) {
    if (!Number.isInteger(value) || value < 1)
      throw new RangeError(`timeFrequencyGrid: ${name} must be a positive integer, got ${value}`);
  }
  for (const [name, value] of [
    ['bands', options.bands],
    ['windows', options.windows],
  ] as const) {
    if (!Number.isFinite(value) || value < 1)
      throw new RangeError(`timeFrequencyGrid: ${name} must be at least 1, got ${value}`);
  }
  const bands = Math.min(Math.floor(options.bands), rows);
  const windows = Math.min(Math.floor(options.windows), frames);
  const bandEdges = options.spacing === 'mel' ? melEdges(rows, bands, options) : evenEdges(rows, bands);
  const windowEdges = evenEdges(frames, windows);

  const bandOf = new Int32Array(rows);
  for (let b = 0; b < bands; b++) bandOf.fill(b, bandEdges[b]!, bandEdges[b + 1]!);
  const windowOf = new Int32Array(frames);
  for (let w = 0; w < windows; w++) windowOf.fill(w, windowEdges[w]!, windowEdges[w + 1]!);
  const labels = new Int32Array(rows * frames);
  for (let r = 0, i = 0; r < rows; r++) {
    const base = bandOf[r]! * windows;
    for (let t = 0; t < frames; t++, i++) labels[i] = base + windowOf[t]!;
  }
  const count = bands * windows;

  const maskFromValues = (values: ArrayLike<number>): Float32Array => {
    if (values.length !== count)
      throw new RangeError(
        `maskFromValues: expected ${count} values (${bands} bands x ${windows} windows), got ${values.length}`,
      );
    const mask = new Float32Array(labels.length);
    for (let i = 0; i < labels.length; i++) mask[i] = values[labels[i]!]!;
    return mask;
  };
  const maskFromPattern = (keep: Uint8Array): Float32Array => {
    if (keep.length !== count)
      throw new RangeError(
        `maskFromPattern: expected ${count} cells (${bands} bands x ${windows} windows), got ${keep.length}`,
      );
    const mask = new Float32Array(labels.length);
    for (let i = 0; i < labels.length; i++) mask[i] = keep[labels[i]!] ? 1 : 0;
    return mask;
  };
  return {
    width: frames,
    height: rows,
    labels,
    count,
    rows,
    frames,
    bands,
    windows,
    bandEdges,
    windowEdges,
    maskFromPattern,
    maskFromValues,
  };
}

/** n + 1 edges cutting `size` into n near-equal parts (as the image grid does). */
function evenEdges(size: number, parts: number): Int32Array {
  const edges = new Int32Array(parts + 1);
  for (let i = 0; i <= parts; i++) edges[i] = Math.floor((i * size) / parts);
  return edges;
}

/** Band edges equally spaced in mel from 0 Hz to Nyquist, mapped to FFT bins; every band keeps at least one bin. */
function melEdges(rows: number, bands: number, options: TimeFrequencyGridOptions): Int32Array {
  const { sampleRate, fftSize } = options;
  if (!sampleRate || !fftSize || fftSize / 2 + 1 !== rows) {
    throw new RangeError(
      `timeFrequencyGrid: mel spacing needs the sampleRate and the fftSize of an STFT with ${rows} bins`,
    );
  }
  const top = hzToMel(sampleRate / 2);
  const edges = new Int32Array(bands + 1);
  edges[bands] = rows;
  for (let b = 1; b < bands; b++) {
    const bin = Math.round((melToHz((top * b) / bands) * fftSize) / sampleRate);
    // Strictly increasing, leaving room for one bin per remaining band.
    edges[b] = Math.min(Math.max(bin, edges[b - 1]! + 1), rows - (bands - b));
  }
  return edges;
}
