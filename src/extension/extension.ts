// Activation: the output channel, the worker client, the result store, the panel and the commands. The only
// code that imports `vscode` lives in this folder; the engine runs in the worker process.
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { PanelToHost } from '../shared/protocol';
import { exportFolderCsv, exportResult, exportView } from './commands/exportResult';
import { selectModel } from './commands/selectModel';
import { EndpointSecrets, storeEndpointSecret } from './endpointSecrets';
import { PanelController } from './panel/panelController';
import { Runner } from './runner';
import { RunStore } from './runStore';
import {
  configuredModels,
  IMAGE_EXTENSIONS,
  inputKind,
  modelModality,
  modelTimeoutMs,
  SOUND_EXTENSIONS,
} from './settings';
import { WorkerClient } from './workerClient';

/** The commands the panel's welcome view may run (a message naming another one is ignored). */
const PANEL_COMMANDS = new Set<string>([
  'dax.selectModel',
  'dax.explainActiveFile',
  'dax.compareMethods',
  'dax.explainFolder',
  'dax.openWalkthrough',
]);

/** What `activate` returns: handles for the integration tests (not a public API). */
export interface DaxExtensionApi {
  runner: Runner;
  worker: WorkerClient;
  panel: PanelController;
}

export function activate(context: vscode.ExtensionContext): DaxExtensionApi {
  const log = vscode.window.createOutputChannel('DAX', { log: true });
  const worker = new WorkerClient({
    script: path.join(context.extensionPath, 'dist', 'worker.js'),
    log: (line) => log.info(line),
    modelTimeoutMs,
  });
  const store = new RunStore((context.storageUri ?? context.globalStorageUri).fsPath);
  const secrets = new EndpointSecrets(context.secrets, context.globalState);
  // The worker gets the stored secrets as environment variables; loading them is quick, and a worker started
  // before they arrive is replaced once idle (WorkerClient.setEnvironment).
  const refreshSecrets = (): Promise<void> =>
    secrets.environment().then(
      (env) => worker.setEnvironment(env),
      (error: Error) => log.warn(`could not read the endpoint secrets: ${error.message}`),
    );
  void refreshSecrets();
  let panel: PanelController;
  const runner = new Runner(worker, store, () => panel, log, context.workspaceState);
  panel = new PanelController(
    vscode.Uri.joinPath(context.extensionUri, 'dist'),
    () => runner.snapshot(),
    (command) => void onPanelCommand(command),
  );

  async function onPanelCommand(command: PanelToHost): Promise<void> {
    switch (command.type) {
      case 'panel/selectRunCommand':
        return runner.select(command.key);
      case 'panel/cancelCommand':
        return runner.cancel();
      case 'panel/dismissErrorCommand':
        return runner.dismissError();
      case 'panel/runCommandCommand':
        if (PANEL_COMMANDS.has(command.command)) await vscode.commands.executeCommand(command.command);
        return;
      case 'panel/exportCommand':
        await exportResult(
          runner.currentView?.summary.key === command.key ? runner.currentView : await store.get(command.key),
          command.what,
        );
        return;
      case 'panel/exportViewCommand':
        await exportView(
          runner.currentView?.summary.key === command.key ? runner.currentView : await store.get(command.key),
          command.png,
          command.shown,
        );
        return;
      case 'panel/groundTruthCommand':
        await runner.scoreGroundTruth(command.key);
        return;
      case 'panel/comparisonGroundTruthCommand':
        await runner.scoreComparisonGroundTruth();
        return;
      case 'panel/exportFolderCommand':
        await exportFolderCsv(await runner.folderSummary());
        return;
      case 'panel/rerunCommand':
      case 'panel/explainClassCommand': {
        const job = await store.jobOf(command.key);
        if (!job) return;
        const target = command.type === 'panel/explainClassCommand' ? command.classIndex : job.target;
        await runner.explain(vscode.Uri.file(job.inputFile), {
          job,
          target,
          force: command.type === 'panel/rerunCommand',
        });
        return;
      }
    }
  }

  const explain = async (uri?: vscode.Uri): Promise<unknown> => {
    const target = await inputFor(uri, 'any', context.extensionUri);
    return target ? runner.explain(target) : undefined;
  };

  context.subscriptions.push(
    log,
    panel,
    runner,
    { dispose: () => worker.dispose() },
    vscode.commands.registerCommand('dax.explain', explain),
    vscode.commands.registerCommand('dax.explainActiveFile', () => explain(undefined)),
    vscode.commands.registerCommand('dax.explainFolder', async (uri?: vscode.Uri) => {
      const folder = uri ?? (await pickFolder());
      return folder ? runner.explainFolder(folder) : undefined;
    }),
    vscode.commands.registerCommand('dax.selectModel', () =>
      selectModel((model, baseDir) => worker.inspect(model, baseDir)),
    ),
    vscode.commands.registerCommand('dax.chooseActiveModel', chooseActiveModel),
    vscode.commands.registerCommand('dax.compareMethods', async (uri?: vscode.Uri) => {
      const target = await inputFor(uri, 'image', context.extensionUri);
      return target ? runner.compare(target) : undefined;
    }),
    vscode.commands.registerCommand('dax.cancel', () => runner.cancel()),
    vscode.commands.registerCommand('dax.storeEndpointSecret', async (name?: string, value?: string) => {
      const stored = await storeEndpointSecret(secrets, name, value);
      if (stored) await refreshSecrets();
      return stored;
    }),
    secrets.onDidChange(() => void refreshSecrets()),
    vscode.commands.registerCommand('dax.showResults', () => panel.show(false)),
    vscode.commands.registerCommand('dax.openWalkthrough', () =>
      vscode.commands.executeCommand(
        'workbench.action.openWalkthrough',
        `${context.extension.id}#dax.gettingStarted`,
        false,
      ),
    ),
    vscode.commands.registerCommand('dax.exportResult', () => exportResult(runner.currentView)),
    vscode.commands.registerCommand('dax.scoreGroundTruth', (given?: string) =>
      runner.scoreGroundTruth(undefined, typeof given === 'string' ? given : undefined),
    ),
    vscode.commands.registerCommand('dax.exportFolderSummary', async (target?: vscode.Uri) =>
      exportFolderCsv(await runner.folderSummary(), target instanceof vscode.Uri ? target : undefined),
    ),
  );
  log.info(
    `DAX Explain activated (${vscode.env.appName} ${vscode.version}, ${vscode.workspace.isTrusted ? 'trusted' : 'untrusted'} workspace)`,
  );
  return { runner, worker, panel };
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}

