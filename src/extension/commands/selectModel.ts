// "DAX: Select Model…": pick a configured model, or browse for a model file and answer the few questions its
// preprocessing needs; the description is saved to the workspace settings (`dax.models`, `dax.activeModel`).
import path from 'node:path';
import * as vscode from 'vscode';
import type { ExplainJob, ModelInspection } from '../../shared/protocol';
import { entryFromPath } from '../modelCheck';
import { describeImageModel, sizeProblem, type Choice, type WizardPrompts } from '../modelWizard';
import { configuredModels } from '../settings';

/** Reads what a model file fixes about its input (the worker opens it; see WorkerClient.inspect). */
export type InspectModel = (model: ExplainJob['model'], baseDir: string) => Promise<ModelInspection>;

export async function selectModel(inspect: InspectModel): Promise<string | undefined> {
  const { models, ignoredForTrust } = configuredModels();
  const current = vscode.workspace.getConfiguration('dax').get<string>('activeModel');
  const items: Choice<string | undefined>[] = models.map((model) => ({
    label: model.name,
    description: `${String(model.description.path)}${model.name === current ? ' · active' : ''}`,
    detail: model.scope === 'user' ? 'user settings' : 'workspace settings',
    value: model.name,
  }));
  items.push({
    label: '$(folder-opened) Browse…',
    description: 'an .onnx file, a TF.js model.json or a JavaScript predict module',
    value: undefined,
  });
  const picked = await vscode.window.showQuickPick(items, {
    title: 'DAX: model to explain',
    placeHolder:
      ignoredForTrust > 0
        ? `${ignoredForTrust} workspace model(s) hidden: the workspace is not trusted`
        : 'Choose a model',
  });
  if (!picked) return undefined;
  if (picked.value !== undefined) {
    await vscode.workspace
      .getConfiguration('dax')
      .update('activeModel', picked.value, vscode.ConfigurationTarget.Workspace);
    return picked.value;
  }
  return browseForModel(inspect);
}

async function browseForModel(inspect: InspectModel): Promise<string | undefined> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage(
      'DAX: trust this workspace to add a model to its settings (a model or predict module runs code).',
    );
    return undefined;
  }
  const [file] =
    (await vscode.window.showOpenDialog({
      canSelectMany: false,
      filters: { Models: ['onnx', 'json', 'js', 'cjs', 'mjs'] },
      title: 'DAX: choose a model file or a model description',
    })) ?? [];
  if (!file) return undefined;
  const folder = vscode.workspace.getWorkspaceFolder(file)?.uri.fsPath ?? path.dirname(file.fsPath);
  // A description JSON (the CLI's --model) is saved as its path: it already says everything.
  if (/\.json$/i.test(file.fsPath)) {
    const read = entryFromPath(file.fsPath, folder);
    if ('problem' in read) {
      void vscode.window.showErrorMessage(`DAX: ${read.problem}`);
      return undefined;
    }
    if (read.describes) return saveModel(relativeToWorkspace(file), String(read.description.name));
  }
  let inspection: ModelInspection;
  try {
    inspection = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `DAX: reading ${path.basename(file.fsPath)}…` },
      () => inspect(file.fsPath, folder),
    );
  } catch (error) {
    void vscode.window.showErrorMessage(`DAX: ${(error as Error).message}`);
    return undefined;
  }
  const prompts: WizardPrompts = {
    pick: async (title, items) =>
      (await vscode.window.showQuickPick(items, { title: `DAX: ${title}`, ignoreFocusOut: true }))?.value,
    askSize: async (what, prompt, suggested) => {
      const text = await vscode.window.showInputBox({
        title: `DAX: the model's input ${what}`,
        prompt,
        value: String(suggested),
        ignoreFocusOut: true,
        validateInput: sizeProblem,
      });
      return text === undefined ? undefined : Number(text.trim());
    },
  };
  const description = await describeImageModel(file.fsPath, relativeToWorkspace(file), inspection, prompts);
  if (!description) return undefined;
  const labels = await vscode.window.showOpenDialog({
    canSelectMany: false,
    title: 'DAX: class names, one per line (optional: press Escape to skip)',
    filters: { Text: ['txt', 'labels'] },
  });
  if (labels?.[0]) description.labels = relativeToWorkspace(labels[0]);
  return saveModel(description, String(description.name));
}

/** Adds `entry` to the workspace's `dax.models` (replacing one of the same name) and makes it the active model. */
async function saveModel(entry: Record<string, unknown> | string, name: string): Promise<string> {
  const config = vscode.workspace.getConfiguration('dax');
  const existing = (config.inspect<unknown[]>('models')?.workspaceValue ?? []).filter((other) =>
    typeof other === 'string' ? other !== entry : (other as { name?: string }).name !== name,
  );
  await config.update('models', [...existing, entry], vscode.ConfigurationTarget.Workspace);
  await config.update('activeModel', name, vscode.ConfigurationTarget.Workspace);
  void vscode.window.showInformationMessage(
    `DAX: "${name}" saved to the workspace settings and selected. Edit "dax.models" to fine-tune its preprocessing.`,
  );
  return name;
}

function relativeToWorkspace(uri: vscode.Uri): string {
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  return folder ? path.relative(folder.uri.fsPath, uri.fsPath) : uri.fsPath;
}
