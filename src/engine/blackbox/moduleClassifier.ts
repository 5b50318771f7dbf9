// The escape hatch: a JavaScript module whose `predict` function is the black box (pipelines, remote APIs).
import { pathToFileURL } from 'node:url';
import { stat } from 'node:fs/promises';
import { DaxError } from '../core/errors';
import { classifyInBatches, type ImageBatch, type ImageClassifier } from './classifier';
import type { ModelConfig } from './modelConfig';
import { toProbabilities } from './tensorLayout';

/** One image as the module receives it: float RGB 0..255, interleaved, at the configured input size. */
export interface ModuleImage {
  width: number;
  height: number;
  data: Float32Array;
}

/**
 * What a `predict` module exports. `predict` gets a batch and returns one row of class scores per image
 * (probabilities, or logits with `"output": {"activation": "softmax"}`).
 */
export interface PredictModule {
  predict(images: ModuleImage[], context: { signal?: AbortSignal }): Promise<ArrayLike<number>[]> | ArrayLike<number>[];
  labels?: string[];
  dispose?(): Promise<void> | void;
}

/** Imports the module and checks that it exports `predict`. */
export async function openModuleClassifier(config: ModelConfig): Promise<ImageClassifier> {
  const file = config.path;
  try {
    await stat(file);
  } catch (error) {
    throw new DaxError('model', `cannot read the predict module (${(error as NodeJS.ErrnoException).code ?? String(error)}).`, file);
  }
  let loaded: Partial<PredictModule> & { default?: Partial<PredictModule> };
  try {
    loaded = (await import(pathToFileURL(file).href)) as typeof loaded;
  } catch (error) {
    throw new DaxError('model', `the predict module failed to load (${(error as Error).message.split('\n')[0]}).`, file, { cause: error });
  }
  const module = typeof loaded.predict === 'function' ? loaded : loaded.default;
  if (!module || typeof module.predict !== 'function') {
    throw new DaxError('model', 'does not export a `predict(images, context)` function.', file);
  }
  const width = config.input.width;
  const height = config.input.height;
  if (width === undefined || height === undefined) {
    throw new DaxError('usage', 'a predict module needs "input.width" and "input.height" in the model configuration.', file);
  }
  const predict = module.predict.bind(module);
  return {
    config,
    width,
    height,
    labels: config.labels ?? module.labels,
    description: `module: ${file}`,
    classify(batch: ImageBatch, signal?: AbortSignal) {
      return classifyInBatches(batch, config.batchSize, signal, async (images) => {
        const chunk = images.map((data) => ({ width, height, data }));
        let answer: ArrayLike<number>[];
        try {
          answer = await predict(chunk, { signal });
        } catch (error) {
          throw new DaxError('model', `predict threw: ${(error as Error)?.message ?? String(error)}`, file, { cause: error });
        }
        if (!Array.isArray(answer) || answer.length !== chunk.length) {
          throw new DaxError('model', `predict returned ${Array.isArray(answer) ? answer.length : typeof answer} rows for ${chunk.length} images; it must return one row of scores per image.`, file);
        }
        const classes = answer[0]?.length ?? 0;
        if (classes === 0 || answer.some((row) => row?.length !== classes)) {
          throw new DaxError('model', 'predict returned rows of different or zero lengths.', file);
        }
        const flat = new Float32Array(chunk.length * classes);
        answer.forEach((row, i) => flat.set(Array.from(row, Number), i * classes));
        return toProbabilities(flat, chunk.length, config.output, file);
      });
    },
    async dispose() {
      await module.dispose?.();
    },
  };
}
