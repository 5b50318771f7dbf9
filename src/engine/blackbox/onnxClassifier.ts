// ONNX black boxes through onnxruntime-node: dynamic batch dimensions are used in batches, fixed batch 1 is looped.
import * as ort from 'onnxruntime-node';
import { readFile } from 'node:fs/promises';
import { DaxError } from '../core/errors';
import { classifyInBatches, type ImageBatch, type ImageClassifier, type OpenOptions } from './classifier';
import type { ModelConfig } from './modelConfig';
import { checkClassVector, packImages, toProbabilities } from './tensorLayout';

type Dim = number | string;

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

/** Opens an ONNX model and checks its input against the configuration before any query is made. */
export async function openOnnxClassifier(config: ModelConfig, options: OpenOptions = {}): Promise<ImageClassifier> {
  const file = config.path;
  const session = await createOnnxSession(file);
  const inputName = config.input.name ?? session.inputNames[0];
  if (inputName === undefined || !session.inputNames.includes(inputName)) {
    throw new DaxError(
      'usage',
      `has no input named "${inputName}"; its inputs are ${session.inputNames.join(', ')}.`,
      file,
    );
  }
  const outputName = config.output.name ?? session.outputNames[0]!;
  if (!session.outputNames.includes(outputName)) {
    throw new DaxError(
      'usage',
      `has no output named "${outputName}"; its outputs are ${session.outputNames.join(', ')}.`,
      file,
    );
  }
  // The output's fixed dims are known now (named ones are checked on the first answer).
  const outputMeta = session.outputMetadata.find((m) => m.name === outputName);
  if (outputMeta?.isTensor) checkClassVector(outputMeta.shape, `output "${outputName}"`, file);
  const meta = session.inputMetadata.find((m) => m.name === inputName);
  const shape: Dim[] = meta && meta.isTensor ? [...meta.shape] : [];
  if (meta && meta.isTensor && meta.type !== 'float32') {
    throw new DaxError('model', `input "${inputName}" is ${meta.type}; only float32 image inputs are supported.`, file);
  }
  if (shape.length !== 4) {
    throw new DaxError(
      'model',
      `input "${inputName}" has shape [${shape.join(', ')}]; an image classifier needs a 4-D input.`,
      file,
    );
  }
  const layout = config.input.layout ?? guessLayout(shape);
  const [hAxis, wAxis, cAxis] = layout === 'NCHW' ? [2, 3, 1] : [1, 2, 3];
  const channels = config.input.channels === 'grey' ? 1 : 3;
  const height = resolveSize(shape[hAxis]!, config.input.height, 'height', file);
  const width = resolveSize(shape[wAxis]!, config.input.width, 'width', file);
  const modelChannels = shape[cAxis]!;
  if (typeof modelChannels === 'number' && modelChannels !== channels) {
    throw new DaxError(
      'usage',
      `input "${inputName}" [${shape.join(', ')}] takes ${modelChannels} channel(s) in ${layout} layout, but the configuration ` +
        `gives ${channels} ("input.channels": "${config.input.channels}"). Fix "input.channels" or "input.layout".`,
      file,
    );
  }
  const fixedBatch = typeof shape[0] === 'number' && shape[0] > 0 ? shape[0] : undefined;
  if (fixedBatch !== undefined && fixedBatch !== 1) {
    throw new DaxError(
      'model',
      `input "${inputName}" has a fixed batch of ${fixedBatch}; only 1 or a dynamic batch is supported.`,
      file,
    );
  }
  const batchSize = fixedBatch ?? config.batchSize;
  const description = `onnx: ${inputName} float32[${shape.join(',')}] ${layout} → ${outputName}`;

  const runOnce = async (images: Float32Array[], padding: Uint8Array | undefined): Promise<Float32Array[]> => {
    const data = packImages(images, width, height, config.input, layout, padding);
    const dims =
      layout === 'NCHW' ? [images.length, channels, height, width] : [images.length, height, width, channels];
    let result: ort.InferenceSession.OnnxValueMapType;
    try {
      result = await session.run({ [inputName]: new ort.Tensor('float32', data, dims) }, [outputName]);
    } catch (error) {
      throw new DaxError(
        'model',
        `failed on an input of shape [${dims.join(', ')}] (${firstLine(error)}). Check "input" in the model configuration.`,
        file,
        { cause: error },
      );
    }
    const output = result[outputName] as ort.Tensor;
    checkClassVector(output.dims, `output "${outputName}"`, file);
    const values = output.data as Float32Array;
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
    async dispose() {
      await session.release();
    },
  };
}

function guessLayout(shape: Dim[]): 'NCHW' | 'NHWC' {
  if (shape[1] === 1 || shape[1] === 3) return 'NCHW';
  if (shape[3] === 1 || shape[3] === 3) return 'NHWC';
  return 'NCHW';
}

function resolveSize(dim: Dim, configured: number | undefined, what: string, file: string): number {
  if (typeof dim === 'number' && dim > 0) {
    if (configured !== undefined && configured !== dim) {
      throw new DaxError(
        'usage',
        `takes a fixed input ${what} of ${dim}, but the configuration gives "input.${what}": ${configured}.`,
        file,
      );
    }
    return dim;
  }
  if (configured === undefined) {
    throw new DaxError('usage', `has a dynamic input ${what}; set "input.${what}" in the model configuration.`, file);
  }
  return configured;
}

export function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 300);
}
