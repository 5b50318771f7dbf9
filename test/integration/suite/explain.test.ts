// Explaining through the real extension host: the worker runs the engine, the panel gets the result, Cancel
// works, a bad model leaves earlier results alone, and a killed worker is replaced on the next run.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { DaxExtensionApi } from '../../../src/extension/extension';
import type { PanelStateNotification } from '../../../src/shared/protocol';

const EXTENSION_ID = 'dax-explain.dax-explain';

function workspaceFile(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the tests run in a workspace');
  return vscode.Uri.joinPath(folder.uri, name);
}

async function api(): Promise<DaxExtensionApi> {
  const extension = vscode.extensions.getExtension<DaxExtensionApi>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is installed`);
  return extension.activate();
}

/**
 * The panel's state after the last snapshot, as the panel has it: pixels a snapshot left out (it had them already)
 * are those of the latest earlier snapshot of the same result that carried them.
 */
function lastState(dax: DaxExtensionApi): PanelStateNotification | undefined {
  const states = dax.panel.posted.filter(
    (message): message is PanelStateNotification => message.type === 'panel/didChangeState',
  );
  const last = states.at(-1);
  if (!last?.omitted?.display || !last.current) return last;
  const key = last.current.summary.key;
  const carried = [...states].reverse().find((state) => state.current?.summary.key === key && state.current.display);
  return carried ? { ...last, current: { ...last.current, display: carried.current!.display } } : last;
}

/** Whether a command's result is "nothing" (asserting on a result itself would make mocha print megabytes of pixels). */
const isNothing = (value: unknown): boolean => value === undefined;

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('dax');

describe('Explain with DAX', function () {
  this.timeout(240_000);
  let originalModels: unknown;

  before(async () => {
    originalModels = config().inspect('models')?.workspaceValue;
    // Small runs: the behaviour under test is the plumbing, not the map.
    await config().update('samples', 120, vscode.ConfigurationTarget.Workspace);
    await config().update('epochs', 2, vscode.ConfigurationTarget.Workspace);
  });

  after(async () => {
    await config().update('models', originalModels, vscode.ConfigurationTarget.Workspace);
    await config().update('samples', undefined, vscode.ConfigurationTarget.Workspace);
    await config().update('epochs', undefined, vscode.ConfigurationTarget.Workspace);
  });

  it('runs end to end through the worker, and the panel receives the result', async () => {
    const dax = await api();
    const view = await vscode.commands.executeCommand<unknown>('dax.explain', workspaceFile('stationery-sign.jpg'));
    assert.ok(view, 'a result');
    const state = lastState(dax);
    assert.ok(state?.current, 'the panel got a state with the result');
    assert.equal(state.current.report.target.label, '0');
    assert.equal(state.current.report.queries, 120);
    assert.ok(state.current.display.saliency.length === state.current.display.width * state.current.display.height);
    assert.ok(
      state.history.some((entry) => entry.key === state.current!.summary.key),
      'and it is in the history',
    );
    assert.equal(state.current.summary.cached, false, 'a fresh run is not "from cache"');
    assert.ok(
      state.history.every((entry) => !entry.cached),
      'nor is any history entry',
    );
  });

  it('explaining the same image again shows the cached result at once', async () => {
    const dax = await api();
    const started = Date.now();
    await vscode.commands.executeCommand('dax.explain', workspaceFile('stationery-sign.jpg'));
    assert.equal(lastState(dax)?.current?.summary.cached, true);
    assert.ok(Date.now() - started < 5000, `cached in ${Date.now() - started} ms`);
  });

  it('Score Against Ground Truth: a mask image gives the IoU and the pointing game, kept in the report; a file that is not an image changes nothing', async () => {
    const dax = await api();
    await vscode.commands.executeCommand('dax.explain', workspaceFile('stationery-sign.jpg'));
    const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
    const mask = path.join(extension.extensionPath, 'examples', 'stationery-sign.mask.png');
    const scored = await vscode.commands.executeCommand<unknown>('dax.scoreGroundTruth', mask);
    assert.ok(!isNothing(scored), 'a scored result');
    const current = lastState(dax)?.current;
    const truth = current?.report.groundTruth;
    assert.ok(truth, 'the panel shows the scores');
    assert.equal(truth.file, mask);
    assert.ok(truth.bestIou > 0 && truth.bestIou <= 1 && truth.iouAt02 >= 0, JSON.stringify(truth));
    assert.ok(current.display.saliency.length > 0, 'with the pixels');
    const onDisk = JSON.parse(readFileSync(current.report.outputs!.report, 'utf8')) as { groundTruth?: unknown };
    assert.deepEqual(onDisk.groundTruth, truth, 'the report file keeps them');

    const notAnImage = workspaceFile('.vscode/settings.json').fsPath;
    assert.ok(isNothing(await vscode.commands.executeCommand<unknown>('dax.scoreGroundTruth', notAnImage)));
    assert.deepEqual(lastState(dax)?.current?.report.groundTruth, truth, 'the earlier scores stay');
  });

  it('DAX: Cancel stops a run and stores nothing', async () => {
    const dax = await api();
    // Long enough to be cancelled mid-training: 1500 queries, at least six epochs of ~45 steps.
    await config().update('samples', 1500, vscode.ConfigurationTarget.Workspace);
    await config().update('epochs', 200, vscode.ConfigurationTarget.Workspace);
    const before = (await dax.runner.snapshot()).history.length;
    const seen = dax.panel.posted.length;
    const pending = vscode.commands.executeCommand<unknown>('dax.explain', workspaceFile('stationery-sign.jpg'));
    await until(
      () =>
        dax.panel.posted
          .slice(seen)
          .some((message) => message.type === 'panel/didProgress' && message.progress.type === 'step'),
      120_000,
      'training to start',
    );
    const asked = Date.now();
    await vscode.commands.executeCommand('dax.cancel');
    assert.ok(isNothing(await pending), 'the cancelled run gives no result');
    assert.ok(Date.now() - asked < 3000, `cancelled in ${Date.now() - asked} ms`);
    assert.equal((await dax.runner.snapshot()).history.length, before);
    await config().update('samples', 120, vscode.ConfigurationTarget.Workspace);
    await config().update('epochs', 2, vscode.ConfigurationTarget.Workspace);
  });

  it('a bad model path gives an error and leaves earlier results intact', async () => {
    const dax = await api();
    const before = await dax.runner.snapshot();
    await config().update(
      'models',
      [{ name: 'broken', path: 'no-such-model.onnx' }],
      vscode.ConfigurationTarget.Workspace,
    );
    await config().update('activeModel', 'broken', vscode.ConfigurationTarget.Workspace);
    const result = await vscode.commands.executeCommand<unknown>('dax.explain', workspaceFile('stationery-sign.jpg'));
    assert.ok(isNothing(result), 'no result from a model that does not exist');
    const after = await dax.runner.snapshot();
    assert.match(
      after.error?.message ?? '',
      /no-such-model\.onnx named by dax\.models\[0\] \(in the workspace settings\) does not exist/,
    );
    assert.deepEqual(
      after.history.map((entry) => entry.key),
      before.history.map((entry) => entry.key),
    );
    assert.equal(after.current?.summary.key, before.current?.summary.key, 'the result on show stays');
    await config().update('models', originalModels, vscode.ConfigurationTarget.Workspace);
    await config().update('activeModel', undefined, vscode.ConfigurationTarget.Workspace);
  });

  it('a dax.models entry may be the path of a description JSON, whose relative paths start at its folder', async () => {
    const dax = await api();
    const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
    const description = vscode.Uri.joinPath(extension.extensionUri, 'examples', 'text-direction.model.json').fsPath;
    await config().update('models', [description], vscode.ConfigurationTarget.Workspace);
    try {
      const view = await vscode.commands.executeCommand<unknown>('dax.explain', workspaceFile('stationery-sign.jpg'));
      assert.ok(view, 'a result from the model the description names');
      assert.equal((await dax.runner.snapshot()).error, undefined);
      assert.equal(lastState(dax)?.current?.report.target.label, '0');
    } finally {
      await config().update('models', originalModels, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('with only a sound model configured, an image is told there is no image model; Dismiss clears the banner', async () => {
    const dax = await api();
    const models = originalModels as Record<string, unknown>[];
    const soundOnly = models.filter((model) => typeof model.audio === 'object');
    assert.equal(soundOnly.length, 1, 'the workspace names one sound model');
    await config().update('models', soundOnly, vscode.ConfigurationTarget.Workspace);
    try {
      assert.ok(
        isNothing(await vscode.commands.executeCommand<unknown>('dax.explain', workspaceFile('stationery-sign.jpg'))),
      );
      const error = (await dax.runner.snapshot()).error;
      assert.match(
        error?.message ?? '',
        /no image model is configured for stationery-sign\.jpg \(the 1 model\(s\) in "dax\.models" take sounds\)/,
      );
      dax.panel.handle({ type: 'panel/dismissErrorCommand' });
      let cleared = false;
      for (let i = 0; i < 50 && !cleared; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        cleared = (await dax.runner.snapshot()).error === undefined;
      }
      assert.ok(cleared, 'the banner was dismissed');
    } finally {
      await config().update('models', originalModels, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('after the worker is killed, the next run works', async () => {
    const dax = await api();
    await config().update('seed', 7, vscode.ConfigurationTarget.Workspace);
    await config().update('samples', 1500, vscode.ConfigurationTarget.Workspace);
    await config().update('epochs', 200, vscode.ConfigurationTarget.Workspace);
    const pending = vscode.commands.executeCommand<unknown>('dax.explain', workspaceFile('stationery-sign.jpg'));
    const seen = dax.panel.posted.length;
    await until(
      () =>
        dax.panel.posted
          .slice(seen)
          .some((message) => message.type === 'panel/didProgress' && message.progress.type === 'step'),
      120_000,
      'training to start',
    );
    dax.worker.kill();
    assert.ok(isNothing(await pending), 'the run that was going gives no result');
    assert.match((await dax.runner.snapshot()).error?.message ?? '', /worker process was killed/);
    await config().update('samples', 120, vscode.ConfigurationTarget.Workspace);
    await config().update('epochs', 2, vscode.ConfigurationTarget.Workspace);
    const view = await vscode.commands.executeCommand<unknown>('dax.explain', workspaceFile('stationery-sign.jpg'));
    assert.ok(view, 'a new worker answered');
    await config().update('seed', undefined, vscode.ConfigurationTarget.Workspace);
  });

  it('requests made while a run is going are queued, not lost', async () => {
    const dax = await api();
    const image = workspaceFile('stationery-sign.jpg');
    const first = dax.runner.explain(image, { target: 0, force: true });
    const second = dax.runner.explain(image, { target: 1, force: true });
    await until(() => dax.runner.running, 30_000, 'the first run to start');
    assert.equal((await dax.runner.snapshot()).active?.queued, 1, 'the second waits its turn');
    const [a, b] = await Promise.all([first, second]);
    assert.equal(a?.report.target.index ?? -1, 0);
    assert.equal(b?.report.target.index ?? -1, 1, 'the queued request ran, for the class it asked for');
  });

  it('choosing another class in the panel explains that class; the history brings back the earlier result', async () => {
    const dax = await api();
    const first = await dax.runner.explain(workspaceFile('stationery-sign.jpg'));
    assert.ok(first, 'a result to start from');
    const startedWith = first.report.target.index;
    const other = 1 - startedWith;
    dax.panel.handle({ type: 'panel/explainClassCommand', key: first.summary.key, classIndex: other });
    await until(
      () => lastState(dax)?.current?.report.target.index === other && !dax.runner.running,
      120_000,
      'the other class to be explained',
    );
    dax.panel.handle({ type: 'panel/selectRunCommand', key: first.summary.key });
    await until(
      () => lastState(dax)?.current?.summary.key === first.summary.key,
      10_000,
      'the earlier result to be shown',
    );
    assert.equal(lastState(dax)?.current?.report.target.index, startedWith);
  });
});

describe('Explain with DAX on a sound', function () {
  this.timeout(240_000);

  it('picks the audio model for a .wav, and the panel gets the spectrogram, the curve and the three sounds', async () => {
    const dax = await api();
    await config().update('samples', 60, vscode.ConfigurationTarget.Workspace);
    await config().update('epochs', 1, vscode.ConfigurationTarget.Workspace);
    try {
      const view = await vscode.commands.executeCommand<unknown>('dax.explain', workspaceFile('open-the-door.wav'));
      assert.ok(!isNothing(view), 'a result');
      const current = lastState(dax)?.current;
      assert.ok(current, 'the panel got a state with the result');
      assert.equal(current.report.model.name, 'speech activity (Silero VAD v5)');
      assert.equal(current.report.target.label, 'speech');
      assert.equal(current.report.queries, 60);
      const audio = current.display.audio;
      assert.ok(audio, 'the display carries the sounds');
      assert.equal(audio.sampleRate, 16000);
      assert.equal(audio.original.length, 48000);
      assert.equal(audio.kept.length, 48000);
      assert.equal(audio.removed.length, 48000);
      assert.equal(audio.timeSaliency.length, current.report.audio?.timeSaliency.length);
      assert.ok(current.report.outputs?.kept?.endsWith('open-the-door.kept.wav'));
      assert.equal(current.display.saliency.length, current.display.width * current.display.height);
    } finally {
      await config().update('samples', undefined, vscode.ConfigurationTarget.Workspace);
      await config().update('epochs', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('shows the cached sound result again with its sounds (restored from the store)', async () => {
    const dax = await api();
    await config().update('samples', 60, vscode.ConfigurationTarget.Workspace);
    await config().update('epochs', 1, vscode.ConfigurationTarget.Workspace);
    try {
      const key = lastState(dax)?.current?.summary.key;
      assert.ok(key, 'a previous result');
      await vscode.commands.executeCommand('dax.explain', workspaceFile('open-the-door.wav'));
      const current = lastState(dax)?.current;
      assert.equal(current?.summary.cached, true);
      assert.equal(current?.display.audio?.kept.length, 48000);

      // A ground-truth interval: the time IoU of the top interval, drawn on the timeline; one past the end is refused.
      assert.ok(!isNothing(await vscode.commands.executeCommand<unknown>('dax.scoreGroundTruth', '0.5-1.5')));
      const scored = lastState(dax)?.current;
      const truth = scored?.report.audio?.groundTruth;
      assert.ok(truth && truth.start === 0.5 && truth.end === 1.5, JSON.stringify(truth));
      assert.ok(truth.timeIou >= 0 && truth.timeIou <= 1);
      assert.deepEqual(scored?.display.audio?.truth, { start: 0.5, end: 1.5 });
      assert.ok(isNothing(await vscode.commands.executeCommand<unknown>('dax.scoreGroundTruth', '5-9')));
      assert.deepEqual(lastState(dax)?.current?.report.audio?.groundTruth, truth);
    } finally {
      await config().update('samples', undefined, vscode.ConfigurationTarget.Workspace);
      await config().update('epochs', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});

describe('DAX: Compare Methods', function () {
  this.timeout(240_000);

  it('runs every method at the same budget and the panel shows the table', async () => {
    const dax = await api();
    await config().update('samples', 120, vscode.ConfigurationTarget.Workspace);
    await config().update('epochs', 2, vscode.ConfigurationTarget.Workspace);
    const comparison = (await vscode.commands.executeCommand<unknown>(
      'dax.compareMethods',
      workspaceFile('stationery-sign.jpg'),
    )) as { rows?: { method: string; queries: number }[] } | undefined;
    assert.ok(comparison?.rows, 'a comparison');
    assert.deepEqual(
      comparison.rows.map((row) => row.method),
      ['dax', 'rise', 'lime', 'occlusion'],
    );
    assert.ok(
      comparison.rows.every((row) => row.queries <= 120),
      'every method within the budget',
    );
    assert.deepEqual(
      lastState(dax)?.comparison?.rows.map((row) => row.method),
      ['dax', 'rise', 'lime', 'occlusion'],
    );
    await config().update('samples', undefined, vscode.ConfigurationTarget.Workspace);
    await config().update('epochs', undefined, vscode.ConfigurationTarget.Workspace);
  });

  it('refuses a text file, and with a text file active offers a picker of the workspace’s images; progress says which method runs', async () => {
    const dax = await api();
    await config().update('samples', 120, vscode.ConfigurationTarget.Workspace);
    await config().update('epochs', 2, vscode.ConfigurationTarget.Workspace);
    try {
      const notes = workspaceFile('notes.txt');
      await vscode.workspace.fs.writeFile(notes, new TextEncoder().encode('not an image'));
      const seen = dax.panel.posted.length;
      assert.ok(
        isNothing(await vscode.commands.executeCommand<unknown>('dax.compareMethods', notes)),
        'a .txt gives nothing',
      );
      assert.ok(
        !dax.panel.posted.slice(seen).some((message) => message.type === 'panel/didChangeState' && message.active),
        'and starts no run',
      );
      await vscode.window.showTextDocument(notes);
      const pending = vscode.commands.executeCommand<{ input: { file: string } } | undefined>('dax.compareMethods');
      let settled = false;
      void pending.then(
        () => (settled = true),
        () => (settled = true),
      );
      // Which method the panel is told runs, sampled while the comparison goes (the posted log is bounded).
      const titles = new Set<string>();
      const sampling = (async () => {
        while (!settled) {
          for (const message of dax.panel.posted) {
            const comparing = message.type === 'panel/didChangeState' ? message.active?.comparing : undefined;
            if (comparing) titles.add(`${comparing.index}/${comparing.count} ${comparing.method}`);
          }
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      // The picker lists the workspace's images (stationery-sign.jpg only, here): accept the first.
      const asked = Date.now();
      while (!dax.runner.running && !settled && Date.now() - asked < 15_000) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      }
      const comparison = await pending;
      assert.ok(
        comparison?.input.file.endsWith('stationery-sign.jpg'),
        `the picked image was compared (${comparison?.input.file})`,
      );
      await sampling;
      assert.ok(
        titles.has('2/4 rise') && titles.has('4/4 occlusion'),
        `the panel was told which method runs: ${[...titles].join(', ')}`,
      );
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      await config().update('samples', undefined, vscode.ConfigurationTarget.Workspace);
      await config().update('epochs', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('the comparison stays with its file: not under a sound explained after it, back with the image’s result', async () => {
    const dax = await api();
    try {
      assert.ok(lastState(dax)?.comparison, 'the comparison of the test before is shown');
      await config().update('samples', 60, vscode.ConfigurationTarget.Workspace);
      await config().update('epochs', 1, vscode.ConfigurationTarget.Workspace);
      assert.ok(
        !isNothing(await vscode.commands.executeCommand<unknown>('dax.explain', workspaceFile('open-the-door.wav'))),
        'the sound is explained',
      );
      const underSound = lastState(dax);
      assert.match(underSound?.current?.summary.inputName ?? '', /open-the-door\.wav/);
      assert.equal(underSound?.comparison, undefined, 'no comparison of stationery-sign.jpg under the sound');
      await config().update('samples', 120, vscode.ConfigurationTarget.Workspace);
      await config().update('epochs', 2, vscode.ConfigurationTarget.Workspace);
      await vscode.commands.executeCommand('dax.explain', workspaceFile('stationery-sign.jpg'));
      const withImage = lastState(dax);
      assert.match(withImage?.current?.summary.inputName ?? '', /stationery-sign\.jpg/);
      assert.ok(
        withImage?.comparison?.input.file.endsWith('stationery-sign.jpg'),
        'the image’s comparison is back with its result',
      );
    } finally {
      await config().update('samples', undefined, vscode.ConfigurationTarget.Workspace);
      await config().update('epochs', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('Ground truth… on the comparison: the panel’s message scores every map against the mask (no run, the maps not sent again); a file that is not an image changes nothing', async () => {
    const dax = await api();
    const shown = lastState(dax)?.comparison;
    assert.ok(shown, 'the comparison of the tests before is shown');
    assert.ok(
      shown.rows.every((row) => row.iouAt02 === undefined),
      'without IoU yet',
    );
    const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
    const mask = path.join(extension.extensionPath, 'examples', 'stationery-sign.mask.png');
    // The file dialog the host opens for the message answers with the mask (the extension shares this API object).
    const window = vscode.window as { showOpenDialog: typeof vscode.window.showOpenDialog };
    const showOpenDialog = window.showOpenDialog;
    const asked: (string | undefined)[] = [];
    window.showOpenDialog = async (options) => {
      asked.push(options?.title);
      return [vscode.Uri.file(mask)];
    };
    const seen = dax.panel.posted.length;
    try {
      dax.panel.handle({ type: 'panel/comparisonGroundTruthCommand' });
      await until(
        () => lastState(dax)?.comparison?.rows.every((row) => row.iouAt02 !== undefined) === true,
        30_000,
        'the comparison with its IoU columns',
      );
    } finally {
      window.showOpenDialog = showOpenDialog;
    }
    assert.equal(asked.length, 1, 'one dialog');
    assert.match(asked[0] ?? '', /mask for the comparison on stationery-sign\.jpg/);
    const state = lastState(dax)!;
    const scored = state.comparison!;
    assert.equal(scored.groundTruthFile, mask);
    assert.deepEqual(
      scored.rows.map((row) => [row.method, row.queries, row.deletionAuc]),
      shown.rows.map((row) => [row.method, row.queries, row.deletionAuc]),
      'the same runs: nothing ran again',
    );
    for (const row of scored.rows) {
      const single = await dax.worker.scoreMask(row.saliency!, mask);
      assert.deepEqual(
        [row.iouAt02, row.bestIou, row.pointingHit],
        [single.iouAt02, single.bestIou, single.pointingHit],
        `${row.method} scores as its map alone would`,
      );
    }
    assert.ok(
      !dax.panel.posted.slice(seen).some((message) => message.type === 'panel/didChangeState' && message.active),
      'no run started',
    );
    assert.equal(state.omitted?.comparisonDetail, true, 'the maps were not sent again');

    const notAnImage = workspaceFile('.vscode/settings.json').fsPath;
    assert.ok(isNothing(await dax.runner.scoreComparisonGroundTruth(notAnImage)), 'a text file scores nothing');
    assert.deepEqual(lastState(dax)?.comparison, scored, 'and the comparison stays as it was');
  });
});

describe('the panel gets pixels once per result', () => {
  it('a later snapshot of the same result leaves the pixels out, and a reloaded panel gets them again', async () => {
    const dax = await api();
    await vscode.commands.executeCommand('dax.explain', workspaceFile('stationery-sign.jpg'));
    await dax.panel.refresh();
    const slim = dax.panel.posted.filter((m): m is PanelStateNotification => m.type === 'panel/didChangeState').at(-1);
    assert.ok(slim?.current, 'a result is shown');
    assert.equal(slim.omitted?.display, true);
    assert.equal((slim.current as { display?: unknown }).display, undefined);
    dax.panel.handle({ type: 'panel/readyCommand' });
    await until(
      () => {
        const state = dax.panel.posted.at(-1);
        return state?.type === 'panel/didChangeState' && state.current?.display !== undefined;
      },
      10_000,
      'a whole snapshot for the reloaded panel',
    );
  });
});
