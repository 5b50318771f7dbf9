// ONNX model files through onnxruntime-node.
import * as ort from 'onnxruntime-node';
import { readFile } from 'node:fs/promises';
import { DaxError, firstLine } from '../../core/errors';
import type { Dim } from '../tensorLayout';
import type { TensorRuntime } from './tensorRuntime';

/** An onnxruntime session for a model file; a file that is missing, empty or not ONNX is a `model` error naming it. */
export async function createOnnxSession(file: string): Promise<ort.InferenceSession> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new DaxError(
      'model',
      `cannot read the model (${(error as NodeJS.ErrnoException).code ?? String(error)}).`,
      file,
    );
  }
  if (bytes.length === 0) throw new DaxError('model', 'the model file is empty (0 bytes).', file);
  try {
    return await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all', intraOpNumThreads: 0 });
  } catch (error) {
    throw new DaxError('model', `is not an ONNX model that onnxruntime can load (${firstLine(error)}).`, file, {
      cause: error,
    });
  }
}

export async function openOnnxRuntime(
  file: string,
  inputName: string | undefined,
  outputName: string | undefined,
): Promise<TensorRuntime> {
  const session = await createOnnxSession(file);
  try {
    const input = inputName ?? session.inputNames[0];
    if (input === undefined || !session.inputNames.includes(input)) {
      throw new DaxError(
        'usage',
        `has no input named "${input}"; its inputs are ${session.inputNames.join(', ')}.`,
        file,
      );
    }
    const output = outputName ?? session.outputNames[0]!;
    if (!session.outputNames.includes(output)) {
      throw new DaxError(
        'usage',
        `has no output named "${output}"; its outputs are ${session.outputNames.join(', ')}.`,
        file,
      );
    }
    const inputMeta = session.inputMetadata.find((m) => m.name === input);
    const outputMeta = session.outputMetadata.find((m) => m.name === output);
    return {
      kind: 'onnx',
      file,
      input: {
        name: input,
        shape: inputMeta?.isTensor ? [...inputMeta.shape] : [],
        dtype: inputMeta ? (inputMeta.isTensor ? inputMeta.type : 'not a tensor') : undefined,
      },
      output: { name: output, shape: outputMeta?.isTensor ? ([...outputMeta.shape] as Dim[]) : undefined },
      channels: 'first',
      scoreMaps: false,
      label: 'onnx',
      async run(data, dims, hint) {
        let result: ort.InferenceSession.OnnxValueMapType;
        try {
          result = await session.run({ [input]: new ort.Tensor('float32', data, dims) }, [output]);
        } catch (error) {
          throw new DaxError(
            'model',
            `failed on an input of shape [${dims.join(', ')}] (${firstLine(error)}). ${hint}`,
            file,
            { cause: error },
          );
        }
        const tensor = result[output] as ort.Tensor;
        return { values: tensor.data as Float32Array, dims: [...tensor.dims] };
      },
      async dispose() {
        await session.release();
      },
    };
  } catch (error) {
    await session.release();
    throw error;
  }
}
