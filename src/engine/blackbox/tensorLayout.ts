// Value preprocessing and output postprocessing shared by the adapters: configuration, not code, per model.
import { DaxError } from '../core/errors';
import type { ImageInputConfig, OutputConfig } from './modelConfig';

/** Writes a batch into one tensor buffer in the configured layout, channel order and normalisation. */
export function packImages(
  images: readonly Float32Array[],
  width: number,
  height: number,
  input: ImageInputConfig,
  layout: 'NCHW' | 'NHWC',
  padding?: Uint8Array,
): Float32Array {
  const channels = input.channels === 'grey' ? 1 : 3;
  const pixels = width * height;
  const out = new Float32Array(images.length * channels * pixels);
  const order = input.channels === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  // Fold scale, mean and std into one multiply-add per value: (v / scale - mean) / std = v * a + b.
  const a = new Float32Array(3);
  const b = new Float32Array(3);
  for (let c = 0; c < 3; c++) {
    const mean = input.mean[input.mean.length === 1 ? 0 : c]!;
    const std = input.std[input.std.length === 1 ? 0 : c]!;
    a[c] = 1 / (input.scale * std);
    b[c] = -mean / std;
  }
  images.forEach((image, n) => {
    const base = n * channels * pixels;
    for (let p = 0; p < pixels; p++) {
      const padded = padding !== undefined && padding[p] === 1;
      if (channels === 1) {
        const luma = 0.299 * image[3 * p]! + 0.587 * image[3 * p + 1]! + 0.114 * image[3 * p + 2]!;
        out[base + p] = padded ? input.padValue : luma * a[0]! + b[0]!;
        continue;
      }
      for (let c = 0; c < 3; c++) {
        const value = padded ? input.padValue : image[3 * p + order[c]!]! * a[c]! + b[c]!;
        out[layout === 'NCHW' ? base + c * pixels + p : base + 3 * p + c] = value;
      }
    }
  });
  return out;
}

/**
 * Refuses an output that is not one vector of class scores per input: past the batch axis at most one axis may be
 * longer than 1 ([batch, classes], [batch, 1, classes] and [batch, classes, 1, 1] pass). A segmentation map or a
 * picture ([1, 3, 48, 192]) would otherwise be read as thousands of "classes".
 */
export function checkClassVector(dims: readonly unknown[], what: string, source: string): void {
  const long = dims.slice(1).filter((d) => typeof d === 'number' && d > 1);
  if (dims.length > 2 && long.length > 1) {
    throw new DaxError(
      'model',
      `${what} has shape [${dims.join(', ')}], not one row of class scores per input ([batch, classes]): an image-shaped ` +
        'output (a segmentation or feature map, a picture) is not a class. Name a classification output with "output.name", ' +
        'or wrap the model in a predict module that turns its output into class scores.',
      source,
    );
  }
}

/** Splits a [batch, classes] output into rows, applies the activation and checks that every value is finite. */
export function toProbabilities(
  data: ArrayLike<number>,
  rows: number,
  output: OutputConfig,
  source: string,
): Float32Array[] {
  if (rows === 0) return [];
  if (data.length % rows !== 0 || data.length === 0) {
    throw new DaxError(
      'model',
      `returned ${data.length} values for a batch of ${rows}; expected a [batch, classes] output.`,
      source,
    );
  }
  const classes = data.length / rows;
  const result: Float32Array[] = [];
  for (let r = 0; r < rows; r++) {
    const row = Float32Array.from({ length: classes }, (_, c) => Number(data[r * classes + c]));
    for (const value of row) {
      if (!Number.isFinite(value)) {
        throw new DaxError(
          'model',
          `returned ${value} in its output; check the model and its input preprocessing (scale, mean, std).`,
          source,
        );
      }
    }
    result.push(activate(row, output.activation));
  }
  return result;
}

function activate(row: Float32Array, activation: OutputConfig['activation']): Float32Array {
  let mode = activation;
  if (mode === 'auto') {
    let sum = 0;
    let inRange = true;
    for (const value of row) {
      sum += value;
      if (value < 0 || value > 1) inRange = false;
    }
    // One column in [0,1] is a sigmoid score; several that sum to 1 are already a distribution.
    mode =
      inRange && (row.length === 1 || Math.abs(sum - 1) < 1e-3) ? 'none' : row.length === 1 ? 'sigmoid' : 'softmax';
  }
  if (mode === 'none') return row;
  if (mode === 'sigmoid') return row.map((v) => 1 / (1 + Math.exp(-v)));
  let max = -Infinity;
  for (const value of row) max = Math.max(max, value);
  let total = 0;
  const exp = row.map((v) => {
    const e = Math.exp(v - max);
    total += e;
    return e;
  });
  return exp.map((v) => v / total);
}

/** A tensor dimension as a runtime reports it: a size, or a name (or −1) where it is dynamic. */
export type Dim = number | string;

/** A dimension's size when the model fixes it. */
export function fixedDim(dim: Dim | null | undefined): number | undefined {
  return typeof dim === 'number' && dim > 0 ? dim : undefined;
}

/** What a 4-D image input fixes: its layout (given, or told from where the channel axis of 1 or 3 sits) and sizes. */
export interface ImageInputAxes {
  layout: 'NCHW' | 'NHWC';
  /** Undefined where the model leaves the size dynamic. */
  height?: number;
  width?: number;
  channels?: number;
  batch?: number;
}

export function imageInputAxes(shape: readonly Dim[], layout?: 'NCHW' | 'NHWC'): ImageInputAxes {
  const chosen =
    layout ?? (shape[1] === 1 || shape[1] === 3 ? 'NCHW' : shape[3] === 1 || shape[3] === 3 ? 'NHWC' : 'NCHW');
  const [hAxis, wAxis, cAxis] = chosen === 'NCHW' ? [2, 3, 1] : [1, 2, 3];
  return {
    layout: chosen,
    height: fixedDim(shape[hAxis]),
    width: fixedDim(shape[wAxis]),
    channels: fixedDim(shape[cAxis]),
    batch: fixedDim(shape[0]),
  };
}

/**
 * The input size along one axis: the model's where it fixes one (the configuration must then agree), else the
 * configuration's; neither is a usage error saying which setting to add.
 */
export function resolveImageSize(
  fixed: number | undefined,
  configured: number | undefined,
  what: 'height' | 'width',
  file: string,
): number {
  if (fixed !== undefined) {
    if (configured !== undefined && configured !== fixed) {
      throw new DaxError(
        'usage',
        `takes a fixed input ${what} of ${fixed}, but the configuration gives "input.${what}": ${configured}.`,
        file,
      );
    }
    return fixed;
  }
  if (configured === undefined) {
    throw new DaxError('usage', `has a dynamic input ${what}; set "input.${what}" in the model configuration.`, file);
  }
  return configured;
}
