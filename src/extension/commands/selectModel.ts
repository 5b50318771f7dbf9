// "DAX: Select Model…": pick a configured model, or browse for a model file and answer the few questions its
// preprocessing needs; the description is saved to the workspace settings (`dax.models`, `dax.activeModel`).
import path from 'node:path';
import * as vscode from 'vscode';
import { configuredModels } from '../settings';

interface Choice<T> extends vscode.QuickPickItem {
  value: T;
}

const NORMALISATIONS: Choice<{ scale: number; mean: number[]; std: number[] }>[] = [
  { label: '0 … 1', description: 'pixels / 255', value: { scale: 255, mean: [0], std: [1] } },
  {
    label: 'ImageNet',
    description: "(pixels / 255 − mean) / std, torchvision's constants",
    value: { scale: 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  },
  { label: '−1 … 1', description: '(pixels / 255 − 0.5) / 0.5', value: { scale: 255, mean: [0.5], std: [0.5] } },
  { label: '0 … 255', description: 'raw pixel values', value: { scale: 1, mean: [0], std: [1] } },
];

export async function selectModel(): Promise<string | undefined> {
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
  return browseForModel();
}

async function browseForModel(): Promise<string | undefined> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage(
      'DAX: trust this workspace to add a model to its settings (a model or predict module runs code).',
    );
    return undefined;
  }
  const [file] =
    (await vscode.window.showOpenDialog({
      canSelectMany: false,
      filters: { Models: ['onnx', 'json', 'js', 'cjs'] },
      title: 'DAX: choose a model file',
    })) ?? [];
  if (!file) return undefined;
  const description: Record<string, unknown> = {
    name: path.basename(file.fsPath).replace(/\.(onnx|json|c?js)$/i, ''),
    path: relativeToWorkspace(file),
  };
  if (!/\.c?js$/i.test(file.fsPath)) {
    const resize = await pick('How does the model expect the image to fit its input?', [
      { label: 'Stretch', description: 'to the input size, ignoring the aspect ratio', value: 'stretch' },
      { label: 'Centre crop', description: 'scale to cover, cut the overflow', value: 'crop' },
      { label: 'Letterbox', description: 'scale to fit, pad the rest', value: 'letterbox' },
    ]);
    if (!resize) return undefined;
    const normalisation = await pick('Which pixel values does the model expect?', NORMALISATIONS);
    if (!normalisation) return undefined;
    const channels = await pick('Channel order', [
      { label: 'RGB', value: 'RGB' },
      { label: 'BGR', description: 'OpenCV / Caffe models', value: 'BGR' },
      { label: 'Grey', value: 'grey' },
    ]);
    if (!channels) return undefined;
    const activation = await pick('What does the model output?', [
      {
        label: 'Probabilities or logits (detect)',
        description: 'softmax is applied when the rows are not probabilities',
        value: 'auto',
      },
      { label: 'Logits of exclusive classes', description: 'softmax', value: 'softmax' },
      { label: 'Independent scores', description: 'sigmoid', value: 'sigmoid' },
    ]);
    if (!activation) return undefined;
    description.input = { resize, ...normalisation, channels };
    description.output = { activation };
  }
  const labels = await vscode.window.showOpenDialog({
    canSelectMany: false,
    title: 'DAX: class names, one per line (optional: press Escape to skip)',
    filters: { Text: ['txt', 'labels'] },
  });
  if (labels?.[0]) description.labels = relativeToWorkspace(labels[0]);
  const config = vscode.workspace.getConfiguration('dax');
  const existing = (config.inspect<unknown[]>('models')?.workspaceValue ?? []).filter(
    (entry) => (entry as { name?: string }).name !== description.name,
  );
  await config.update('models', [...existing, description], vscode.ConfigurationTarget.Workspace);
  await config.update('activeModel', description.name, vscode.ConfigurationTarget.Workspace);
  void vscode.window.showInformationMessage(
    `DAX: "${String(description.name)}" saved to the workspace settings and selected. Edit "dax.models" to fine-tune its preprocessing.`,
  );
  return String(description.name);
}

async function pick<T>(title: string, items: Choice<T>[]): Promise<T | undefined> {
  return (await vscode.window.showQuickPick(items, { title: `DAX: ${title}` }))?.value;
}

function relativeToWorkspace(uri: vscode.Uri): string {
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  return folder ? path.relative(folder.uri.fsPath, uri.fsPath) : uri.fsPath;
}
