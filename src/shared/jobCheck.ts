// Every field of an explanation job checked in one place, whoever made the job: the extension's settings (workspace
// values are not to be trusted), a stored result that is run again, a panel message, the worker receiving it, the CLI's
// options. A value that is not what the field takes is refused with a message that names the setting (or option) and
// what it takes, instead of failing later inside the engine ("Cannot read properties of undefined").
import type { ExplainJob, PanelToHost } from './protocol';
import { METHOD_NAMES } from './methods';
import { PRESET_NAMES } from './presets';

export { METHOD_NAMES, PRESET_NAMES };

export const BACKEND_NAMES = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;

/** Bounds of the numbers a job may carry: wide enough for any real run, narrow enough that no value stalls one. */
export const JOB_LIMITS = {
  samples: { min: 2, max: 1_000_000 },
  epochs: { min: 1, max: 10_000 },
  lambda: { min: 0, max: 1e6 },
  seed: { min: 0, max: 2 ** 32 - 1 },
  classIndex: { min: 0, max: 1_000_000 },
} as const;

/** A job field that is not what it should be; `field` is the job's key. */
export class JobFieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** Names the fields as the user knows them: the VS Code settings behind them. */
export const SETTING_NAMES: Record<string, string> = {
  method: 'dax.method',
  preset: 'dax.preset',
  samples: 'dax.samples',
  epochs: 'dax.epochs',
  lambda1: 'dax.lambda1',
  lambda2: 'dax.lambda2',
  seed: 'dax.seed',
  backend: 'dax.trainingBackend',
};

const shown = (value: unknown): string => {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
};

/** `value` when it is one of `allowed`; else a JobFieldError: `<name> must be a, b or c (got "x").` */
export function checkChoice<T extends string>(field: string, name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  const list =
    allowed.length > 1 ? `${allowed.slice(0, -1).join(', ')} or ${allowed[allowed.length - 1]}` : allowed.join('');
  throw new JobFieldError(field, `${name} must be ${list} (got "${shown(value)}").`);
}

/** An integer in [min, max], or a JobFieldError naming the bounds. */
export function checkInteger(field: string, name: string, value: unknown, min: number, max: number): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  throw new JobFieldError(field, `${name} must be an integer from ${min} to ${max} (got "${shown(value)}").`);
}

/** A finite number in [min, max], or a JobFieldError naming the bounds. */
export function checkNumber(field: string, name: string, value: unknown, min: number, max: number): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max) return value;
  throw new JobFieldError(field, `${name} must be a number from ${min} to ${max} (got "${shown(value)}").`);
}

/**
 * The job, every field it knows checked; throws a JobFieldError naming the first bad one as
 * `names[field]` (the VS Code setting by default) or the field itself.
 */
