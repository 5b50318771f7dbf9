import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { entryFromPath, modelProblem } from '../../src/extension/modelCheck';

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

describe('a dax.models entry written as a path, as --model takes it', () => {
  const models = mkdtempSync(path.join(os.tmpdir(), 'dax-model-entry-'));
  const sub = path.join(models, 'text');
  mkdirSync(sub);
  writeFileSync(path.join(sub, 'describe.json'), JSON.stringify({ path: 'net.onnx', labels: 'labels.txt' }));
  writeFileSync(path.join(sub, 'model.json'), JSON.stringify({ modelTopology: {}, weightsManifest: [] }));
  writeFileSync(path.join(sub, 'broken.json'), '{ "path": ');
  writeFileSync(path.join(sub, 'list.json'), '[]');

  test('a description JSON is read, and its relative paths start at its own folder', () => {
    const read = entryFromPath('text/describe.json', models);
    assert.ok(!('problem' in read));
    assert.equal(read.baseDir, sub);
    assert.equal(read.describes, true);
    assert.deepEqual(read.description, { name: 'describe', path: 'net.onnx', labels: 'labels.txt' });
  });

  test('a TF.js model.json or any model file is the model itself, from the settings folder', () => {
    for (const value of ['text/model.json', 'text/net.onnx', 'missing/predict.mjs']) {
      const read = entryFromPath(value, models);
      assert.ok(!('problem' in read), value);
      assert.equal(read.baseDir, models);
      assert.equal(read.description.path, value);
      assert.equal(read.describes, false);
    }
  });

  test('a description that does not parse is a problem that names the file and the setting', () => {
    const broken = entryFromPath('text/broken.json', models);
    assert.ok('problem' in broken);
    assert.match(broken.problem, /broken\.json is not valid JSON/);
    const problem = modelProblem({
      description: {},
      baseDir: models,
      setting: 'dax.models[2]',
      where: 'the user settings',
      problem: broken.problem,
    });
    assert.match(
      problem ?? '',
      /^dax\.models\[2\] \(in the user settings\) names a model that cannot be used: .*broken\.json/,
    );
    const list = entryFromPath('text/list.json', models);
    assert.ok('problem' in list && /must be a JSON object/.test(list.problem));
  });

  test('a missing model file named by a path entry is caught by the same check as an object entry', () => {
    const read = entryFromPath('text/net.onnx', models);
    assert.ok(!('problem' in read));
    assert.match(
      modelProblem({ ...read, setting: 'dax.models[0]', where: 'the workspace settings' }) ?? '',
      /net\.onnx named by dax\.models\[0\].*does not exist/,
    );
  });
});
