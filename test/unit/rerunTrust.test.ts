// Re-run in an untrusted workspace: a stored job runs again only with a model the settings VS Code lets this
// workspace use still configure, exactly as it was; in a trusted workspace every stored job may run again.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rerunTrustProblem } from '../../src/extension/rerunTrust';

const userModel = { baseDir: '/home/me', description: { name: 'mine', path: 'models/mine.onnx' } };
const job = (model: Record<string, unknown>, modelBaseDir = '/home/me') => ({ model, modelBaseDir });

describe('re-running a stored result', () => {
  test('in a trusted workspace any stored job may run again', () => {
    assert.equal(rerunTrustProblem(job({ path: 'evil.onnx' }, '/repo'), true, []), undefined);
  });

  test('in an untrusted workspace a job with a model the user settings configure runs again', () => {
    assert.equal(rerunTrustProblem(job(userModel.description), false, [userModel]), undefined);
  });

  test("in an untrusted workspace a job with the workspace's own model is refused, with what to do", () => {
    const problem = rerunTrustProblem(job({ path: 'evil.onnx' }, '/repo'), false, [userModel]);
    assert.match(problem ?? '', /untrusted workspace does not load.*Manage Workspace Trust/);
  });

  test('the same description from another folder, or an edited one, is refused too', () => {
    assert.ok(rerunTrustProblem(job(userModel.description, '/repo'), false, [userModel]));
    assert.ok(rerunTrustProblem(job({ ...userModel.description, path: 'models/other.onnx' }), false, [userModel]));
  });
});
