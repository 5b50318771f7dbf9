// TF.js graph and layers models as black boxes, read from local files, run on the engine's TF.js backend.
import { tf } from '../tf/runtime';
import { DaxError } from '../core/errors';
import { classifyInBatches, type ImageBatch, type ImageClassifier, type OpenOptions } from './classifier';
import type { ModelConfig } from './modelConfig';
import { packImages, toProbabilities } from './tensorLayout';
import { loadTfjsModel } from './tfjsFiles';

/** Opens a TF.js `model.json` (graph or layers format, told apart by its topology). */
export async function openTfjsClassifier(config: ModelConfig, options: OpenOptions = {}): Promise<ImageClassifier> {
  const file = config.path;
  const { graph, layers } = await loadTfjsModel(file);
  const isGraph = graph !== undefined;
  const inputs = graph ? graph.inputs : layers!.inputs;
  const inputIndex = config.input.name
    ? inputs.findIndex((i) => i.name === config.input.name || i.name === `${config.input.name}:0`)
    : 0;
  if (inputIndex < 0)
    throw new DaxError(
      'usage',
      `has no input named "${config.input.name}"; its inputs are ${inputs.map((i) => i.name).join(', ')}.`,
      file,
    );
  const shape = (inputs[inputIndex]!.shape ?? []).map((d) => (d === null || d === undefined || d < 0 ? -1 : d));
  if (shape.length !== 4)
    throw new DaxError('model', `input has shape [${shape.join(', ')}]; an image classifier needs a 4-D input.`, file);
  const layout = config.input.layout ?? (shape[1] === 1 || shape[1] === 3 ? 'NCHW' : 'NHWC');
  const [hAxis, wAxis, cAxis] = layout === 'NCHW' ? [2, 3, 1] : [1, 2, 3];
  const channels = config.input.channels === 'grey' ? 1 : 3;
  const fixed = (axis: number): number | undefined => (shape[axis]! > 0 ? shape[axis] : undefined);
  const size = (axis: number, configured: number | undefined, what: string): number => {
    const dim = fixed(axis);
    if (dim !== undefined && configured !== undefined && dim !== configured) {
      throw new DaxError(
        'usage',
        `takes a fixed input ${what} of ${dim}, but the configuration gives "input.${what}": ${configured}.`,
        file,
      );
    }
    const value = dim ?? configured;
    if (value === undefined)
      throw new DaxError('usage', `has a dynamic input ${what}; set "input.${what}" in the model configuration.`, file);
    return value;
  };
  const height = size(hAxis, config.input.height, 'height');
  const width = size(wAxis, config.input.width, 'width');
  const modelChannels = fixed(cAxis);
  if (modelChannels !== undefined && modelChannels !== channels) {
    throw new DaxError(
      'usage',
      `input [${shape.join(', ')}] takes ${modelChannels} channel(s) in ${layout} layout, but the configuration gives ${channels} ("input.channels": "${config.input.channels}").`,
      file,
    );
  }
  const batchDim = fixed(0);
  const batchSize = batchDim === 1 ? 1 : config.batchSize;
  const outputName = config.output.name;
  const description = `tfjs-${isGraph ? 'graph' : 'layers'}: [${shape.join(',')}] ${layout}${outputName ? ` → ${outputName}` : ''}`;

  // `execute` where the graph allows it: `executeAsync` on a graph without control flow works but makes TF.js
  // print a warning per call, which would flood the CLI's stderr and the extension's log.
  let needsAsync = false;
  const executeGraph = async (
    model: NonNullable<typeof graph>,
    named: Parameters<NonNullable<typeof graph>['execute']>[0],
    name: string | undefined,
  ) => {
    if (!needsAsync) {
      try {
        return name ? model.execute(named, name) : model.execute(named);
      } catch (error) {
        if (!/executeAsync/.test((error as Error).message)) throw error;
        needsAsync = true;
      }
    }
    return name ? model.executeAsync(named, name) : model.executeAsync(named);
  };

  const runOnce = async (images: Float32Array[], padding: Uint8Array | undefined): Promise<Float32Array[]> => {
    const data = packImages(images, width, height, config.input, layout, padding);
    const dims: [number, number, number, number] =
      layout === 'NCHW' ? [images.length, channels, height, width] : [images.length, height, width, channels];
    const input = tf.tensor4d(data, dims);
    let output: tf.Tensor | undefined;
    try {
      if (graph) {
        const named = inputs.length > 1 || config.input.name ? { [inputs[inputIndex]!.name]: input } : input;
        const result = await executeGraph(graph, named, outputName);
        const list = Array.isArray(result) ? result : [result];
        output = list[0];
        for (const extra of list.slice(1)) extra.dispose();
      } else {
        const result = layers!.predict(input);
        output = Array.isArray(result) ? result[0] : result;
      }
      if (!output) throw new Error('the model returned no output');
      // Score maps such as [N, h, w, classes] become per-class maxima, so detectors can act as image scorers.
      const rows =
        output.rank > 2
          ? tf.tidy(() => tf.max(tf.reshape(output!, [output!.shape[0]!, -1, output!.shape[output!.rank - 1]!]), 1))
          : output;
      const values = await rows.data();
      if (rows !== output) rows.dispose();
      return toProbabilities(values as Float32Array, images.length, config.output, file);
    } catch (error) {
      if (error instanceof DaxError) throw error;
      throw new DaxError(
        'model',
        `failed on an input of shape [${dims.join(', ')}] (${(error as Error).message.split('\n')[0]}). Check "input" in the model configuration.`,
        file,
        { cause: error },
      );
    } finally {
      input.dispose();
      output?.dispose();
    }
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
    async dispose() {
      graph?.dispose();
      layers?.dispose();
    },
  };
}
