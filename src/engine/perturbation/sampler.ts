// Random on/off patterns over segments and LIME's kernel weights for them (Ribeiro et al. 2016).
import type { Rng } from '../core/rng';

/** N patterns over K segments; pattern 0 keeps everything (the unperturbed input). */
export interface Samples {
  count: number;
  segments: number;
  /** Row-major [count, segments], 1 = kept. */
  keep: Uint8Array;
  /** LIME kernel weight of each pattern. */
  weights: Float32Array;
}

/** Draws `count` patterns keeping each segment with probability `keepProbability`. */
export function samplePatterns(
  count: number,
  segments: number,
  keepProbability: number,
  rng: Rng,
  kernelWidth = 0.25,
): Samples {
  const keep = new Uint8Array(count * segments);
  keep.fill(1, 0, segments);
  for (let i = segments; i < keep.length; i++) keep[i] = rng.next() < keepProbability ? 1 : 0;
  const weights = new Float32Array(count);
  for (let n = 0; n < count; n++)
    weights[n] = limeKernelWeight(keep.subarray(n * segments, (n + 1) * segments), kernelWidth);
  return { count, segments, keep, weights };
}

/**
 * LIME's image kernel: cosine distance d between the pattern and the all-on pattern, weight sqrt(exp(-d²/w²)).
 * For a binary pattern with k of K segments on, cos = sqrt(k/K).
 */
export function limeKernelWeight(pattern: Uint8Array, kernelWidth: number): number {
  let on = 0;
  for (const value of pattern) on += value;
  const distance = 1 - Math.sqrt(on / pattern.length);
  return Math.sqrt(Math.exp(-(distance * distance) / (kernelWidth * kernelWidth)));
}
