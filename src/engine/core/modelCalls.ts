// Every call into a black box is raced against the run's signal and a per-call deadline, so that a model that never
// answers (a promise that never settles, a server that never replies) ends in a clear error, and Cancel or Ctrl-C
// takes effect at once even while the model is still "thinking". The model itself may keep running in the
// background: the caller stops waiting, and the front ends decide what to do with the process (the CLI exits, the
// VS Code host kills a worker that does not answer a Cancel).
import { throwIfCancelled, yieldToEventLoop } from './cancellation';
import { DaxError, firstLine } from './errors';

/** The longest one model call may take by default (one predict, one session run, one batch of windows). */
export const DEFAULT_MODEL_TIMEOUT_MS = 120_000;

/** How one model call is bounded. */
export interface ModelCallOptions {
  /** The run's signal: aborting it rejects the call at once with a `cancelled` error. */
  signal?: AbortSignal;
  /** Deadline of the call in milliseconds (default DEFAULT_MODEL_TIMEOUT_MS). */
  timeoutMs?: number;
  /** The model's file or description, named in errors. */
  source: string;
  /** What was called, for the timeout message ("predict", "the model"). */
  what?: string;
  /** How many inputs the call carries, for the timeout message. */
  inputs?: number;
}

/** Calls in flight: how to fail each one, and the model it is a call of. */
const inFlight = new Map<(error: DaxError) => void, string>();

/** Calls into models that have not settled yet. */
export function modelCallsInFlight(): number {
  return inFlight.size;
}

/**
 * Runs `call` (given a signal that fires on cancellation or at the deadline, for models that honour one) and resolves
 * with its answer, or rejects with a `cancelled` DaxError when the run's signal fires or a `model` DaxError at the
 * deadline, whichever comes first. Before the call, one turn of the event loop lets a Ctrl-C that arrived during the
 * previous call (a busy model that blocks the thread) be seen.
 */
export async function callModel<T>(
  call: (signal: AbortSignal) => Promise<T> | T,
  options: ModelCallOptions,
): Promise<T> {
  const { signal, source } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_MODEL_TIMEOUT_MS;
  await yieldToEventLoop();
  throwIfCancelled(signal);
  const controller = new AbortController();
  let fail!: (error: DaxError) => void;
  const stopped = new Promise<never>((_resolve, reject) => {
    fail = (error) => {
      controller.abort(error);
      reject(error);
    };
  });
  const onAbort = (): void => fail(new DaxError('cancelled', 'The run was cancelled.'));
  signal?.addEventListener('abort', onAbort, { once: true });
  // A timer the event loop waits for: a model whose promise never settles cannot let the process drain and end as
  // if the run were done.
  const timer = setTimeout(() => fail(timeoutError(options, timeoutMs)), timeoutMs);
  inFlight.set(fail, source);
  try {
    return await Promise.race([Promise.resolve().then(() => call(controller.signal)), stopped]);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    inFlight.delete(fail);
  }
}

function timeoutError(options: ModelCallOptions, timeoutMs: number): DaxError {
  const what = options.what ?? 'the model';
  const inputs = options.inputs === undefined ? '' : ` on ${options.inputs} input${options.inputs === 1 ? '' : 's'}`;
  return new DaxError(
    'model',
    `${what} did not answer within ${formatSeconds(timeoutMs)}${inputs}: it may be stuck. A model that is only slow needs a longer limit ` +
      '(dax --model-timeout SECONDS, or the "dax.modelTimeoutSeconds" setting) or a smaller "batchSize".',
    options.source,
  );
}

function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}

/**
 * Fails every model call in flight with a `model` error for `error`, an exception that escaped the model's own promise
 * (thrown in a timer or a callback of a predict module): it would otherwise end the process with a raw stack. Returns
 * whether there was a call to blame; with none, the error is not the model's and the caller handles it as before.
 */
export function failModelCallsInFlight(error: unknown): boolean {
  if (inFlight.size === 0) return false;
  const message = firstLine(error);
  for (const [fail, source] of [...inFlight]) {
    fail(
      new DaxError(
        'model',
        `threw outside its answer (in a timer or a callback, while answering): ${message}`,
        source,
        { cause: error },
      ),
    );
  }
  return true;
}

/**
 * Routes every exception that escapes to the process (uncaught, or a rejection nobody handled) to the model call in
 * flight (failModelCallsInFlight), and the others to `onOther`. The capture callback is used rather than an
 * 'uncaughtException' listener because the wasm backend's Emscripten runtime adds listeners that rethrow (exit 7 with a
 * raw stack); a rejection it rethrows as an exception is seen once only.
 */
export function catchModelEscapes(onOther: (error: unknown) => void): void {
  let last: { error: unknown } | undefined;
  const onEscaped = (error: unknown): void => {
    if (last && last.error === error) return;
    last = { error };
    if (!failModelCallsInFlight(error)) onOther(error);
  };
  process.setUncaughtExceptionCaptureCallback(onEscaped);
  process.prependListener('unhandledRejection', onEscaped);
}

/**
 * Makes `process.exit` throw while a model call is in flight: a predict module that calls it would otherwise end the
 * run with its exit code (0, a false success) and no files. Outside model calls `process.exit` is left alone.
 */
export function refuseProcessExitInModelCalls(): void {
  const exit = process.exit.bind(process) as (code?: number | string | null) => never;
  const guarded = (code?: number | string | null): never => {
    if (inFlight.size > 0) {
      throw new Error(
        `called process.exit(${code ?? ''}) while answering; a model must return its answer (or throw), not end the process`,
      );
    }
    return exit(code);
  };
  Object.defineProperty(process, 'exit', { value: guarded, writable: true, configurable: true });
}
