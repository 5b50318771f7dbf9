// Errors the engine raises on purpose, each with a kind that front ends map to an exit code or a message style.
import { redactSecrets } from './secrets';

/**
 * What went wrong, from the user's point of view:
 * - `usage`: the command or configuration is malformed (CLI exit 2);
 * - `input`: an input file cannot be used: unreadable, corrupt, too large, wrong kind (CLI exit 2);
 * - `model`: the black box cannot be loaded or answers nonsense (CLI exit 1 when found while explaining);
 * - `explain`: the explanation itself failed (CLI exit 1);
 * - `cancelled`: the caller cancelled the run.
 */
export type DaxErrorKind = 'usage' | 'input' | 'model' | 'explain' | 'cancelled';

/**
 * An error whose message is meant for the user: it names the file (when there is one) and what to do. The message
 * never holds a secret the process has sent (see secrets.ts): whatever a server echoed is `***` by the time the
 * message reaches the terminal, a log, a report or a summary.
 */
export class DaxError extends Error {
  override readonly name = 'DaxError';
  constructor(
    readonly kind: DaxErrorKind,
    message: string,
    /** The file the error is about, when there is one. */
    readonly file?: string,
    options?: { cause?: unknown },
  ) {
    super(redactSecrets(file ? `${file}: ${message}` : message), options);
    if (this.stack) this.stack = redactSecrets(this.stack);
  }
}

/** Wraps any thrown value as a DaxError of the given kind, keeping a DaxError as it is. */
export function asDaxError(error: unknown, kind: DaxErrorKind, file?: string): DaxError {
  if (error instanceof DaxError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new DaxError(kind, message, file, { cause: error });
}

/** The first line of an error's message, at most `max` characters: short enough for a message of ours. */
export function firstLine(error: unknown, max = 300): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, max);
}
