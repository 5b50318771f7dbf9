// Activation: the output channel, the worker client, the result store, the panel and the commands. The only
// code that imports `vscode` lives in this folder; the engine runs in the worker process.
import path from 'node:path';
import * as vscode from 'vscode';
import type { PanelToHost } from '../shared/protocol';
import { exportResult } from './commands/exportResult';
import { selectModel } from './commands/selectModel';
import { EndpointSecrets, storeEndpointSecret } from './endpointSecrets';
import { PanelController } from './panel/panelController';
import { Runner } from './runner';
import { RunStore } from './runStore';
import { IMAGE_EXTENSIONS, SOUND_EXTENSIONS, inputKind } from './settings';
import { WorkerClient } from './workerClient';

/** What `activate` returns: handles for the integration tests (not a public API). */
export interface DaxExtensionApi {
  runner: Runner;
  worker: WorkerClient;
  panel: PanelController;
}

export function activate(context: vscode.ExtensionContext): DaxExtensionApi {
  const log = vscode.window.createOutputChannel('DAX', { log: true });
  const worker = new WorkerClient({ script: path.join(context.extensionPath, 'dist', 'worker.js'), log: (line) => log.info(line) });
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
  const runner = new Runner(worker, store, () => panel, log);
  panel = new PanelController(vscode.Uri.joinPath(context.extensionUri, 'dist'), () => runner.snapshot(), (command) => void onPanelCommand(command));

  async function onPanelCommand(command: PanelToHost): Promise<void> {
    switch (command.type) {
      case 'panel/selectRunCommand':
        return runner.select(command.key);
      case 'panel/cancelCommand':
        return runner.cancel();
      case 'panel/exportCommand':
        await exportResult(runner.currentView?.summary.key === command.key ? runner.currentView : await store.get(command.key), command.what);
        return;
      case 'panel/rerunCommand':
      case 'panel/explainClassCommand': {
        const job = await store.jobOf(command.key);
        if (!job) return;
        const target = command.type === 'panel/explainClassCommand' ? command.classIndex : job.target;
        await runner.explain(vscode.Uri.file(job.imageFile), { job, target, force: command.type === 'panel/rerunCommand' });
        return;
      }
    }
  }

  const explain = async (uri?: vscode.Uri): Promise<unknown> => {
    const target = uri ?? activeFileUri();
    if (!target) {
      void vscode.window.showInformationMessage('DAX: open an image or a sound (or right-click one in the explorer) to explain it.');
      return undefined;
    }
    if (!inputKind(target.fsPath)) {
      void vscode.window.showWarningMessage(`DAX: ${path.basename(target.fsPath)} is not an image or a sound DAX can read (${[...IMAGE_EXTENSIONS, ...SOUND_EXTENSIONS].join(', ')}).`);
      return undefined;
    }
    return runner.explain(target);
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
    vscode.commands.registerCommand('dax.selectModel', selectModel),
    vscode.commands.registerCommand('dax.compareMethods', async (uri?: vscode.Uri) => {
      const target = uri ?? activeFileUri();
      if (!target) {
        void vscode.window.showInformationMessage('DAX: open an image (or right-click one in the explorer) to compare the methods on it.');
        return undefined;
      }
      return runner.compare(target);
    }),
    vscode.commands.registerCommand('dax.cancel', () => runner.cancel()),
    vscode.commands.registerCommand('dax.storeEndpointSecret', async (name?: string, value?: string) => {
      const stored = await storeEndpointSecret(secrets, name, value);
      if (stored) await refreshSecrets();
      return stored;
    }),
    secrets.onDidChange(() => void refreshSecrets()),
    vscode.commands.registerCommand('dax.showResults', () => panel.show(false)),
    vscode.commands.registerCommand('dax.exportResult', () => exportResult(runner.currentView)),
  );
  log.info(`DAX Explain activated (${vscode.env.appName} ${vscode.version}, ${vscode.workspace.isTrusted ? 'trusted' : 'untrusted'} workspace)`);
  return { runner, worker, panel };
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
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

/** The file of the active editor, including images open in VS Code's image preview (a custom editor). */
function activeFileUri(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputCustom || input instanceof vscode.TabInputText) return input.uri;
  return vscode.window.activeTextEditor?.document.uri;
}
