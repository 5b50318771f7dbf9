// DAX: Store a Secret for Model Endpoints through the real extension host: a stored secret reaches the worker
// process (where black boxes run and endpoint headers read `${env:NAME}`) without a window reload, and removing
// it takes it away again. The black box here is a predict module that answers by whether the variable is set.
import * as assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { DaxExtensionApi } from '../../../src/extension/extension';

const EXTENSION_ID = 'dax-explain.dax-explain';
const NAME = 'DAX_TEST_SECRET';

async function api(): Promise<DaxExtensionApi> {
  const extension = vscode.extensions.getExtension<DaxExtensionApi>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is installed`);
  return extension.activate();
}

const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('dax');
const store = (value: string): Thenable<string | undefined> =>
  vscode.commands.executeCommand<string | undefined>('dax.storeEndpointSecret', NAME, value);

describe('DAX: Store a Secret for Model Endpoints', function () {
  this.timeout(60_000);
  let models: unknown;

  before(async () => {
    // Outside the workspace, so that the folder tests' file lists are not touched.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'dax-secret-probe-'));
    const probe = path.join(dir, 'secret-probe.predict.mjs');
    writeFileSync(
      probe,
      `export function predict(images) {\n  const seen = process.env.${NAME} === 'open sesame';\n  return images.map(() => (seen ? [0.1, 0.9] : [0.9, 0.1]));\n}\n`,
    );
    models = config().get('models');
    const probeModel = {
      name: 'secret probe',
      path: probe,
      input: { width: 32, height: 32 },
      labels: ['not seen', 'seen'],
    };
    await config().update('models', [probeModel, ...(models as unknown[])], vscode.ConfigurationTarget.Workspace);
    await config().update('samples', 20, vscode.ConfigurationTarget.Workspace);
    await config().update('epochs', 1, vscode.ConfigurationTarget.Workspace);
  });

  after(async () => {
    await store('');
    await config().update('models', models, vscode.ConfigurationTarget.Workspace);
    await config().update('samples', undefined, vscode.ConfigurationTarget.Workspace);
    await config().update('epochs', undefined, vscode.ConfigurationTarget.Workspace);
  });

  it('reaches the worker as an environment variable once stored, and is gone once removed', async () => {
    const dax = await api();
    const image = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, 'stationery-sign.jpg');
    const label = async (): Promise<string | undefined> =>
      (await dax.runner.explain(image, { force: true }))?.report.target.label;

    await store('');
    assert.equal(await label(), 'not seen', 'no secret yet');
    assert.equal(await store('open sesame'), NAME);
    // The worker that answered above predates the secret: it is replaced before the next run.
    assert.equal(await label(), 'seen', 'the stored secret reached the worker');
    await store('');
    assert.equal(await label(), 'not seen', 'the removed secret is gone');
  });

  it('refuses a name that a header template could not use', async () => {
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('dax.storeEndpointSecret', '1-bad name', 'x')),
      /not a variable name/,
    );
  });
});
