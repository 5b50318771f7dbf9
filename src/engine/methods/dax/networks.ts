// The two DAX networks as plain TF.js variables and forward functions: small enough to train per input on a CPU.
import { tf } from '../../tf/runtime';
import type { Rng } from '../../core/rng';

/** Trainable weights by name, so the optimiser and the memory checks can see them all. */
export type Weights = Record<string, tf.Variable>;

/** Sizes of the networks. */
export interface NetworkShape {
  /** Working size of the images the networks see. */
  width: number;
  height: number;
  /** Mask cell size in working pixels: the mask is predicted on a grid this much coarser, then upsampled. */
  cell: 2 | 4 | 8;
  /** Feature channels of the convolutions. */
  channels: number;
}

/** A variable initialised from `initial`, which is then released (the variable keeps the data). */
function variableFrom(initial: tf.Tensor, name: string): tf.Variable {
  const variable = tf.variable(initial, true, name);
  initial.dispose();
  return variable;
}

function convWeights(rng: Rng, kh: number, kw: number, cin: number, cout: number, name: string): tf.Variable {
  // He-normal initialisation from the run's generator: the same seed gives the same network.
  const std = Math.sqrt(2 / (kh * kw * cin));
  const values = Float32Array.from({ length: kh * kw * cin * cout }, () => rng.normal() * std);
  return variableFrom(tf.tensor4d(values, [kh, kw, cin, cout]), name);
}

function denseWeights(rng: Rng, cin: number, cout: number, name: string): tf.Variable {
  const std = Math.sqrt(2 / cin);
  return variableFrom(
    tf.tensor2d(
      Float32Array.from({ length: cin * cout }, () => rng.normal() * std),
      [cin, cout],
    ),
    name,
  );
}

function bias(size: number, name: string, value = 0): tf.Variable {
  return variableFrom(tf.fill([size], value), name);
}

/**
 * Mask network M: image plus two coordinate channels → a [0,1] mask on a coarse grid. Convolutions alone mark
 * every place that looks like the evidence (two identical objects get the same mask); the coordinate channels
 * and a learned logit per grid cell let a network trained for one input say *which* place the model used.
 */
export function createMaskNetwork(rng: Rng, shape: NetworkShape): Weights {
  const c = shape.channels;
  const gridHeight = Math.ceil(shape.height / shape.cell);
  const gridWidth = Math.ceil(shape.width / shape.cell);
  return {
    maskCellLogits: variableFrom(tf.zeros([1, gridHeight, gridWidth, 1]), 'maskCellLogits'),
    maskConv1: convWeights(rng, 3, 3, 5, c, 'maskConv1'),
    maskBias1: bias(c, 'maskBias1'),
    maskConv2: convWeights(rng, 3, 3, c, c, 'maskConv2'),
    maskBias2: bias(c, 'maskBias2'),
    // Zero: the mask starts as the cell logits alone and takes from the image only what helps. Initialised at
    // random, the convolutions first learn "keep what looks like the evidence" and mark look-alikes as well.
    maskConv3: variableFrom(tf.zeros([1, 1, c, 1]), 'maskConv3'),
    maskBias3: bias(1, 'maskBias3'),
  };
}

/**
 * Student network S: masked image → predicted probability of the target class. Two convolutions find local
 * evidence; pooled to the mask grid, one number per cell is read out by a dense layer. So few weights
 * (≈ 9·3·c + 9·c² + cells) let it learn from a few hundred queries without overfitting them.
 */
export function createStudentNetwork(rng: Rng, shape: NetworkShape): Weights {
  const c = shape.channels;
  const cells = Math.ceil(shape.height / shape.cell) * Math.ceil(shape.width / shape.cell);
  return {
    studentConv1: convWeights(rng, 3, 3, 3, c, 'studentConv1'),
    studentBias1: bias(c, 'studentBias1'),
    studentConv2: convWeights(rng, 3, 3, c, c, 'studentConv2'),
    studentBias2: bias(c, 'studentBias2'),
    studentConv3: convWeights(rng, 1, 1, c, 1, 'studentConv3'),
    studentBias3: bias(1, 'studentBias3'),
    studentDense1: denseWeights(rng, cells, 1, 'studentDense1'),
    studentDenseBias1: bias(1, 'studentDenseBias1'),
  };
}

