// File helpers for tests.
import { mkdtemp, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** A fresh temporary folder. */
export function tempDir(prefix = 'dax-test-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

/** The names in a folder, sorted (empty when it does not exist). */
export async function listDir(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch {
    return [];
  }
}
