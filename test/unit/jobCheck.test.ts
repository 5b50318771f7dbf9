// One check of every job field for the extension, the worker and the CLI, and of every panel message: values a
// workspace or a webview wrote are refused with the setting's name, never reach the engine or a path.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkExplainJob, checkPanelCommand, JobFieldError } from '../../src/shared/jobCheck';
import { RunStore } from '../../src/extension/runStore';
import type { ExplainJob } from '../../src/shared/protocol';

const job: ExplainJob = {
  inputFile: '/data/a.png',
  model: { path: 'm.onnx' },
  modelBaseDir: '/data',
  method: 'dax',
  preset: 'fast',
  seed: 0,
  backend: 'auto',
  outDir: '',
};

function refused(changes: Record<string, unknown>, pattern: RegExp): void {
  assert.throws(
    () => checkExplainJob({ ...job, ...changes }),
    (error: unknown) => {
      assert.ok(error instanceof JobFieldError, String(error));
      assert.match(error.message, pattern);
      return true;
    },
  );
}

describe('explanation jobs', () => {
  test('a well-formed job passes as it is', () => {
    assert.deepEqual(checkExplainJob({ ...job, samples: 200, epochs: 3, lambda1: 0.5, target: 'cat' }), {
      ...job,
      samples: 200,
      epochs: 3,
      lambda1: 0.5,
      target: 'cat',
    });
  });

  test('workspace values that are not what a setting takes are refused, naming the setting', () => {
    refused({ preset: 'bogus' }, /^dax\.preset must be fast, balanced or thorough \(got "bogus"\)\.$/);
    refused({ method: 'gradcam' }, /^dax\.method must be dax, rise, lime or occlusion \(got "gradcam"\)\.$/);
    refused({ epochs: 1e9 }, /^dax\.epochs must be an integer from 1 to 10000 \(got "1000000000"\)\.$/);
    refused({ epochs: 2.5 }, /dax\.epochs must be an integer/);
    refused({ samples: -5 }, /dax\.samples must be an integer from 2 to 1000000/);
    refused({ lambda1: Number.NaN }, /dax\.lambda1 must be a number from 0/);
    refused({ seed: 'x' }, /dax\.seed must be an integer/);
    refused({ backend: 'gpu' }, /dax\.trainingBackend must be auto, tensorflow, wasm or cpu/);
    refused({ inputFile: 42 }, /inputFile must be a non-empty path/);
    refused({ model: [1] }, /the model must be a description/);
    refused({ target: { x: 1 } }, /the class to explain must be a class index or a label/);
  });

  test('the CLI names its options instead', () => {
    assert.throws(
      () => checkExplainJob({ ...job, preset: 'quick' }, { preset: '--preset' }),
      /--preset must be fast, balanced or thorough \(got "quick"\)/,
    );
  });
});

describe('panel messages', () => {
  const key = '0123456789abcdef0123456789abcdef';

  test('well-formed commands pass', () => {
    assert.deepEqual(checkPanelCommand({ type: 'panel/rerunCommand', key }), { type: 'panel/rerunCommand', key });
    assert.deepEqual(checkPanelCommand({ type: 'panel/explainClassCommand', key, classIndex: 3, extra: 'dropped' }), {
      type: 'panel/explainClassCommand',
      key,
      classIndex: 3,
    });
    assert.deepEqual(checkPanelCommand({ type: 'panel/exportCommand', key, what: 'overlay' }), {
      type: 'panel/exportCommand',
      key,
      what: 'overlay',
    });
    assert.deepEqual(
      checkPanelCommand({ type: 'panel/exportViewCommand', key, png: 'iVBORw0KGgo=', shown: 'overlay' }),
      {
        type: 'panel/exportViewCommand',
        key,
        png: 'iVBORw0KGgo=',
        shown: 'overlay',
      },
    );
    assert.deepEqual(checkPanelCommand({ type: 'panel/exportFolderCommand', path: '/etc/passwd' }), {
      type: 'panel/exportFolderCommand',
    });
    assert.deepEqual(checkPanelCommand({ type: 'panel/comparisonGroundTruthCommand', mask: '/etc/passwd' }), {
      type: 'panel/comparisonGroundTruthCommand',
    });
  });

  test('a view export without its picture, or with one too large to be a drawing, is dropped', () => {
    for (const message of [
      { type: 'panel/exportViewCommand', key, shown: 'overlay' },
      { type: 'panel/exportViewCommand', key, png: '', shown: 'overlay' },
      { type: 'panel/exportViewCommand', key, png: 42, shown: 'overlay' },
      { type: 'panel/exportViewCommand', key, png: 'A'.repeat(16 * 1024 * 1024 + 1), shown: 'overlay' },
      { type: 'panel/exportViewCommand', key: '../x', png: 'iVBORw0KGgo=', shown: 'overlay' },
    ])
      assert.equal(checkPanelCommand(message), undefined, JSON.stringify(message).slice(0, 80));
  });

  test('a key that is not a result hash, a bad class or an unknown kind is dropped', () => {
    for (const message of [
      { type: 'panel/selectRunCommand', key: '../../../../etc' },
      { type: 'panel/rerunCommand', key: `${key}/../x` },
      { type: 'panel/explainClassCommand', key, classIndex: -1 },
      { type: 'panel/explainClassCommand', key, classIndex: '2' },
      { type: 'panel/exportCommand', key, what: '__proto__' },
      { type: 'panel/somethingElse' },
      null,
      'panel/readyCommand',
    ]) {
      assert.equal(checkPanelCommand(message), undefined, JSON.stringify(message));
    }
  });

  test('the result store never joins a foreign key into a path', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'dax-store-'));
    // A look-alike entry outside the results: a traversing key must not reach it.
    mkdirSync(path.join(root, 'outside'), { recursive: true });
    writeFileSync(path.join(root, 'outside', 'entry.json'), JSON.stringify({ job }));
    const store = new RunStore(root);
    assert.throws(() => store.folder('../outside'), /not a result key/);
    assert.equal(await store.jobOf('../outside'), undefined);
    assert.equal(await store.get('../outside'), undefined);
  });
});
