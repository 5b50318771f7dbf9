// Explain Folder with DAX through the real extension host: every image and sound of the workspace folder in one
// batch, the summary in the panel state, cached files taken at once, a failing file recorded while the batch goes
// on, subfolders with `dax.folder.recursive`, and Cancel stopping the file that runs and the rest.
import * as assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { DaxExtensionApi } from '../../../src/extension/extension';
import type { FolderSummary, HostToPanel, PanelStateNotification } from '../../../src/shared/protocol';

const EXTENSION_ID = 'dax-explain.dax-explain';
const FILES = ['open-the-door.wav', 'stationery-sign.jpg'];

function workspaceFolder(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the tests run in a workspace');
  return folder.uri;
}

async function api(): Promise<DaxExtensionApi> {
  const extension = vscode.extensions.getExtension<DaxExtensionApi>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is installed`);
  return extension.activate();
}

function lastState(dax: DaxExtensionApi): PanelStateNotification | undefined {
  return [...dax.panel.posted]
    .reverse()
    .find((message): message is PanelStateNotification => message.type === 'panel/didChangeState');
}

/**
 * The messages posted after this call, whenever asked (the controller keeps only its last 200, so a count taken now
 * would stop matching once the buffer is full).
 */
function postedFromNow(dax: DaxExtensionApi): () => HostToPanel[] {
  const mark = dax.panel.posted.at(-1);
  return () => dax.panel.posted.slice(mark === undefined ? 0 : dax.panel.posted.lastIndexOf(mark) + 1);
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('dax');
const explainFolder = (uri: vscode.Uri): Thenable<FolderSummary | undefined> =>
  vscode.commands.executeCommand<FolderSummary | undefined>('dax.explainFolder', uri);
const statuses = (summary: FolderSummary | undefined): string[] =>
  (summary?.rows ?? []).map((row) => `${row.file}: ${row.status}${row.error ? ` (${row.error})` : ''}`);

describe('Explain Folder with DAX', function () {
  this.timeout(60_000);

  before(async () => {
    // Tiny budgets: the behaviour under test is the batch, not the maps.
    await config().update('samples', 40, vscode.ConfigurationTarget.Workspace);
    await config().update('epochs', 1, vscode.ConfigurationTarget.Workspace);
  });

  after(async () => {
    await config().update('samples', undefined, vscode.ConfigurationTarget.Workspace);
    await config().update('epochs', undefined, vscode.ConfigurationTarget.Workspace);
    await config().update('folder.recursive', undefined, vscode.ConfigurationTarget.Workspace);
  });

  it('explains the image and the sound of the folder, one after the other, and the panel gets the summary', async () => {
    const dax = await api();
    // The summaries the panel was sent while the batch ran, sampled (progress messages may push states out of the log).
    const seenStates = new Set<FolderSummary>();
    let finished = false;
    const pending = explainFolder(workspaceFolder()).then((result) => {
      finished = true;
      return result;
    });
    while (!finished) {
      const folder = lastState(dax)?.folder;
      if (folder) seenStates.add(folder);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const summary = await pending;
    assert.ok(summary, 'a summary');
    assert.equal(summary.folder, path.basename(workspaceFolder().fsPath));
    assert.deepEqual(
      summary.rows.map((row) => row.file),
      FILES,
      'both files, sorted; .vscode/ left out',
    );
    assert.ok(
      summary.rows.every((row) => row.status === 'ok' || row.status === 'cached'),
      statuses(summary).join('; '),
    );
    assert.deepEqual([summary.done, summary.total, summary.state], [2, 2, 'done']);
    for (const row of summary.rows) {
      assert.ok(row.key, `${row.file} has a result`);
      assert.equal(row.queries, 40);
      assert.ok(typeof row.probability === 'number' && typeof row.seconds === 'number' && row.classLabel);
    }
    assert.equal(summary.rows[0]!.classLabel, 'speech');
    const state = lastState(dax);
    assert.equal(state?.folder?.rows.length, 2, 'the panel state carries the summary');
    assert.deepEqual(state?.folder?.rows, summary.rows);
    assert.equal(state?.active, undefined);
    // The summary filled as the files ran: the panel saw the second file running after the first had finished.
    const states = [...seenStates];
    assert.ok(
      states.some(
        (folder) =>
          folder.state === 'running' &&
          folder.done === 1 &&
          folder.rows[0]?.key !== undefined &&
          folder.rows[1]?.status === 'running',
      ),
      `a state with the first file done and the second running (saw ${states.map((folder) => `[${folder.state}: ${folder.rows.map((row) => row.status).join(', ')}]`).join(' ')})`,
    );
    // Choosing a row opens its result.
    for (const row of summary.rows) {
      dax.panel.handle({ type: 'panel/selectRunCommand', key: row.key! });
      await until(() => lastState(dax)?.current?.summary.key === row.key, 10_000, `${row.file}'s result to be shown`);
      assert.equal(lastState(dax)?.current?.summary.inputName, row.file);
    }
    // Export Folder Summary as CSV writes the same table, one row per file in run order.
    const csv = vscode.Uri.file(path.join(os.tmpdir(), `dax-folder-${Date.now()}.csv`));
    const written = await vscode.commands.executeCommand<vscode.Uri | undefined>('dax.exportFolderSummary', csv);
    assert.equal(written?.fsPath, csv.fsPath);
    const lines = readFileSync(csv.fsPath, 'utf8').trimEnd().split('\r\n');
    assert.equal(lines[0], 'file,status,class,probability,queries,seconds,error');
    assert.deepEqual(
      lines.slice(1).map((line) => line.split(',').slice(0, 2).join(',')),
      summary.rows.map((row) => `${row.file},${row.status}`),
    );
    rmSync(csv.fsPath, { force: true });
  });

  it('again: the files come from the cache at once, and a file that fails is recorded while the batch goes on', async () => {
    const dax = await api();
    const broken = vscode.Uri.joinPath(workspaceFolder(), 'broken.png');
    writeFileSync(broken.fsPath, 'not a png');
    try {
      const started = Date.now();
      const summary = await explainFolder(workspaceFolder());
      const ms = Date.now() - started;
      assert.deepEqual(
        statuses(summary).map((text) => text.replace(/ \(.*\)$/, '')),
        ['broken.png: failed', 'open-the-door.wav: cached', 'stationery-sign.jpg: cached'],
      );
      assert.match(summary!.rows[0]!.error ?? '', /broken\.png/);
      assert.equal(summary!.rows[0]!.key, undefined);
      assert.ok(ms < 15_000, `done in ${ms} ms`);
      assert.equal(lastState(dax)?.folder?.rows[0]?.status, 'failed');
      assert.equal(lastState(dax)?.error, undefined, "a batch's failure is in its row, not in the banner");
    } finally {
      rmSync(broken.fsPath, { force: true });
    }
  });

  it('with dax.folder.recursive, subfolders too (dot-folders never)', async () => {
    const root = workspaceFolder().fsPath;
    mkdirSync(path.join(root, 'more'), { recursive: true });
    mkdirSync(path.join(root, '.hidden'), { recursive: true });
    copyFileSync(path.join(root, 'stationery-sign.jpg'), path.join(root, 'more', 'copy.jpg'));
    copyFileSync(path.join(root, 'stationery-sign.jpg'), path.join(root, '.hidden', 'copy.jpg'));
    try {
      const top = await explainFolder(workspaceFolder());
      assert.deepEqual(
        top?.rows.map((row) => row.file),
        FILES,
        'the top level only by default',
      );
      await config().update('folder.recursive', true, vscode.ConfigurationTarget.Workspace);
      const all = await explainFolder(workspaceFolder());
      // The copy has the same content, model and settings as stationery-sign.jpg: its result is the cached one.
      assert.deepEqual(statuses(all), [
        'more/copy.jpg: cached',
        'open-the-door.wav: cached',
        'stationery-sign.jpg: cached',
      ]);
    } finally {
      await config().update('folder.recursive', undefined, vscode.ConfigurationTarget.Workspace);
      rmSync(path.join(root, 'more'), { recursive: true, force: true });
      rmSync(path.join(root, '.hidden'), { recursive: true, force: true });
    }
  });

  it('Cancel stops the file that is running and the rest, and stores nothing', async () => {
    const dax = await api();
    await config().update('samples', 400, vscode.ConfigurationTarget.Workspace);
    await config().update('epochs', 40, vscode.ConfigurationTarget.Workspace);
    try {
      const before = (await dax.runner.snapshot()).history.length;
      const posted = postedFromNow(dax);
      const pending = explainFolder(workspaceFolder());
      await until(
        () => dax.runner.running && posted().some((message) => message.type === 'panel/didProgress'),
        30_000,
        'the first file to start',
      );
      assert.equal(lastState(dax)?.folder?.rows[0]?.status, 'running');
      const asked = Date.now();
      await vscode.commands.executeCommand('dax.cancel');
      const summary = await pending;
      assert.ok(Date.now() - asked < 5000, `stopped in ${Date.now() - asked} ms`);
      assert.equal(summary?.state, 'cancelled');
      assert.deepEqual(
        statuses(summary),
        ['open-the-door.wav: cancelled', 'stationery-sign.jpg: cancelled'],
        'the running file and the one after it',
      );
      assert.equal(lastState(dax)?.folder?.state, 'cancelled');
      assert.equal(dax.runner.running, false);
      assert.equal((await dax.runner.snapshot()).history.length, before, 'nothing stored');
    } finally {
      await config().update('samples', 40, vscode.ConfigurationTarget.Workspace);
      await config().update('epochs', 1, vscode.ConfigurationTarget.Workspace);
    }
  });
});
