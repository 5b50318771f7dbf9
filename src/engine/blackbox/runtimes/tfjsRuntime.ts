// TF.js graph and layers models read from local files, run on the engine's TF.js backend.
import type { GraphModel } from '@tensorflow/tfjs-converter';
import { tf } from '../../tf/runtime';
import { DaxError, firstLine } from '../../core/errors';
import { loadTfjsModel } from '../tfjsFiles';
import type { TensorRuntime } from './tensorRuntime';

export async function openTfjsRuntime(
  file: string,
  inputName: string | undefined,
  outputName: string | undefined,
): Promise<TensorRuntime> {
  const { graph, layers } = await loadTfjsModel(file);
  const release = (): void => {
    graph?.dispose();
    layers?.dispose();
  };
  const inputs = graph ? graph.inputs : layers!.inputs;
  const index = inputName ? inputs.findIndex((i) => i.name === inputName || i.name === `${inputName}:0`) : 0;
  if (index < 0) {
    release();
    throw new DaxError(
      'usage',
      `has no input named "${inputName}"; its inputs are ${inputs.map((i) => i.name).join(', ')}.`,
      file,
    );
  }
  const input = inputs[index]!;
  // Named only where the graph has several inputs or the description names one, as TF.js expects.
  const feedByName = inputs.length > 1 || inputName !== undefined;

  // `execute` where the graph allows it: `executeAsync` on a graph without control flow works but makes TF.js
  // print a warning per call, which would flood the CLI's stderr and the extension's log.
  let needsAsync = false;
  const executeGraph = async (model: GraphModel, named: Parameters<GraphModel['execute']>[0]) => {
    if (!needsAsync) {
      try {
        return outputName ? model.execute(named, outputName) : model.execute(named);
      } catch (error) {
        if (!/executeAsync/.test((error as Error).message)) throw error;
        needsAsync = true;
      }
    }
    return outputName ? model.executeAsync(named, outputName) : model.executeAsync(named);
  };

  return {
    kind: 'tfjs',
    file,
    input: {
      name: input.name,
      shape: (input.shape ?? []).map((d) => (d === null || d === undefined || d < 0 ? -1 : d)),
      dtype: input.dtype,
    },
    output: { name: outputName },
    channels: 'last',
    scoreMaps: true,
    label: `tfjs-${graph ? 'graph' : 'layers'}`,
    async run(data, dims, hint) {
      const tensor = tf.tensor(data, dims, 'float32');
      let output: tf.Tensor | undefined;
      try {
        if (graph) {
          const result = await executeGraph(graph, feedByName ? { [input.name]: tensor } : tensor);
          const list = Array.isArray(result) ? result : [result];
          output = list[0];
          for (const extra of list.slice(1)) extra.dispose();
        } else {
          const result = layers!.predict(tensor);
          output = Array.isArray(result) ? result[0] : result;
        }
        if (!output) throw new Error('the model returned no output');
        return { values: (await output.data()) as Float32Array, dims: [...output.shape] };
      } catch (error) {
        if (error instanceof DaxError) throw error;
        throw new DaxError(
          'model',
          `failed on an input of shape [${dims.join(', ')}] (${firstLine(error)}). ${hint}`,
          file,
          {
            cause: error,
          },
        );
      } finally {
        tensor.dispose();
        output?.dispose();
      }
    },
    async dispose() {
      release();
    },
  };
}