export function checkExplainJob(raw: unknown, names: Record<string, string> = SETTING_NAMES): ExplainJob {
  const name = (field: string): string => names[field] ?? field;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new JobFieldError('job', 'the job is not an object.');
  const job = raw as Record<string, unknown>;
  const text = (field: string): string => {
    const value = job[field];
    if (typeof value !== 'string' || value === '' || value.includes('\0'))
      throw new JobFieldError(field, `${name(field)} must be a non-empty path (got "${shown(value)}").`);
    return value;
  };
  const optional = <T>(field: string, check: (value: unknown) => T): T | undefined =>
    job[field] === undefined || job[field] === null ? undefined : check(job[field]);
  const model = job.model;
  if (
    !(typeof model === 'string' && model !== '') &&
    !(typeof model === 'object' && model !== null && !Array.isArray(model))
  ) {
    throw new JobFieldError('model', `the model must be a description (an object) or a file (got "${shown(model)}").`);
  }
  const target = job.target;
  if (
    target !== undefined &&
    !(typeof target === 'string' && target.length <= 1000) &&
    !(typeof target === 'number' && Number.isInteger(target) && target >= 0)
  ) {
    throw new JobFieldError(
      'target',
      `the class to explain must be a class index or a label (got "${shown(target)}").`,
    );
  }
  if (job.faithfulness !== undefined && typeof job.faithfulness !== 'boolean')
    throw new JobFieldError('faithfulness', `faithfulness must be true or false (got "${shown(job.faithfulness)}").`);
  const checked: ExplainJob = {
    inputFile: text('inputFile'),
    model: model as ExplainJob['model'],
    modelBaseDir: text('modelBaseDir'),
    method: checkChoice('method', name('method'), job.method, METHOD_NAMES),
    preset: checkChoice('preset', name('preset'), job.preset, PRESET_NAMES),
    samples: optional('samples', (v) =>
      checkInteger('samples', name('samples'), v, JOB_LIMITS.samples.min, JOB_LIMITS.samples.max),
    ),
    epochs: optional('epochs', (v) =>
      checkInteger('epochs', name('epochs'), v, JOB_LIMITS.epochs.min, JOB_LIMITS.epochs.max),
    ),
    lambda1: optional('lambda1', (v) =>
      checkNumber('lambda1', name('lambda1'), v, JOB_LIMITS.lambda.min, JOB_LIMITS.lambda.max),
    ),
    lambda2: optional('lambda2', (v) =>
      checkNumber('lambda2', name('lambda2'), v, JOB_LIMITS.lambda.min, JOB_LIMITS.lambda.max),
    ),
    seed: checkInteger('seed', name('seed'), job.seed ?? 0, JOB_LIMITS.seed.min, JOB_LIMITS.seed.max),
    target: target as ExplainJob['target'],
    backend: checkChoice('backend', name('backend'), job.backend ?? 'auto', BACKEND_NAMES),
    outDir: typeof job.outDir === 'string' ? job.outDir : '',
    faithfulness: job.faithfulness as boolean | undefined,
  };
  for (const key of Object.keys(checked) as (keyof ExplainJob)[]) if (checked[key] === undefined) delete checked[key];
  // Fields this check does not know yet go through as they are; the ones it knows are the checked values.
  return { ...(job as Partial<ExplainJob>), ...checked };
}

/** A result's key as the extension makes them (32 hex digits); anything else a panel sends is refused. */
export function isRunKey(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{32}$/.test(value);
}

const EXPORT_KINDS = ['overlay', 'saliency', 'mask', 'kept', 'removed', 'report'];

/**
 * A message from the panel when it is one the host understands, with fields of the right kinds (a result key of 32 hex
 * digits, a class index, an export kind); undefined otherwise. The webview's content is not trusted: a key goes
 * into a path, so a "../.." key must never get that far.
 */
/** Longest base64 PNG a View export may carry (a 1024 × 1024 RGBA drawing compresses far below it). */
const MAX_VIEW_PNG_CHARS = 16 * 1024 * 1024;

export function checkPanelCommand(message: unknown): PanelToHost | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const m = message as Record<string, unknown>;
  switch (m.type) {
    case 'panel/readyCommand':
    case 'panel/cancelCommand':
    case 'panel/dismissErrorCommand':
    case 'panel/exportFolderCommand':
    case 'panel/comparisonGroundTruthCommand':
      return { type: m.type };
    case 'panel/selectRunCommand':
    case 'panel/rerunCommand':
    case 'panel/groundTruthCommand':
      return isRunKey(m.key) ? { type: m.type, key: m.key } : undefined;
    case 'panel/explainClassCommand':
      return isRunKey(m.key) &&
        typeof m.classIndex === 'number' &&
        Number.isInteger(m.classIndex) &&
        m.classIndex >= 0 &&
        m.classIndex <= JOB_LIMITS.classIndex.max
        ? { type: m.type, key: m.key, classIndex: m.classIndex }
        : undefined;
    case 'panel/exportCommand':
      return isRunKey(m.key) && typeof m.what === 'string' && EXPORT_KINDS.includes(m.what)
        ? { type: m.type, key: m.key, what: m.what as Extract<PanelToHost, { type: 'panel/exportCommand' }>['what'] }
        : undefined;
    case 'panel/exportViewCommand':
      // A display-size PNG is well under a few megabytes; anything larger is not one the panel drew.
      return isRunKey(m.key) &&
        typeof m.png === 'string' &&
        m.png.length > 0 &&
        m.png.length <= MAX_VIEW_PNG_CHARS &&
        typeof m.shown === 'string'
        ? { type: m.type, key: m.key, png: m.png, shown: m.shown.slice(0, 200) }
        : undefined;
    case 'panel/runCommandCommand':
      return typeof m.command === 'string' ? ({ type: m.type, command: m.command } as PanelToHost) : undefined;
    default:
      return undefined;
  }
}
