// Cooperative cancellation: long loops poll a signal between batches so that Cancel takes effect within a batch.
import { DaxError } from './errors';

/** Throws a `cancelled` DaxError when the signal has been aborted. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new DaxError('cancelled', 'The run was cancelled.');
}

/** Yields to the event loop, so that an abort requested by a message or a signal handler can be seen. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
