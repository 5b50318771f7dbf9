// A tensor runtime runs one model file: float32 data of given dims in, one output tensor out. The image and the
// sound adapters (imageAdapter.ts, audioAdapter.ts) do the packing, batching and windowing over any of them, so a
// new runtime is one file here plus one line in `openTensorRuntime`.
import { DaxError } from '../../core/errors';
import type { ModelConfig } from '../modelConfig';
import type { Dim } from '../tensorLayout';
import { openOnnxRuntime } from './onnxRuntime';
import { openTfjsRuntime } from './tfjsRuntime';

export interface TensorRuntime {
  readonly kind: 'onnx' | 'tfjs';
  readonly file: string;
  /** The input the adapters feed: its name and shape as the runtime reports it (dynamic dims as names or −1). */
  readonly input: { name: string; shape: Dim[]; dtype?: string };
  /** The output read (undefined: the model's first), and its shape where known before any call. */
  readonly output: { name: string | undefined; shape?: Dim[] };
  /** Where a channel axis goes when a shape does not tell: ONNX models put it first, TF.js ones last. */
  readonly channels: 'first' | 'last';
  /**
   * Whether an output of more than [batch, classes] is a score map (a detector's [batch, h, w, classes]) whose
   * per-class maxima are the scores; otherwise it is refused (the TF.js COCO scorer is such a detector).
   */
  readonly scoreMaps: boolean;
  /** For descriptions, e.g. "onnx" or "tfjs-graph". */
  readonly label: string;
  /** One call. `hint` ends the error of a failed call: which part of the description to check. */
  run(data: Float32Array, dims: number[], hint: string): Promise<{ values: Float32Array; dims: number[] }>;
  dispose(): Promise<void>;
}

/** Opens the runtime of a model file (`onnx` or `tfjs`), reading input `inputName` (default: the first). */
export function openTensorRuntime(config: ModelConfig, inputName: string | undefined): Promise<TensorRuntime> {
  switch (config.kind) {
    case 'onnx':
      return openOnnxRuntime(config.path, inputName, config.output.name);
    case 'tfjs':
      return openTfjsRuntime(config.path, inputName, config.output.name);
    default:
      return Promise.reject(new DaxError('usage', `a ${config.kind} model has no tensor runtime.`, config.path));
  }
}
