// A TF.js model.json's weights manifest is the model author's data: its shards are read from the model's folder
// only, as regular files of the size their weights need, when loading and when hashing for the up-to-date check.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, readFile, symlink, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadTfjsModel } from '../../src/engine/blackbox/tfjsFiles';
import { tfjsWeightShards } from '../../src/engine/blackbox/tfjsShards';
import { modelSha256 } from '../../src/cli/upToDate';
import type { ModelConfig } from '../../src/engine/blackbox/modelConfig';
import { DaxError } from '../../src/engine/core/errors';
import { initBackend } from '../../src/engine/tf/runtime';
import { writeOracleTfjsModel } from '../helpers/oracle';
import { tempDir } from '../helpers/files';

let original: string;
let root: string;

before(async () => {
  await initBackend('cpu');
  root = await tempDir();
  original = await writeOracleTfjsModel(path.join(root, 'original'));
});

/** A copy of the oracle model in its own folder, with the manifest's paths replaced by `paths`. */
async function modelWithPaths(name: string, paths: string[]): Promise<string> {
  const dir = path.join(root, name, 'model');
  await mkdir(dir, { recursive: true });
  await copyFile(path.join(path.dirname(original), 'weights.bin'), path.join(dir, 'weights.bin'));
  const json = JSON.parse(await readFile(original, 'utf8'));
  json.weightsManifest[0].paths = paths;
  const file = path.join(dir, 'model.json');
  await writeFile(file, JSON.stringify(json));
  return file;
}

async function assertRefused(file: string, pattern: RegExp): Promise<void> {
  await assert.rejects(loadTfjsModel(file), (error: unknown) => {
    assert.ok(error instanceof DaxError, String(error));
    assert.equal(error.kind, 'model');
    assert.ok(error.message.startsWith(file), error.message);
    assert.match(error.message, pattern);
    return true;
  });
  // The up-to-date hash never reads such a shard either: no hash, and no hang on a FIFO or a device.
  assert.equal(await modelSha256({ kind: 'tfjs', path: file } as ModelConfig), undefined);
}

describe('TF.js weight shards', () => {
  test('a well-formed model loads and hashes', async () => {
    const file = await modelWithPaths('ok', ['weights.bin']);
    const { layers } = await loadTfjsModel(file);
    assert.ok(layers);
    layers.dispose();
    assert.match((await modelSha256({ kind: 'tfjs', path: file } as ModelConfig))!, /^[0-9a-f]{64}$/);
  });

  test('a path out of the model folder is refused before anything is read', async () => {
    const file = await modelWithPaths('escape', ['../../../../../../../../etc/passwd']);
    await assertRefused(file, /weight shard \.\.\/.*etc\/passwd lies outside the model's folder/);
  });

  test('an absolute path is refused', async () => {
    await assertRefused(
      await modelWithPaths('absolute', ['/dev/zero']),
      /weight shard \/dev\/zero lies outside the model's folder/,
    );
  });

  test('a symbolic link inside the folder to a file outside it is refused', async () => {
    const file = await modelWithPaths('link', ['weights.bin']);
    const outside = path.join(root, 'link', 'secret.bin');
    await writeFile(outside, Buffer.alloc(32, 7));
    const shard = path.join(path.dirname(file), 'weights.bin');
    await import('node:fs/promises').then((fs) => fs.rm(shard));
    await symlink(outside, shard);
    await assertRefused(file, /weight shard weights\.bin is a link to a file outside the model's folder/);
  });

  test('a FIFO or a device inside the folder is refused without hanging', async () => {
    const file = await modelWithPaths('fifo', ['pipe.bin']);
    execFileSync('mkfifo', [path.join(path.dirname(file), 'pipe.bin')]);
    await assertRefused(file, /weight shard pipe\.bin is not a regular file/);
    const device = await modelWithPaths('device', ['zero.bin']);
    await symlink('/dev/zero', path.join(path.dirname(device), 'zero.bin'));
    await assertRefused(device, /weight shard zero\.bin (is not a regular file|is a link to a file outside)/);
  });

  test("a shard whose size differs from what the manifest's weights need is refused", async () => {
    const longer = await modelWithPaths('longer', ['weights.bin']);
    await writeFile(path.join(path.dirname(longer), 'weights.bin'), Buffer.alloc(4096));
    await assertRefused(longer, /weight shard weights\.bin holds 4096 bytes, but the manifest's weights need 32/);
    const shorter = await modelWithPaths('shorter', ['weights.bin']);
    await truncate(path.join(path.dirname(shorter), 'weights.bin'), 8);
    await assertRefused(shorter, /holds 8 bytes, but the manifest's weights need 32/);
  });

  test("a real converter's sharded model passes the size check", async () => {
    const emotion = path.join(__dirname, '..', '..', 'node_modules', '@vladmandic', 'human', 'models', 'emotion.json');
    const json = JSON.parse(await readFile(emotion, 'utf8'));
    const shards = await tfjsWeightShards(emotion, json.weightsManifest);
    assert.ok(shards.length >= 1);
  });
});