/** "DAX: Choose the Active Model…": a pick of the configured models (by kind of input), saved as `dax.activeModel`. */
async function chooseActiveModel(): Promise<string | undefined> {
  const { models } = configuredModels();
  if (models.length === 0) {
    const choice = await vscode.window.showInformationMessage('DAX: no model is configured yet.', 'Select Model…');
    if (choice) await vscode.commands.executeCommand('dax.selectModel');
    return undefined;
  }
  const current = vscode.workspace.getConfiguration('dax').get<string>('activeModel');
  const picked = await vscode.window.showQuickPick(
    models.map((model) => ({
      label: model.name,
      description: `${modelModality(model) === 'audio' ? 'sounds' : 'images'} · ${model.setting} in ${model.where}`,
      detail: model.name === current ? 'the active model now' : undefined,
      model,
    })),
    { title: 'DAX: the model to explain with (for its kind of input)' },
  );
  if (!picked) return undefined;
  const target = vscode.workspace.workspaceFolders
    ? vscode.ConfigurationTarget.Workspace
    : vscode.ConfigurationTarget.Global;
  await vscode.workspace.getConfiguration('dax').update('activeModel', picked.model.name, target);
  return picked.model.name;
}

/** From the Command Palette: a folder chosen in a dialog that opens at the (first) workspace folder. */
async function pickFolder(): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    canSelectMany: false,
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    openLabel: 'Explain Folder',
    title: 'DAX: Explain the images and sounds of a folder',
  });
  return picked?.[0];
}

