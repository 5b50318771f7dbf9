// What the `dax` commands share: exit codes, option parsing helpers, opening the model, Ctrl-C handling.
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { AudioClassifier, ImageClassifier } from '../engine/blackbox/classifier';
import { loadModelConfig } from '../engine/blackbox/modelConfig';
import { openAudioClassifier } from '../engine/blackbox/openAudioClassifier';
import { openClassifier } from '../engine/blackbox/openClassifier';
import { DaxError, asDaxError } from '../engine/core/errors';
import { DEFAULT_FAITHFULNESS_STEPS, type FaithfulnessOptions } from '../engine/metrics/faithfulness';
import { initBackend, type BackendPreference } from '../engine/tf/runtime';

/** Exit codes. */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** Options every command that runs a model accepts (parseArgs declarations). */
export const MODEL_OPTIONS = {
  model: { type: 'string' },
  target: { type: 'string' },
  backend: { type: 'string' },
  'max-pixels': { type: 'string' },
  'model-timeout': { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

/** Options of the commands that run explanation methods (explain, compare). */
export const RUN_OPTIONS = {
  preset: { type: 'string' },
  seed: { type: 'string' },
  out: { type: 'string' },
  'ground-truth': { type: 'string' },
} as const;

/** parseArgs' declarations of options (its own type for them is not exported). */
type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** What a command that runs a model declares: the model's and the measurement's options, and its own. */
type ModelCommandArgs<T extends OptionsConfig> = {
  args: string[];
  allowPositionals: true;
  options: typeof MODEL_OPTIONS & typeof FAITHFULNESS_OPTIONS & T;
};

/**
 * The arguments of a command that runs a model: MODEL_OPTIONS, FAITHFULNESS_OPTIONS and the command's `options`,
 * with positionals. Undefined, after the usage message, when they do not parse (the command exits EXIT.usage).
 */
export function parseModelCommand<T extends OptionsConfig>(
  argv: string[],
  options: T,
): ReturnType<typeof parseArgs<ModelCommandArgs<T>>> | undefined {
  try {
    return parseArgs<ModelCommandArgs<T>>({
      args: argv,
      allowPositionals: true,
      options: { ...MODEL_OPTIONS, ...FAITHFULNESS_OPTIONS, ...options },
    });
  } catch (error) {
    usageError((error as Error).message);
    return undefined;
  }
}

/** How the model is run, from MODEL_OPTIONS' values (`--target` aside: the model's description takes it). */
export interface ModelChoices {
  backend: BackendPreference;
  /** `--max-pixels`: larger images are refused (undefined: the engine's default). */
  maxPixels: number | undefined;
  /** `--model-timeout` in milliseconds (undefined: the default). */
  callTimeoutMs: number | undefined;
}

/** The checked values of `--backend`, `--max-pixels` and `--model-timeout`; a usage DaxError for a bad one. */
export function modelChoices(values: {
  backend?: string;
  'max-pixels'?: string;
  'model-timeout'?: string;
}): ModelChoices {
  return {
    backend: backendOption(values.backend),
    maxPixels: values['max-pixels'] === undefined ? undefined : integerOption('--max-pixels', values['max-pixels'], 1),
    callTimeoutMs: modelTimeoutOption(values['model-timeout']),
  };
}

/** `--model-timeout S` in milliseconds: the deadline of one call into the model (default 120 s). */
export function modelTimeoutOption(text: string | undefined): number | undefined {
  return text === undefined ? undefined : Math.round(numberOption('--model-timeout', text, 0.1) * 1000);
}

/** Options of the deletion/insertion measurement. */
export const FAITHFULNESS_OPTIONS = {
  substrate: { type: 'string' },
  steps: { type: 'string' },
} as const;

export function integerOption(name: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min)
    throw new DaxError('usage', `${name} must be an integer ≥ ${min} (got "${text}").`);
  return value;
}

export function numberOption(name: string, text: string, min = 0): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min)
    throw new DaxError('usage', `${name} must be a number ≥ ${min} (got "${text}").`);
  return value;
}

export function usageError(message: string): number {
  process.stderr.write(`dax: ${message}\nRun "dax --help" for usage.\n`);
  return EXIT.usage;
}

export function backendOption(text: string | undefined): BackendPreference {
  const backend = (text ?? 'auto') as BackendPreference;
  if (!['auto', 'tensorflow', 'wasm', 'cpu'].includes(backend))
    throw new DaxError('usage', `--backend must be auto, tensorflow, wasm or cpu (got "${backend}").`);
  return backend;
}

export function faithfulnessOptions(
  values: { substrate?: string; steps?: string },
  queryBatchSize: number,
): FaithfulnessOptions {
  const substrate = values.substrate ?? 'blur';
  if (substrate !== 'blur' && substrate !== 'zero')
    throw new DaxError('usage', `--substrate must be blur or zero (got "${substrate}").`);
  const steps = values.steps === undefined ? DEFAULT_FAITHFULNESS_STEPS : integerOption('--steps', values.steps, 2);
  return { substrate, steps, queryBatchSize };
}

export function existingFile(option: string, file: string | undefined): void {
  if (file !== undefined && !existsSync(file)) throw new DaxError('input', `${option}: the file does not exist.`, file);
}

/** Loads the model description and opens the black box; TF.js models need the engine's backend up first. */
export async function openModel(
  modelFile: string,
  target: string | undefined,
  choices: ModelChoices,
): Promise<ImageClassifier> {
  const classifier = await openAnyModel(modelFile, target, choices);
  if (classifier.modality === 'audio') {
    await classifier.dispose();
    throw new DaxError(
      'usage',
      'is an audio model; this command measures image explanations only (audio: dax explain <clip> --faithfulness).',
      modelFile,
    );
  }
  return classifier;
}

/** Opens an image or an audio model, whichever the description is (audio descriptions have an "audio" object). */
export async function openAnyModel(
  modelFile: string,
  target: string | undefined,
  { backend, callTimeoutMs }: ModelChoices,
): Promise<ImageClassifier | AudioClassifier> {
  try {
    const config = await loadModelConfig(modelFile, { target });
    await initBackend(backend);
    return config.audio
      ? await openAudioClassifier(config, { callTimeoutMs })
      : await openClassifier(config, { callTimeoutMs });
  } catch (error) {
    throw asDaxError(error, 'model', modelFile);
  }
}

/** An AbortSignal that Ctrl-C and SIGTERM trip while `work` runs. */
export async function withInterrupt<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Creates `dir` if needed and checks that a file can be written in it; a usage error naming the option otherwise. */
export async function checkWritableFolder(option: string, dir: string): Promise<void> {
  const probe = path.join(dir, `.dax-write-check-${process.pid}`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(probe, '');
    await rm(probe, { force: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new DaxError(
      'usage',
      `${option}: cannot write to this folder (${code}); nothing was run. Choose a folder you can write to.`,
      dir,
    );
  }
}

/** Exit code for an error: the user's input or usage → 2, anything else → 1. */
export function exitCodeOf(error: DaxError): number {
  if (error.kind === 'cancelled') return EXIT.interrupted;
  return error.kind === 'input' || error.kind === 'usage' ? EXIT.usage : EXIT.failed;
}

export const seconds = (ms: number): string => (ms / 1000).toFixed(1);
