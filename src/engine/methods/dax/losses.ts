// DAX's loss terms: weighted distillation MSE, L1 sparsity of the mask, and KL between soft histograms.
import { tf } from '../../tf/runtime';

/** Σ wᵢ (ŷᵢ − yᵢ)² / Σ wᵢ: LIME-weighted, so copies close to the input count more. */
export function weightedMse(predicted: tf.Tensor1D, target: tf.Tensor1D, weights: tf.Tensor1D): tf.Scalar {
  return tf.div(
    tf.sum(tf.mul(weights, tf.square(tf.sub(predicted, target)))),
    tf.add(tf.sum(weights), 1e-8),
  ) as tf.Scalar;
}

/** Mean absolute mask value: pushes the mask to keep only what the student needs. */
export function maskL1(mask: tf.Tensor): tf.Scalar {
  return tf.mean(tf.abs(mask)) as tf.Scalar;
}

/**
 * Soft histogram of values in [0, 1] over a batch: Gaussian kernels at `bins` centres, normalised to sum to 1.
 * Differentiable, so the batch's distribution of student outputs can be pulled towards the black box's.
 */
export function softHistogram(values: tf.Tensor1D, bins = 10, sigma = 0.05): tf.Tensor1D {
  const centres = tf.linspace(0.5 / bins, 1 - 0.5 / bins, bins);
  const diff = tf.sub(tf.reshape(values, [-1, 1]), tf.reshape(centres, [1, bins]));
  const kernel = tf.exp(tf.div(tf.neg(tf.square(diff)), 2 * sigma * sigma));
  const counts = tf.add(tf.sum(kernel, 0), 1e-6);
  return tf.div(counts, tf.sum(counts)) as tf.Tensor1D;
}

/** KL(h(target) ‖ h(predicted)) between the batch's soft histograms. */
export function histogramKl(predicted: tf.Tensor1D, target: tf.Tensor1D): tf.Scalar {
  const p = softHistogram(target);
  const q = softHistogram(predicted);
  return tf.sum(tf.mul(p, tf.log(tf.div(p, q)))) as tf.Scalar;
}