/** Two channels holding x and y in [-1, 1] for every working pixel, shape [1, h, w, 2]. */
export function coordinateChannels(width: number, height: number): tf.Tensor4D {
  const values = new Float32Array(width * height * 2);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      values[2 * (y * width + x)] = width > 1 ? (2 * x) / (width - 1) - 1 : 0;
      values[2 * (y * width + x) + 1] = height > 1 ? (2 * y) / (height - 1) - 1 : 0;
    }
  }
  return tf.tensor4d(values, [1, height, width, 2]);
}

function conv(x: tf.Tensor4D, w: tf.Variable, b: tf.Variable): tf.Tensor4D {
  return tf.add(tf.conv2d(x, w as tf.Tensor4D, 1, 'same'), b) as tf.Tensor4D;
}

function pool(x: tf.Tensor4D, size: number): tf.Tensor4D {
  return size === 1 ? x : tf.avgPool(x, size, size, 'same');
}

/**
 * M(x̃): [B, h, w, 3] images (normalised) and coordinates → [B, h/cell, w/cell, 1] mask in [0, 1]. The
 * convolutions run at half the working size: the mask is a cell coarser anyway, and it halves the cost twice.
 */
export function maskForward(
  weights: Weights,
  images: tf.Tensor4D,
  coordinates: tf.Tensor4D,
  cell: number,
): tf.Tensor4D {
  const batch = images.shape[0];
  const coords = tf.tile(coordinates, [batch, 1, 1, 1]);
  let h = pool(tf.concat([images, coords], 3), 2);
  h = tf.leakyRelu(conv(h, weights.maskConv1!, weights.maskBias1!), 0.1);
  h = tf.leakyRelu(conv(h, weights.maskConv2!, weights.maskBias2!), 0.1);
  h = pool(h, cell / 2);
  const mask = tf.sigmoid(tf.add(conv(h, weights.maskConv3!, weights.maskBias3!), weights.maskCellLogits!));
  // Each mask divided by its own maximum, as the official code does: sparsity then ranks cells against the most
  // needed one instead of shrinking them all to zero when the student has not yet learned much.
  return tf.div(mask, tf.add(tf.max(mask, [1, 2, 3], true), 1e-6)) as tf.Tensor4D;
}

/** Nearest-neighbour upsampling by an integer factor, built from reshape and broadcast (gradients everywhere). */
export function upsample(mask: tf.Tensor4D, factor: number, height: number, width: number): tf.Tensor4D {
  const [batch, gh, gw] = mask.shape;
  const expanded = tf.mul(tf.reshape(mask, [batch, gh, 1, gw, 1, 1]), tf.ones([1, 1, factor, 1, factor, 1]));
  const full = tf.reshape(expanded, [batch, gh * factor, gw * factor, 1]) as tf.Tensor4D;
  return full.shape[1] === height && full.shape[2] === width
    ? full
    : tf.slice(full, [0, 0, 0, 0], [batch, height, width, 1]);
}

/** S(x̃ ⊙ m): [B, h, w, 3] → [B] probabilities. */
export function studentForward(weights: Weights, masked: tf.Tensor4D, cell: number): tf.Tensor1D {
  let h = tf.leakyRelu(conv(pool(masked, 2), weights.studentConv1!, weights.studentBias1!), 0.1);
  h = tf.leakyRelu(conv(h, weights.studentConv2!, weights.studentBias2!), 0.1);
  h = pool(h, cell / 2);
  const perCell = tf.leakyRelu(conv(h, weights.studentConv3!, weights.studentBias3!), 0.1);
  const flat = tf.reshape(perCell, [perCell.shape[0], -1]) as tf.Tensor2D;
  const logit = tf.add(tf.matMul(flat, weights.studentDense1 as tf.Tensor2D), weights.studentDenseBias1!);
  return tf.reshape(tf.sigmoid(logit), [-1]) as tf.Tensor1D;
}