/** The file of the active editor tab (images open in VS Code's image preview, a custom editor, included); never the Output panel or another non-file document. */
function activeFileUri(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  const uri =
    input instanceof vscode.TabInputCustom || input instanceof vscode.TabInputText
      ? input.uri
      : vscode.window.activeTextEditor?.document.uri;
  return uri?.scheme === 'file' ? uri : undefined;
}

/** What a command takes: any input DAX reads, or only images (Compare Methods). */
type Wanted = 'any' | 'image';

function accepts(file: string, wanted: Wanted): boolean {
  const kind = inputKind(file);
  return wanted === 'image' ? kind === 'image' : kind !== undefined;
}

/**
 * The input a command runs on. A file given by the explorer or a caller is checked: one DAX cannot read (a .txt;
 * for Compare Methods a sound too) is refused with a message. Without one, the active editor's file when it is an
 * input; otherwise (nothing open, the Output panel, a text file) a picker of the workspace's inputs with Browse….
 */
async function inputFor(
  uri: vscode.Uri | undefined,
  wanted: Wanted,
  extensionUri: vscode.Uri,
): Promise<vscode.Uri | undefined> {
  const what = wanted === 'image' ? 'an image' : 'an image or a sound';
  const extensions = wanted === 'image' ? IMAGE_EXTENSIONS : [...IMAGE_EXTENSIONS, ...SOUND_EXTENSIONS];
  if (uri) {
    if (accepts(uri.fsPath, wanted)) return uri;
    const name = path.basename(uri.fsPath);
    const message =
      wanted === 'image' && inputKind(uri.fsPath) === 'audio'
        ? `DAX: Compare Methods draws images only so far; ${name} is a sound. Explain it with each method instead (setting "dax.method").`
        : `DAX: ${name} is not ${what} DAX can read (${extensions.join(', ')}).`;
    void vscode.window.showWarningMessage(message);
    return undefined;
  }
  const active = activeFileUri();
  if (active && accepts(active.fsPath, wanted)) return active;
  return pickInput(wanted, extensions, extensionUri);
}

/** A quick pick of the workspace's inputs (at most 200; the bundled example when there are none) and Browse…. */
async function pickInput(
  wanted: Wanted,
  extensions: string[],
  extensionUri: vscode.Uri,
): Promise<vscode.Uri | undefined> {
  const glob = `**/*.{${extensions.map((extension) => extension.slice(1)).join(',')}}`;
  const found = vscode.workspace.workspaceFolders
    ? await vscode.workspace.findFiles(glob, '**/{node_modules,.git,dax-out}/**', 200)
    : [];
  const example = vscode.Uri.joinPath(extensionUri, 'examples', 'stationery-sign.jpg');
  type Item = vscode.QuickPickItem & { uri?: vscode.Uri };
  const files: Item[] = found
    .sort((a, b) => a.fsPath.localeCompare(b.fsPath))
    .map((file) => ({
      label: path.basename(file.fsPath),
      description: vscode.workspace.asRelativePath(path.dirname(file.fsPath)),
      uri: file,
    }));
  if (files.length === 0 && existsSync(example.fsPath))
    files.push({ label: 'stationery-sign.jpg', description: 'the bundled example', uri: example });
  const browse: Item = {
    label: '$(folder-opened) Browse…',
    description: `choose ${wanted === 'image' ? 'an image' : 'a file'} anywhere`,
  };
  const picked = await vscode.window.showQuickPick<Item>(
    [...files, { label: '', kind: vscode.QuickPickItemKind.Separator }, browse],
    {
      title: wanted === 'image' ? 'DAX: Compare Methods on which image?' : 'DAX: Explain which image or sound?',
      placeHolder: `The active editor holds no ${wanted === 'image' ? 'image' : 'image or sound'}; choose one`,
      matchOnDescription: true,
    },
  );
  if (!picked) return undefined;
  if (picked.uri) return picked.uri;
  const chosen = await vscode.window.showOpenDialog({
    canSelectMany: false,
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    filters: {
      [wanted === 'image' ? 'Images' : 'Images and sounds']: extensions.map((extension) => extension.slice(1)),
    },
    openLabel: wanted === 'image' ? 'Compare Methods' : 'Explain',
  });
  const file = chosen?.[0];
  return file && accepts(file.fsPath, wanted) ? file : undefined;
}
