// Sends perturbed copies to the black box in batches and accounts for every query and the time it took.
import type { BlackBox } from '../blackbox/classifier';
import { throwIfCancelled } from '../core/cancellation';
import type { ProgressListener } from '../core/progress';
import type { Samples } from '../perturbation/sampler';
import type { PerturbationSpace } from '../perturbation/scene';

/** How many queries were made and where the time went. */
export interface QueryStats {
  queries: number;
  /** Time spent inside the black box. */
  modelMs: number;
  /** Wall time of the whole query phase, composition of the perturbed copies included. */
  totalMs: number;
}

/** Options of {@link runQueries}. */
export interface QueryOptions {
  batchSize: number;
  /** Values in one model input (pixels x 3 for an image, samples for a waveform). */
  inputLength: number;
  padding?: Uint8Array;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

/**
 * Queries the classifier on `count` images made by `makeImage(i, out)`; returns one probability row per image.
 * The next batch is composed while the black box works on the current one, so composition costs no wall time
 * for black boxes that run off the main thread (onnxruntime, remote servers).
 */
export async function runQueries(
  classifier: BlackBox,
  count: number,
  makeImage: (index: number, out: Float32Array) => void,
  options: QueryOptions,
): Promise<{ rows: Float32Array[]; stats: QueryStats }> {
  const started = performance.now();
  const pixels = options.inputLength;
  const rows: Float32Array[] = new Array(count);
  let modelMs = 0;
  // Two sets of buffers, alternating: batch k+2 is composed into batch k's set only after batch k has answered,
  // and no copy is allocated per query (at 0.5 ms per query, allocation showed in the query phase).
  const buffers = [0, 1].map(() =>
    Array.from({ length: Math.min(count, options.batchSize) }, () => new Float32Array(pixels)),
  );
  const compose = (start: number): Float32Array[] => {
    const end = Math.min(count, start + options.batchSize);
    const images = buffers[(start / options.batchSize) % 2]!.slice(0, end - start);
    for (let i = start; i < end; i++) makeImage(i, images[i - start]!);
    return images;
  };
  let next = count > 0 ? compose(0) : [];
  for (let start = 0; start < count; start += options.batchSize) {
    throwIfCancelled(options.signal);
    const images = next;
    const callStarted = performance.now();
    const pending = classifier.classify({ images, padding: options.padding }, options.signal).then((result) => {
      modelMs += performance.now() - callStarted;
      return result;
    });
    // Composing while the model runs; a rejection is picked up by the await below.
    pending.catch(() => undefined);
    next = start + options.batchSize < count ? compose(start + options.batchSize) : [];
    const result = await pending;
    for (let i = 0; i < result.length; i++) rows[start + i] = result[i]!;
    options.onProgress?.({ type: 'queries', done: Math.min(count, start + options.batchSize), total: count });
  }
  return { rows, stats: { queries: count, modelMs, totalMs: performance.now() - started } };
}

/** Queries the classifier on the scene's copies for every on/off pattern (DAX and LIME share these). */
export function queryPatterns(
  scene: PerturbationSpace,
  classifier: BlackBox,
  samples: Samples,
  options: Omit<QueryOptions, 'padding' | 'inputLength'>,
): Promise<{ rows: Float32Array[]; stats: QueryStats }> {
  return runQueries(
    classifier,
    samples.count,
    (i, out) => scene.compose(samples.keep.subarray(i * samples.segments, (i + 1) * samples.segments), out),
    { ...options, padding: scene.model.padding, inputLength: scene.model.original.length },
  );
}
