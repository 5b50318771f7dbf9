// The black-box contract: a function from images to class probabilities, nothing else (no gradients, no internals).
import { throwIfCancelled } from '../core/cancellation';
import type { ModelConfig } from './modelConfig';

/** A batch of images at the classifier's input size, as float RGB in 0..255, interleaved. */
export interface ImageBatch {
  images: Float32Array[];
  /** Pixels that are letterbox padding (1) rather than image (0); they get the configured pad value. */
  padding?: Uint8Array;
}

/** An image classifier that can only be queried. */
export interface ImageClassifier {
  readonly config: ModelConfig;
  /** Input size the images must have. */
  readonly width: number;
  readonly height: number;
  /** Class names, when known. */
  readonly labels?: readonly string[];
  /** A short description for reports, e.g. "onnx: x float32[-1,3,48,192] → softmax_0.tmp_0". */
  readonly description: string;
  /** Probabilities, one row per image; rejects with a DaxError of kind `model` on a failure or non-finite output. */
  classify(batch: ImageBatch, signal?: AbortSignal): Promise<Float32Array[]>;
  dispose(): Promise<void>;
}

/** Splits a batch into calls of at most `batchSize` images, checking for cancellation between calls. */
export async function classifyInBatches(
  batch: ImageBatch,
  batchSize: number,
  signal: AbortSignal | undefined,
  runOnce: (images: Float32Array[], padding: Uint8Array | undefined) => Promise<Float32Array[]>,
): Promise<Float32Array[]> {
  const rows: Float32Array[] = [];
  for (let start = 0; start < batch.images.length; start += batchSize) {
    throwIfCancelled(signal);
    rows.push(...(await runOnce(batch.images.slice(start, start + batchSize), batch.padding)));
  }
  return rows;
}
