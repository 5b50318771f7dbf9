// An image classifier over any tensor runtime: the input shape read against the description, images packed in
// the model's layout and normalisation, batches of at most `batchSize`, and class rows out.
import { DaxError } from '../core/errors';
import { classifyInBatches, type ImageBatch, type ImageClassifier, type OpenOptions } from './classifier';
import type { ModelConfig } from './modelConfig';
import { openTensorRuntime, type TensorRuntime } from './runtimes/tensorRuntime';
import { checkClassVector, imageInputAxes, packImages, resolveImageSize, toProbabilities } from './tensorLayout';

const HINT = 'Check "input" in the model configuration.';

/** Opens an ONNX or TF.js image classifier and checks its input against the description before any query. */
export async function openTensorImageClassifier(
  config: ModelConfig,
  options: OpenOptions = {},
): Promise<ImageClassifier> {
  const runtime = await openTensorRuntime(config, config.input.name);
  try {
    return imageClassifier(runtime, config, options);
  } catch (error) {
    await runtime.dispose();
    throw error;
  }
}

function imageClassifier(runtime: TensorRuntime, config: ModelConfig, options: OpenOptions): ImageClassifier {
  const { file } = runtime;
  const { name, shape, dtype } = runtime.input;
  const shown = `input "${name}" [${shape.join(', ')}]`;
  if (dtype !== undefined && dtype !== 'float32')
    throw new DaxError('model', `input "${name}" is ${dtype}; only float32 image inputs are supported.`, file);
  if (shape.length !== 4)
    throw new DaxError(
      'model',
      `input "${name}" has shape [${shape.join(', ')}]; an image classifier needs a 4-D input.`,
      file,
    );
  // The output's fixed dims are known now (named ones are checked on the first answer).
  if (runtime.output.shape && !runtime.scoreMaps)
    checkClassVector(runtime.output.shape, `output "${runtime.output.name}"`, file);
  const axes = imageInputAxes(shape, config.input.layout);
  const { layout } = axes;
  const channels = config.input.channels === 'grey' ? 1 : 3;
  const height = resolveImageSize(axes.height, config.input.height, 'height', file);
  const width = resolveImageSize(axes.width, config.input.width, 'width', file);
  if (axes.channels !== undefined && axes.channels !== channels) {
    throw new DaxError(
      'usage',
      `${shown} takes ${axes.channels} channel(s) in ${layout} layout, but the configuration gives ${channels} ` +
        `("input.channels": "${config.input.channels}"). Fix "input.channels" or "input.layout".`,
      file,
    );
  }
  if (axes.batch !== undefined && axes.batch !== 1)
    throw new DaxError(
      'model',
      `input "${name}" has a fixed batch of ${axes.batch}; only 1 or a dynamic batch is supported.`,
      file,
    );
  const batchSize = axes.batch ?? config.batchSize;
  const output = runtime.output.name;
  const description = `${runtime.label}: ${name} float32[${shape.join(',')}] ${layout}${output ? ` → ${output}` : ''}`;

  const runOnce = async (images: Float32Array[], padding: Uint8Array | undefined): Promise<Float32Array[]> => {
    const data = packImages(images, width, height, config.input, layout, padding);
    const dims =
      layout === 'NCHW' ? [images.length, channels, height, width] : [images.length, height, width, channels];
    const answer = await runtime.run(data, dims, HINT);
    const values = runtime.scoreMaps ? perClassMaxima(answer.values, answer.dims) : answer.values;
    if (!runtime.scoreMaps) checkClassVector(answer.dims, `output "${output}"`, file);
    return toProbabilities(values, images.length, config.output, file);
  };

  return {
    config,
    width,
    height,
    labels: config.labels,
    description,
    classify(batch: ImageBatch, signal?: AbortSignal) {
      return classifyInBatches(batch, batchSize, signal, runOnce, { source: file, timeoutMs: options.callTimeoutMs });
    },
    dispose: () => runtime.dispose(),
  };
}

/** A score map [batch, …, classes] as one row per input: each class's highest score anywhere in the map. */
function perClassMaxima(values: Float32Array, dims: readonly number[]): Float32Array {
  if (dims.length <= 2) return values;
  const batch = dims[0]!;
  const classes = dims[dims.length - 1]!;
  const cells = values.length / (batch * classes);
  const out = new Float32Array(batch * classes).fill(-Infinity);
  for (let n = 0; n < batch; n++) {
    for (let cell = 0; cell < cells; cell++) {
      const from = (n * cells + cell) * classes;
      for (let c = 0; c < classes; c++) {
        const v = values[from + c]!;
        // NaN propagates, so a model that answers NaN is still caught by toProbabilities.
        if (v > out[n * classes + c]! || Number.isNaN(v)) out[n * classes + c] = v;
      }
    }
  }
  return out;
}
