// The escape hatch: a JavaScript module whose `predict` function is the black box (pipelines, remote APIs).
import { pathToFileURL } from 'node:url';
import { stat } from 'node:fs/promises';
import { DaxError } from '../core/errors';
import {
  classifyInBatches,
  type AudioClassifier,
  type BlackBox,
  type ImageBatch,
  type ImageClassifier,
  type OpenOptions,
} from './classifier';
import { requireAudio, spectrogramRows } from './audioWindows';
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
export async function openModuleClassifier(config: ModelConfig, options: OpenOptions = {}): Promise<ImageClassifier> {
  const file = config.path;
  const module = await loadPredictModule<PredictModule>(file, 'images');
  const width = config.input.width;
  const height = config.input.height;
  if (width === undefined || height === undefined) {
    throw new DaxError(
      'usage',
      'a predict module needs "input.width" and "input.height" in the model configuration.',
      file,
    );
  }
  return {
    config,
    width,
    height,
    labels: config.labels ?? module.labels,
    description: `module: ${file}`,
    ...predictCalls(module, 'image', (data) => ({ width, height, data }), config, options),
  };
}

/**
 * `classify` and `dispose` of a predict module: batches of at most `batchSize` inputs, each turned into what the
 * module takes by `toArgument`, every call bounded by the deadline and its answer checked.
 */
function predictCalls<A>(
  module: {
    predict(inputs: A[], context: { signal?: AbortSignal }): Promise<ArrayLike<number>[]> | ArrayLike<number>[];
    dispose?(): Promise<void> | void;
  },
  noun: 'image' | 'clip',
  toArgument: (values: Float32Array, index: number) => A,
  config: ModelConfig,
  options: OpenOptions,
): Pick<BlackBox, 'classify' | 'dispose'> {
  const file = config.path;
  return {
    classify(batch: ImageBatch, signal?: AbortSignal) {
      return classifyInBatches(
        batch,
        config.batchSize,
        signal,
        async (inputs, _padding, callSignal) => {
          const chunk = inputs.map(toArgument);
          return readAnswer(
            () => module.predict(chunk, { signal: callSignal }),
            chunk.length,
            noun,
            config,
            file,
            callSignal,
          );
        },
        { source: file, timeoutMs: options.callTimeoutMs, what: 'predict' },
      );
    },
    async dispose() {
      await module.dispose?.();
    },
  };
}

/** Imports a predict module and checks that it exports `predict` (itself or as its default export's). */
async function loadPredictModule<T extends { predict: unknown }>(file: string, what: 'images' | 'clips'): Promise<T> {
  try {
    await stat(file);
  } catch (error) {
    throw new DaxError(
      'model',
      `cannot read the predict module (${(error as NodeJS.ErrnoException).code ?? String(error)}).`,
      file,
    );
  }
  let loaded: Partial<T> & { default?: Partial<T> };
  try {
    loaded = (await import(pathToFileURL(file).href)) as typeof loaded;
  } catch (error) {
    throw new DaxError(
      'model',
      `the predict module failed to load (${(error as Error).message.split('\n')[0]}).`,
      file,
      { cause: error },
    );
  }
  const module = typeof loaded.predict === 'function' ? loaded : loaded.default;
  if (!module || typeof module.predict !== 'function') {
    throw new DaxError('model', `does not export a \`predict(${what}, context)\` function.`, file);
  }
  return module as T;
}

/**
 * Calls predict and checks its answer: one row per input, all of one non-zero length; then the activation. `signal` is
 * the call's (it fires on cancellation and at the deadline): a predict that honours it stops with an error of its own.
 */
async function readAnswer(
  call: () => Promise<ArrayLike<number>[]> | ArrayLike<number>[],
  count: number,
  noun: 'image' | 'clip',
  config: ModelConfig,
  file: string,
  signal?: AbortSignal,
): Promise<Float32Array[]> {
  let answer: ArrayLike<number>[];
  try {
    answer = await call();
  } catch (error) {
    // A predict that honours the signal stops with its own error when the run is cancelled or the call times out: the
    // reason is the signal's, not a model failure of its own.
    if (signal?.aborted)
      throw signal.reason instanceof DaxError ? signal.reason : new DaxError('cancelled', 'The run was cancelled.');
    throw new DaxError('model', `predict threw: ${(error as Error)?.message ?? String(error)}`, file, { cause: error });
  }
  if (!Array.isArray(answer) || answer.length !== count) {
    throw new DaxError(
      'model',
      `predict returned ${Array.isArray(answer) ? answer.length : typeof answer} rows for ${count} ${noun}s; it must return one row of scores per ${noun}.`,
      file,
    );
  }
  const classes = answer[0]?.length ?? 0;
  if (classes === 0 || answer.some((row) => row?.length !== classes)) {
    throw new DaxError('model', 'predict returned rows of different or zero lengths.', file);
  }
  const flat = new Float32Array(count * classes);
  answer.forEach((row, i) => flat.set(Array.from(row, Number), i * classes));
  return toProbabilities(flat, count, config.output, file);
}

// ---------------------------------------------------------------- audio

/** One clip as an audio predict module receives it (`"audio": {"feature": "waveform"}`): mono samples in [-1, 1]. */
export interface ModuleClip {
  sampleRate: number;
  samples: Float32Array;
}

/**
 * One clip as an audio predict module receives it with `"audio": {"feature": "spectrogram"}`: the
 * `audio.spectrogram` plane, `rows x frames`, row-major, row 0 the lowest frequency (see audio/spectrogram.ts).
 */
export interface ModuleSpectrogram {
  sampleRate: number;
  rows: number;
  frames: number;
  values: Float32Array;
}

/**
 * What an audio predict module exports: `predict` gets a batch of whole clips (at most `batchSize`, all of one
 * length) and returns one row of class scores per clip. Windows, `audio.scale` and `audio.aggregate` are the
 * module's business: it gets the clip as it is, samples in [-1, 1], and does what its model needs. The arrays are
 * the engine's: read them, do not modify them.
 */
export interface AudioPredictModule {
  predict(
    clips: ModuleClip[] | ModuleSpectrogram[],
    context: { signal?: AbortSignal },
  ): Promise<ArrayLike<number>[]> | ArrayLike<number>[];
  labels?: string[];
  dispose?(): Promise<void> | void;
}

/** Imports an audio predict module (the description has an `"audio"` object) and checks that it exports `predict`. */
export async function openAudioModuleClassifier(
  config: ModelConfig,
  options: OpenOptions = {},
): Promise<AudioClassifier> {
  const file = config.path;
  const audio = requireAudio(config);
  const module = await loadPredictModule<AudioPredictModule>(file, 'clips');
  const { sampleRate } = audio;
  const rows = audio.feature === 'spectrogram' ? spectrogramRows(audio.spectrogram) : 1;
  const toClip = (values: Float32Array, i: number): ModuleClip | ModuleSpectrogram => {
    if (audio.feature === 'waveform') return { sampleRate, samples: values };
    if (values.length % rows !== 0)
      throw new DaxError(
        'input',
        `input ${i} has ${values.length} values, which is not a spectrogram plane of ${rows} rows.`,
        file,
      );
    return { sampleRate, rows, frames: values.length / rows, values };
  };
  return {
    config,
    modality: 'audio',
    sampleRate,
    feature: audio.feature,
    labels: config.labels ?? module.labels,
    description: `module: ${file} (${audio.feature} at ${sampleRate} Hz)`,
    ...predictCalls(module, 'clip', toClip, config, options),
  };
}
