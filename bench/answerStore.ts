// The benchmark's black boxes answer from a cache on disk first: a second run of the same queries (the same case,
// seed and method settings make the same perturbed copies) costs only the training. An answer is keyed by the
// exact bytes the model would receive, so a changed perturbation pattern is a different key; the file is named by
// the model's content (its files, its description, the lockfile for code that loads further models) and by
// CACHE_FORMAT, so a retrained model or a changed adapter never reads stale answers. Nothing expires by time.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { BlackBox, ImageBatch } from '../src/engine/blackbox/classifier';
import type { ModelConfig } from '../src/engine/blackbox/modelConfig';
import { AnswerCache, hashKey } from '../src/engine/blackbox/answerCache';
import { modelSha256 } from '../src/cli/upToDate';

/** Bump when the engine changes what a model receives for the same input bytes (preprocessing, windowing). */
const CACHE_FORMAT = 1;

const root = path.join(__dirname, '..');
export const DEFAULT_CACHE_DIR = path.join(root, '.bench-cache');

/** Counts of one black box's answers: asked, and of those, read from the cache. */
export interface AnswerCounts {
  asked: number;
  cached: number;
}

/**
 * The model's identity by content. A predict module loads further files of its own (the wake-word chain's three
 * ONNX models), which its source does not name by content: the lockfile stands for them.
 */
async function modelIdentity(config: ModelConfig): Promise<string> {
  const files = await modelSha256(config);
  if (!files) throw new Error(`cannot read the model files of ${config.path} to key its answers`);
  const lock =
    config.kind === 'module'
      ? createHash('sha256')
          .update(await readFile(path.join(root, 'package-lock.json')))
          .digest('hex')
      : '';
  const { path: _file, ...described } = config as ModelConfig & { path: string };
  return JSON.stringify({ CACHE_FORMAT, files, lock, described });
}

/**
 * `blackBox` with its answers kept in `dir`, sharing every other property (sizes, labels, sample rate) with it.
 * `counts` grows with every classify call, so a caller can tell how much of a run was answered from disk.
 */
export async function withAnswerStore<T extends BlackBox>(
  blackBox: T,
  dir: string,
): Promise<{ blackBox: T; counts: AnswerCounts }> {
  const cache = new AnswerCache();
  await cache.openJournal(dir, await modelIdentity(blackBox.config));
  const counts: AnswerCounts = { asked: 0, cached: 0 };
  const classify = async (batch: ImageBatch, signal?: AbortSignal): Promise<Float32Array[]> => {
    const keys = batch.images.map((image) => (batch.padding ? hashKey(image, batch.padding) : hashKey(image)));
    const rows: (Float32Array | undefined)[] = keys.map((key) => cache.get(key));
    const missing = rows.flatMap((row, i) => (row ? [] : [i]));
    counts.asked += rows.length;
    counts.cached += rows.length - missing.length;
    if (missing.length > 0) {
      const answers = await blackBox.classify(
        { images: missing.map((i) => batch.images[i]!), padding: batch.padding },
        signal,
      );
      missing.forEach((i, j) => (rows[i] = answers[j]!));
      await cache.put(missing.map((i, j) => [keys[i]!, answers[j]!]));
    }
    return rows as Float32Array[];
  };
  // A prototype link keeps the getters and fields of every classifier kind without listing them.
  const wrapped = Object.create(blackBox, { classify: { value: classify } }) as T;
  return { blackBox: wrapped, counts };
}
