// TF.js graph and layers sound classifiers, read from local files, run on the engine's TF.js backend; windows,
// batching and aggregation as for ONNX (onnxAudioClassifier.ts).
import type { GraphModel } from '@tensorflow/tfjs-converter';
import { tf } from '../tf/runtime';
import { DaxError } from '../core/errors';
import type { AudioClassifier, ImageBatch, OpenOptions } from './classifier';
import type { ModelConfig } from './modelConfig';
import { audioInputLayout, classifyWindows, type RunWindows } from './onnxAudioClassifier';
import { toProbabilities } from './tensorLayout';
import { loadTfjsModel } from './tfjsFiles';

/**
 * Opens a TF.js `model.json` (graph or layers) whose description has an `"audio"` object. Inputs as for ONNX,
 * channels last where the shape does not tell: [batch, samples], [batch, samples, 1], [batch, rows, frames, 1].
 */
export async function openTfjsAudioClassifier(
  config: ModelConfig,
  options: OpenOptions = {},
): Promise<AudioClassifier> {
  const file = config.path;
  const audio = config.audio;
  if (!audio)
    throw new DaxError(
      'usage',
      'describes an image model; an audio model needs an "audio" object in its description.',
      file,
    );
  const { graph, layers } = await loadTfjsModel(file);
  const isGraph = graph !== undefined;
  const dispose = () => {
    graph?.dispose();
    layers?.dispose();
  };
  try {
    const inputs = graph ? graph.inputs : layers!.inputs;
    const inputIndex = audio.name ? inputs.findIndex((i) => i.name === audio.name || i.name === `${audio.name}:0`) : 0;
    if (inputIndex < 0)
      throw new DaxError(
        'usage',
        `has no input named "${audio.name}"; its inputs are ${inputs.map((i) => i.name).join(', ')}.`,
        file,
      );
    const input = inputs[inputIndex]!;
    if (input.dtype !== undefined && input.dtype !== 'float32') {
      throw new DaxError(
        'model',
        `input "${input.name}" is ${input.dtype}; only float32 audio inputs are supported.`,
        file,
      );
    }
    const shape = (input.shape ?? []).map((d) => (d === null || d === undefined || d < 0 ? -1 : d));
    const layout = audioInputLayout(shape, audio, `input "${input.name}"`, file, 'last');
    const batchSize = layout.batched ? config.batchSize : 1;
    const outputName = config.output.name;
    const description = `tfjs-${isGraph ? 'graph' : 'layers'}: [${shape.join(',')}] ${layout.text}${outputName ? ` → ${outputName}` : ''}`;

    // `execute` where the graph allows it (see tfjsClassifier.ts: `executeAsync` warns on every call).
    let needsAsync = false;
    const executeGraph = async (
      model: GraphModel,
      named: Parameters<GraphModel['execute']>[0],
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

    const run: RunWindows = async (data, count, span) => {
      const dims = layout.dims(count, span);
      const tensor = tf.tensor(data, dims, 'float32');
      let output: tf.Tensor | undefined;
      try {
        if (graph) {
          const named = inputs.length > 1 || audio.name ? { [input.name]: tensor } : tensor;
          const result = await executeGraph(graph, named, outputName);
          const list = Array.isArray(result) ? result : [result];
          output = list[0];
          for (const extra of list.slice(1)) extra.dispose();
        } else {
          const result = layers!.predict(tensor);
          output = Array.isArray(result) ? result[0] : result;
        }
        if (!output) throw new Error('the model returned no output');
        if (output.shape.slice(1, -1).some((d) => d !== 1)) {
          throw new DaxError(
            'model',
            `its output has shape [${output.shape.join(', ')}]; an audio classifier must give one row of class scores per window, [batch, classes]. ` +
              'Set "output.name" to its clip-level output, or wrap it in a predict module.',
            file,
          );
        }
        return toProbabilities(await output.data(), count, config.output, file);
      } catch (error) {
        if (error instanceof DaxError) throw error;
        throw new DaxError(
          'model',
          `failed on an input of shape [${dims.join(', ')}] (${(error as Error).message.split('\n')[0]}). Check "audio" in the model configuration.`,
          file,
          { cause: error },
        );
      } finally {
        tensor.dispose();
        output?.dispose();
      }
    };

    return {
      config,
      modality: 'audio',
      sampleRate: audio.sampleRate,
      feature: audio.feature,
      labels: config.labels,
      description,
      classify(batch: ImageBatch, signal?: AbortSignal) {
        return classifyWindows(batch.images, layout.framing, batchSize, signal, file, run, {
          source: file,
          timeoutMs: options.callTimeoutMs,
        });
      },
      async dispose() {
        dispose();
      },
    };
  } catch (error) {
    dispose();
    throw error;
  }
}
