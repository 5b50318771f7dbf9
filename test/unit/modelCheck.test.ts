import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { modelProblem } from '../../src/extension/modelCheck';

const dir = mkdtempSync(path.join(os.tmpdir(), 'dax-model-check-'));
writeFileSync(path.join(dir, 'model.onnx'), 'x');
writeFileSync(path.join(dir, 'notes.txt'), 'x');
const entry = (description: Record<string, unknown>) => ({
  description,
  baseDir: dir,
  setting: 'dax.models[0]',
  where: 'the workspace settings',
});

describe('a configured model checked before it runs', () => {
  test('a missing model file names the setting and where it is', () => {
    const problem = modelProblem(entry({ path: 'no-such-model.onnx' })) ?? '';
    assert.match(problem, /no-such-model\.onnx named by dax\.models\[0\] \(in the workspace settings\) does not exist/);
  });

  test('a .txt path is a problem with the path, not with "kind"', () => {
    assert.match(
      modelProblem(entry({ path: 'notes.txt' })) ?? '',
      /dax\.models\[0\].*names notes\.txt, which is not a model file/,
    );
    assert.equal(modelProblem(entry({ path: 'notes.txt', kind: 'module' })), undefined, 'unless its kind is said');
  });

  test('a model that is there, or a served one, passes', () => {
    assert.equal(modelProblem(entry({ path: 'model.onnx' })), undefined);
    assert.equal(modelProblem(entry({ endpoint: { url: 'http://localhost:8080', model: 'm' } })), undefined);
  });

  test('a folder or no path at all is named too', () => {
    assert.match(modelProblem(entry({ path: '.' })) ?? '', /names the folder/);
    assert.match(modelProblem(entry({})) ?? '', /has no "path"/);
  });
});
