// Where a TF.js model.json's weight shards are, and reading them: the manifest is data from the model's author, so a
// path must not lead out of the model's folder (`../../etc/passwd`), nor to a device (`/dev/zero` never ends) or a
// FIFO (opening one hangs), and a shard must hold exactly the bytes its weights need.
import { constants } from 'node:fs';
import { open, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { DaxError } from '../core/errors';

/** One group of a weights manifest, as model.json holds it (fields checked here, not trusted). */
interface ManifestGroup {
  paths: unknown;
  weights: unknown;
}

/** A shard found inside the model's folder: its path as the manifest gives it, where it is, and its size. */
export interface WeightShard {
  shard: string;
  file: string;
  size: number;
}

/** Bytes per value of each dtype a weight (or its quantised form) may have; strings have no fixed size. */
const BYTES: Record<string, number> = { float32: 4, float16: 2, int32: 4, uint16: 2, uint8: 1, bool: 1, complex64: 8 };

/**
 * The shards of `modelJson`'s weights manifest, each a regular file inside the model's folder (after symbolic links
 * are followed), with every group's shards adding up to the size its weights need. Throws a `model` DaxError
 * naming the model file and the shard otherwise.
 */
export async function tfjsWeightShards(modelJson: string, manifest: unknown): Promise<WeightShard[]> {
  if (manifest === undefined) return [];
  if (!Array.isArray(manifest))
    throw new DaxError('model', 'is not a TF.js model.json ("weightsManifest" is not a list).', modelJson);
  const folder = path.dirname(path.resolve(modelJson));
  let realFolder: string;
  try {
    realFolder = await realpath(folder);
  } catch (error) {
    throw new DaxError(
      'model',
      `cannot read the model's folder (${(error as NodeJS.ErrnoException).code ?? String(error)}).`,
      modelJson,
    );
  }
  const shards: WeightShard[] = [];
  for (const group of manifest as ManifestGroup[]) {
    if (typeof group !== 'object' || group === null || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new DaxError(
        'model',
        'is not a TF.js model.json (a "weightsManifest" group without "paths" and "weights").',
        modelJson,
      );
    }
    let groupSize = 0;
    for (const shard of group.paths as unknown[]) {
      if (typeof shard !== 'string' || shard === '')
        throw new DaxError('model', 'is not a TF.js model.json (a weight path is not a file name).', modelJson);
      const found = await shardInside(modelJson, folder, realFolder, shard);
      groupSize += found.size;
      shards.push(found);
    }
    const expected = expectedBytes(modelJson, group.weights as unknown[]);
    if (expected !== undefined && groupSize !== expected) {
      const names = (group.paths as string[]).join(', ');
      throw new DaxError(
        'model',
        `weight shard${group.paths.length === 1 ? '' : 's'} ${names} hold${group.paths.length === 1 ? 's' : ''} ${groupSize} bytes, but the manifest's weights need ${expected}: the model's files do not match its model.json.`,
        modelJson,
      );
    }
  }
  return shards;
}

async function shardInside(modelJson: string, folder: string, realFolder: string, shard: string): Promise<WeightShard> {
  // Manifests written on Windows may use backslashes; either way the path is relative to the model's folder.
  const file = path.resolve(folder, shard.replace(/\\/g, '/'));
  if (path.isAbsolute(shard) || !isInside(folder, file)) {
    throw new DaxError(
      'model',
      `weight shard ${shard} lies outside the model's folder: only files beside model.json (or below it) are read.`,
      modelJson,
    );
  }
  let real: string;
  let size: number;
  try {
    real = await realpath(file);
    const info = await stat(real);
    if (!info.isFile()) throw new DaxError('model', `weight shard ${shard} is not a regular file.`, modelJson);
    size = info.size;
  } catch (error) {
    if (error instanceof DaxError) throw error;
    throw new DaxError(
      'model',
      `cannot read weight shard ${shard} (${(error as NodeJS.ErrnoException).code ?? String(error)}).`,
      modelJson,
    );
  }
  if (!isInside(realFolder, real)) {
    throw new DaxError(
      'model',
      `weight shard ${shard} is a link to a file outside the model's folder: only files beside model.json (or below it) are read.`,
      modelJson,
    );
  }
  return { shard, file: real, size };
}

function isInside(folder: string, file: string): boolean {
  const relative = path.relative(folder, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/** Bytes a group's weights take in its shards, or undefined when a string weight makes it variable. */
function expectedBytes(modelJson: string, weights: unknown[]): number | undefined {
  let total = 0;
  for (const weight of weights as {
    name?: unknown;
    shape?: unknown;
    dtype?: unknown;
    quantization?: { dtype?: unknown };
  }[]) {
    const shape = weight?.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new DaxError(
        'model',
        `is not a TF.js model.json (weight ${String(weight?.name)} has no valid "shape").`,
        modelJson,
      );
    }
    const dtype = weight.quantization?.dtype ?? weight.dtype;
    if (dtype === 'string') return undefined;
    const bytes = typeof dtype === 'string' ? BYTES[dtype] : undefined;
    if (bytes === undefined)
      throw new DaxError(
        'model',
        `is not a TF.js model.json (weight ${String(weight.name)} has an unknown dtype ${String(dtype)}).`,
        modelJson,
      );
    total += (shape as number[]).reduce((a, b) => a * b, 1) * bytes;
  }
  return total;
}

/**
 * A shard's bytes, read from a descriptor that is checked again to be the regular file of the size found (the file
 * may have been swapped since): O_NONBLOCK so that a FIFO put there in between cannot hang the open.
 */
export async function readWeightShard(modelJson: string, shard: WeightShard): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(shard.file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new DaxError(
      'model',
      `cannot read weight shard ${shard.shard} (${(error as NodeJS.ErrnoException).code ?? String(error)}).`,
      modelJson,
    );
  }
  try {
    const info = await handle.stat();
    if (!info.isFile() || info.size !== shard.size)
      throw new DaxError('model', `weight shard ${shard.shard} changed while it was read.`, modelJson);
    const bytes = new Uint8Array(shard.size);
    let offset = 0;
    while (offset < bytes.length) {
      const { bytesRead } = await handle.read(bytes, offset, bytes.length - offset, offset);
      if (bytesRead === 0)
        throw new DaxError('model', `weight shard ${shard.shard} changed while it was read.`, modelJson);
      offset += bytesRead;
    }
    return bytes;
  } finally {
    await handle.close();
  }
}
