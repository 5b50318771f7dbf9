// Answers already received from a remote black box, by a hash of the input's bytes: a classify() that failed half
// way, or a re-run of the same explanation (same seed, the same perturbed copies), re-sends only what was not
// answered. In memory for the classifier's lifetime, and optionally in an append-only journal on disk so that a
// new process (the CLI after a dropped connection) resumes too.
import { createHash } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { DaxError } from '../core/errors';

/** Most answers kept in memory; the oldest go first (a row is a few floats, a key 27 characters). */
const MAX_ENTRIES = 500_000;

/** The bytes of a float array, as they are in memory. */
export function bytesOf(values: Float32Array | Uint8Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/** SHA-1 of the parts, base64url (27 characters): the key of one input. */
export function hashKey(...parts: (Float32Array | Uint8Array | string)[]): string {
  const hash = createHash('sha1');
  for (const part of parts) hash.update(typeof part === 'string' ? part : bytesOf(part));
  return hash.digest('base64url');
}

export class AnswerCache {
  private readonly rows = new Map<string, Float32Array>();
  /** Answers read back from the journal when it was opened. */
  journalAnswers = 0;
  private journal?: string;

  /**
   * Opens (or creates) the journal of this model in `dir`: `identity` (the server, model, its metadata and the
   * preprocessing) names the file, so answers of another model or another preprocessing are never mixed in.
   */
  async openJournal(dir: string, identity: unknown): Promise<void> {
    const file = path.join(dir, `kserve-${hashKey(JSON.stringify(identity)).slice(0, 16)}.answers`);
    try {
      await mkdir(dir, { recursive: true });
    } catch (error) {
      throw new DaxError(
        'usage',
        `cannot create the resume folder (${(error as NodeJS.ErrnoException).code ?? String(error)}). Check "endpoint.cacheDir".`,
        dir,
      );
    }
    let text = '';
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new DaxError(
          'usage',
          `cannot read the resume journal (${(error as NodeJS.ErrnoException).code ?? String(error)}).`,
          file,
        );
      }
    }
    // One answer a line: `key base64(float32 row)`; a line cut short by a crash is skipped.
    for (const line of text.split('\n')) {
      const [key, data] = line.split(' ');
      if (key?.length !== 27 || !data) continue;
      const bytes = Buffer.from(data, 'base64');
      if (bytes.length === 0 || bytes.length % 4 !== 0) continue;
      const row = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
      if (!row.every(Number.isFinite)) continue;
      if (!this.rows.has(key)) this.journalAnswers++;
      this.set(key, row);
    }
    this.journal = file;
  }

  /** Where the journal is, when there is one. */
  get journalFile(): string | undefined {
    return this.journal;
  }

  get size(): number {
    return this.rows.size;
  }

  get(key: string): Float32Array | undefined {
    return this.rows.get(key);
  }

  /** Keeps the answers (and appends them to the journal, when there is one). */
  async put(entries: readonly [string, Float32Array][]): Promise<void> {
    for (const [key, row] of entries) this.set(key, row);
    if (this.journal === undefined || entries.length === 0) return;
    const lines = entries.map(([key, row]) => `${key} ${Buffer.from(bytesOf(row)).toString('base64')}\n`).join('');
    try {
      await appendFile(this.journal, lines);
    } catch (error) {
      throw new DaxError(
        'model',
        `cannot write the resume journal (${(error as NodeJS.ErrnoException).code ?? String(error)}).`,
        this.journal,
      );
    }
  }

  private set(key: string, row: Float32Array): void {
    this.rows.delete(key);
    this.rows.set(key, row);
    if (this.rows.size > MAX_ENTRIES) this.rows.delete(this.rows.keys().next().value!);
  }
}
