// The black-box contract: a function from inputs to class probabilities, nothing else (no gradients, no
// internals). The explanation methods see only `BlackBox`; images and audio differ in what one input is.
import { throwIfCancelled } from '../core/cancellation';
import type { ModelConfig } from './modelConfig';

/**
 * A batch of model inputs, each one flat array: for an image classifier, float RGB 0..255 interleaved at its
 * input size; for an audio classifier, the mono waveform at its sample rate (or the spectrogram plane, for
 * models whose `audio.feature` is `spectrogram`).
 */
export interface ImageBatch {
  images: Float32Array[];
  /** Pixels that are letterbox padding (1) rather than image (0); they get the configured pad value. */
  padding?: Uint8Array;
}

/** What every black box offers, whatever its inputs are. */
export interface BlackBox {
  readonly config: ModelConfig;
  /** Class names, when known. */
  readonly labels?: readonly string[];
  /** A short description for reports, e.g. "onnx: x float32[-1,3,48,192] → softmax_0.tmp_0". */
  readonly description: string;
  /** Probabilities, one row per input; rejects with a DaxError of kind `model` on a failure or non-finite output. */
  classify(batch: ImageBatch, signal?: AbortSignal): Promise<Float32Array[]>;
  dispose(): Promise<void>;
}

/** An image classifier that can only be queried. */
export interface ImageClassifier extends BlackBox {
  readonly modality?: 'image';
  /** Input size the images must have. */
  readonly width: number;
  readonly height: number;
}

/**
 * A sound classifier that can only be queried: each input of a batch is one clip, mono, at `sampleRate`, all
 * clips of a batch the same length (a perturbed copy keeps the input's length). How a model that takes fixed
 * windows sees a longer clip (sliding windows, max or mean) is the classifier's business, set by `config.audio`.
 */
export interface AudioClassifier extends BlackBox {
  readonly modality: 'audio';
  readonly sampleRate: number;
  /** `waveform`: inputs are samples; `spectrogram`: inputs are `config.audio.spectrogram` planes (rows x frames). */
  readonly feature: 'waveform' | 'spectrogram';
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
