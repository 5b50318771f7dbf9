import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RunStore } from '../../src/extension/runStore';
import { initBackend } from '../../src/engine/tf/runtime';
import { writeOracleConfig, writeOracleTfjsModel } from '../helpers/oracle';
import type { FolderSummary } from '../../src/shared/protocol';
import type { ExplanationReport } from '../../src/shared/report';

const finished: FolderSummary = {
  id: 3,
  folder: 'photos',
  folderPath: '/data/photos',
  rows: [
    { file: 'a.jpg', key: 'k1', status: 'ok', classLabel: 'cat', probability: 0.9, queries: 500, seconds: 12.5 },
    { file: 'b.wav', status: 'failed', error: 'b.wav: the file ends inside its header' },
  ],
  done: 2,
  total: 2,
  state: 'done',
};

function freshStore(): { store: RunStore; root: string } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'dax-store-'));
  return { store: new RunStore(root), root };
}

describe('the last folder summary survives a window reload', () => {
  test('a finished batch comes back as it was, read by a new store (the next window)', async () => {
    const { store, root } = freshStore();
    await store.saveFolderSummary(finished);
    assert.deepEqual(await new RunStore(root).loadFolderSummary(), finished);
  });

  test('a batch cut off by the reload comes back cancelled: its waiting and running rows too, its results kept', async () => {
    const { store } = freshStore();
    const running: FolderSummary = {
      ...finished,
      rows: [finished.rows[0]!, { file: 'c.png', status: 'running' }, { file: 'd.png', status: 'pending' }],
      done: 1,
      total: 3,
      state: 'running',
    };
    await store.saveFolderSummary(running);
    const restored = await store.loadFolderSummary();
    assert.equal(restored?.state, 'cancelled');
    assert.equal(restored?.done, 3);
    assert.deepEqual(restored?.rows, [
      finished.rows[0],
      { file: 'c.png', status: 'cancelled' },
      { file: 'd.png', status: 'cancelled' },
    ]);
  });

  test('no summary, or an unreadable one, is no summary (the panel opens without it)', async () => {
    const { store, root } = freshStore();
    assert.equal(await store.loadFolderSummary(), undefined);
    writeFileSync(path.join(root, 'folder-summary.json'), '{"rows": [');
    assert.equal(await store.loadFolderSummary(), undefined);
    writeFileSync(path.join(root, 'folder-summary.json'), '{"state": "done"}');
    assert.equal(await store.loadFolderSummary(), undefined);
  });

  test('the newest summary replaces the last one and leaves no partial file', async () => {
    const { store, root } = freshStore();
    await store.saveFolderSummary({ ...finished, id: 1, folder: 'first' });
    await store.saveFolderSummary(finished);
    assert.equal((await store.loadFolderSummary())?.folder, 'photos');
    assert.deepEqual(readdirSync(root), ['folder-summary.json']);
  });
});

describe('a stored result is not "from cache" by being stored', () => {
  test('the history and a stored result read back carry cached: false (only a cache hit of an explain request says so)', async () => {
    const { store, root } = freshStore();
    const input = path.join(root, 'a.png');
    writeFileSync(input, 'not really a png');
    const job = {
      inputFile: input,
      model: { path: 'm.onnx' },
      modelBaseDir: root,
      method: 'dax' as const,
      preset: 'fast' as const,
      seed: 0,
      backend: 'cpu' as const,
      outDir: '',
    };
    const key = await store.keyOf(job);
    const report = {
      schema: 2,
      outputs: { report: path.join(root, 'a.dax.json'), saliency: '' },
      model: { name: 'm' },
      target: { index: 0, label: 'cat', probability: 0.9 },
    } as unknown as ExplanationReport;
    writeFileSync(report.outputs!.report, JSON.stringify(report));
    const put = await store.put(key, job, report, {
      width: 1,
      height: 1,
      rgb: new Uint8Array(3),
      saliency: new Uint8Array(1),
    });
    assert.equal(put.summary.cached, false);
    assert.deepEqual(
      (await store.history()).map((entry) => entry.cached),
      [false],
    );
    assert.equal((await store.get(key))?.summary.cached, false);
  });
});

