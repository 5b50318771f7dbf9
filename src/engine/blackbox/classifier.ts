// The black-box contract: a function from inputs to class probabilities, nothing else (no gradients, no
// internals). The explanation methods see only `BlackBox`; images and audio differ in what one input is.
import { throwIfCancelled } from '../core/cancellation';
import { DaxError } from '../core/errors';
import { callModel } from '../core/modelCalls';
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

/** How a black box is opened, whatever its kind. */
export interface OpenOptions {
  /** Deadline of one call into the model (one predict, one session run) in ms; default DEFAULT_MODEL_TIMEOUT_MS. */
  callTimeoutMs?: number;
}

/** What bounds the calls of one black box (see callModel). */
export interface CallLimits {
  /** The model, named in errors. */
  source: string;
  timeoutMs?: number;
  /** What is called, for the timeout message. */
  what?: string;
}

/**
 * Splits a batch into calls of at most `batchSize` images, checking for cancellation between calls; each call is raced
 * against the signal and the deadline (callModel) and gets a signal that fires on either.
 */
export async function classifyInBatches(
  batch: ImageBatch,
  batchSize: number,
  signal: AbortSignal | undefined,
  runOnce: (images: Float32Array[], padding: Uint8Array | undefined, signal: AbortSignal) => Promise<Float32Array[]>,
  limits: CallLimits,
): Promise<Float32Array[]> {
  const rows: Float32Array[] = [];
  for (let start = 0; start < batch.images.length; start += batchSize) {
    throwIfCancelled(signal);
    const images = batch.images.slice(start, start + batchSize);
    rows.push(
      ...(await callModel((callSignal) => runOnce(images, batch.padding, callSignal), {
        ...limits,
        signal,
        inputs: images.length,
      })),
    );
  }
  return rows;
}

/** Float error allowed past 0 and 1 in an answer (a softmax computed in float16, say); it is clamped away. */
const UNIT_SLACK = 1e-4;
const CHECKED = Symbol('probabilities checked');

/**
 * The black box whose every answer is checked to be probabilities, each value in [0, 1] (they need not sum to 1: a
 * detector's per-class maxima do not). An explanation reports these values as p and teaches them to its student, so
 * raw scores kept by `"activation": "none"` (5 and −3, say) are refused with what to set instead. The adapters
 * themselves keep such values: tests read probe models through them.
 */
export function checkingProbabilities<T extends BlackBox>(blackBox: T): T {
  if ((blackBox as { [CHECKED]?: true })[CHECKED]) return blackBox;
  const source = blackBox.config.path;
  const classify = async (batch: ImageBatch, signal?: AbortSignal): Promise<Float32Array[]> => {
    const rows = await blackBox.classify(batch, signal);
    for (const row of rows) {
      for (let i = 0; i < row.length; i++) {
        const value = row[i]!;
        if (value >= 0 && value <= 1) continue;
        if (!(value >= -UNIT_SLACK && value <= 1 + UNIT_SLACK)) {
          throw new DaxError(
            'model',
            `returned ${value} for class ${i}, outside [0, 1], with "output.activation": "${blackBox.config.output.activation}". ` +
              'Its answers are read as probabilities: if the model returns logits or raw scores, set "output.activation" to ' +
              '"softmax" (exclusive classes), "sigmoid" (independent scores) or "auto".',
            source,
          );
        }
        row[i] = Math.min(1, Math.max(0, value));
      }
    }
    return rows;
  };
  // Everything else is the black box's own (read through the prototype, so live values stay live).
  return Object.create(blackBox, { classify: { value: classify }, [CHECKED]: { value: true } }) as T;
}