describe('results stored by an earlier version', () => {
  test('whose job and summary name the input imageFile and imageName stay in the history and can be run again', async () => {
    const { store, root } = freshStore();
    const key = 'a'.repeat(32);
    const folder = store.folder(key);
    mkdirSync(folder, { recursive: true });
    const reportFile = path.join(folder, 'a.dax.json');
    writeFileSync(reportFile, JSON.stringify({ model: { name: 'm' }, target: { index: 0, probability: 0.9 } }));
    writeFileSync(
      path.join(folder, 'entry.json'),
      JSON.stringify({
        summary: {
          key,
          imageName: 'a.wav',
          modelName: 'm',
          method: 'dax',
          targetLabel: 'yes',
          probability: 0.9,
          finishedAt: 1,
          cached: false,
        },
        job: {
          imageFile: '/data/a.wav',
          model: { path: 'm.onnx' },
          modelBaseDir: root,
          method: 'dax',
          preset: 'fast',
          seed: 0,
          backend: 'auto',
          outDir: '',
        },
        reportFile,
      }),
    );
    assert.deepEqual(
      (await store.history()).map((entry) => entry.inputName),
      ['a.wav'],
    );
    const job = await store.jobOf(key);
    assert.equal(job?.inputFile, '/data/a.wav');
    assert.ok(!('imageFile' in (job ?? {})), 'the old name is not carried along');
  });
});

describe('the cache key follows every file the model is read from', () => {
  /** A TF.js model (model.json and weights.bin) with a description beside it, and an input, in a fresh store. */
  async function tfjsJob(): Promise<{
    store: RunStore;
    job: Parameters<RunStore['keyOf']>[0];
    weights: string;
    modelJson: string;
  }> {
    await initBackend('cpu');
    const { store, root } = freshStore();
    const modelJson = await writeOracleTfjsModel(path.join(root, 'model'));
    const description = await writeOracleConfig(root, modelJson);
    const input = path.join(root, 'a.png');
    writeFileSync(input, 'pixels');
    const job = {
      inputFile: input,
      model: description,
      modelBaseDir: root,
      method: 'dax' as const,
      preset: 'fast' as const,
      seed: 0,
      backend: 'cpu' as const,
      outDir: '',
    };
    return { store, job, weights: path.join(root, 'model', 'weights.bin'), modelJson };
  }

  /** Rewrites a file in place with other bytes (still valid) and a later modification time, as retraining does. */
  function retrain(file: string): void {
    const bytes = readFileSync(file);
    if (file.endsWith('.json')) writeFileSync(file, JSON.stringify(JSON.parse(bytes.toString('utf8')), null, 1));
    else
      writeFileSync(
        file,
        bytes.map((byte, i) => (i < 4 ? byte ^ 0x01 : byte)),
      );
    const later = new Date(Date.now() + 5000);
    utimesSync(file, later, later);
  }

  test('retrained TF.js weights (same model.json) give a new key, so the stale result is not served', async () => {
    const { store, job, weights } = await tfjsJob();
    const before = await store.keyOf(job);
    assert.equal(await store.keyOf(job), before, 'the same files give the same key');
    retrain(weights);
    assert.notEqual(await store.keyOf(job), before);
  });

  test('a changed model.json gives a new key too, named directly as the model or through a description', async () => {
    const { store, job, modelJson } = await tfjsJob();
    const direct = { ...job, model: modelJson };
    const before = [await store.keyOf(job), await store.keyOf(direct)];
    retrain(modelJson);
    assert.notEqual(await store.keyOf(job), before[0]);
    assert.notEqual(await store.keyOf(direct), before[1]);
  });
});
