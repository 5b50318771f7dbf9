// Reading the `dax.*` settings into an explanation job, with workspace trust applied: in an untrusted workspace,
// models named by workspace settings are never loaded.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import * as vscode from 'vscode';
import { entryFromPath } from './modelCheck';
import type { ExplainJob } from '../shared/protocol';

/** A configured model: its description (as written in settings) and the folder its relative paths start from. */
export interface ConfiguredModel {
  name: string;
  description: Record<string, unknown>;
  baseDir: string;
  /** Where it was configured, for messages. */
  scope: 'user' | 'workspace';
  /** Its setting (`dax.models[0]`, the index within the settings file that holds it) and that file's name for messages. */
  setting: string;
  where: 'the user settings' | 'the workspace settings' | 'the folder settings';
  /** Why a string entry's description could not be read; the model check reports it with the setting. */
  problem?: string;
}

/** The models the user may use here; workspace-level ones only in a trusted workspace. */
export function configuredModels(resource?: vscode.Uri): { models: ConfiguredModel[]; ignoredForTrust: number } {
  const config = vscode.workspace.getConfiguration('dax', resource);
  const inspected = config.inspect<unknown[]>('models');
  const folder = resource ? vscode.workspace.getWorkspaceFolder(resource) : vscode.workspace.workspaceFolders?.[0];
  const workspaceDir = folder?.uri.fsPath ?? process.cwd();
  const userDir = process.env.HOME ?? workspaceDir;
  // In a single-folder window the folder's settings are the workspace settings, and `inspect` gives them twice.
  const multiRoot = vscode.workspace.workspaceFile !== undefined;
  const fromFolder = multiRoot ? (inspected?.workspaceFolderValue ?? []) : [];
  const fromWorkspaceFile = inspected?.workspaceValue ?? (multiRoot ? [] : (inspected?.workspaceFolderValue ?? []));
  const fromWorkspace = [...fromFolder, ...fromWorkspaceFile];
  const fromUser = inspected?.globalValue ?? [];
  const trusted = vscode.workspace.isTrusted;
  const models: ConfiguredModel[] = [];
  const add = (
    entries: unknown[],
    baseDir: string,
    scope: ConfiguredModel['scope'],
    where: ConfiguredModel['where'],
  ): void => {
    for (const [index, entry] of entries.entries()) {
      const setting = `dax.models[${index}]`;
      if (typeof entry === 'string' && entry !== '') {
        const read = entryFromPath(entry, baseDir);
        if ('problem' in read) {
          models.push({
            name: path.basename(entry),
            description: {},
            baseDir,
            scope,
            setting,
            where,
            problem: read.problem,
          });
          continue;
        }
        models.push({
          name: modelName(read.description),
          description: read.description,
          baseDir: read.baseDir,
          scope,
          setting,
          where,
        });
        continue;
      }
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) continue;
      const description = entry as Record<string, unknown>;
      models.push({ name: modelName(description), description, baseDir, scope, setting, where });
    }
  };
  if (trusted) {
    add(fromFolder, workspaceDir, 'workspace', 'the folder settings');
    add(fromWorkspaceFile, workspaceDir, 'workspace', 'the workspace settings');
  }
  add(fromUser, userDir, 'user', 'the user settings');
  return { models, ignoredForTrust: trusted ? 0 : Math.max(fromWorkspace.length, untrustedModelEntries()) };
}

/**
 * How many `dax.models` entries the workspace's own settings files hold. In Restricted Mode VS Code hides the
 * workspace values of a restricted setting even from `inspect`, so only the files can say that models were left out
 * (and the user be told to trust the workspace rather than to configure a model that is already there).
 */
function untrustedModelEntries(): number {
  const files = (vscode.workspace.workspaceFolders ?? []).map((folder) =>
    path.join(folder.uri.fsPath, '.vscode', 'settings.json'),
  );
  const workspaceFile = vscode.workspace.workspaceFile;
  if (workspaceFile?.scheme === 'file') files.push(workspaceFile.fsPath);
  let count = 0;
  for (const file of files) {
    let parsed: unknown;
    try {
      parsed = parseJsonc(readFileSync(file, 'utf8'));
    } catch {
      continue; // no such file, or unreadable: nothing was left out from it
    }
    const holder = file === workspaceFile?.fsPath ? (parsed as { settings?: unknown } | undefined)?.settings : parsed;
    const entries = (holder as Record<string, unknown> | undefined)?.['dax.models'];
    if (Array.isArray(entries)) count += entries.length;
  }
  return count;
}

function modelName(description: Record<string, unknown>): string {
  return typeof description.name === 'string' && description.name
    ? description.name
    : String(description.path ?? 'model');
}

/** Whether a configured model takes sounds (its description has an `audio` object) or images. */
export function modelModality(model: ConfiguredModel): 'image' | 'audio' {
  return typeof model.description.audio === 'object' && model.description.audio !== null ? 'audio' : 'image';
}

/**
 * The model to explain an input of `modality` with: `dax.activeModel` when it takes that kind of input, else
 * the first configured model that does; so one image model and one audio model can be configured side by side.
 */
export function activeModel(resource?: vscode.Uri, modality: 'image' | 'audio' = 'image'): ConfiguredModel | undefined {
  const models = configuredModels(resource).models.filter((model) => modelModality(model) === modality);
  const wanted = vscode.workspace.getConfiguration('dax', resource).get<string>('activeModel');
  return models.find((model) => model.name === wanted) ?? models[0];
}

/** The run settings of a job, from `dax.*` (the model and files are filled in by the caller). */
export function runSettings(
  resource?: vscode.Uri,
): Pick<ExplainJob, 'method' | 'preset' | 'samples' | 'epochs' | 'lambda1' | 'lambda2' | 'seed' | 'backend'> {
  const config = vscode.workspace.getConfiguration('dax', resource);
  const optional = (key: string): number | undefined => {
    const value = config.get<number | null>(key);
    return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  };
  return {
    method: config.get<ExplainJob['method']>('method') ?? 'dax',
    preset: config.get<ExplainJob['preset']>('preset') ?? 'balanced',
    samples: optional('samples'),
    epochs: optional('epochs'),
    lambda1: optional('lambda1'),
    lambda2: optional('lambda2'),
    seed: optional('seed') ?? 0,
    backend: config.get<ExplainJob['backend']>('trainingBackend') ?? 'auto',
  };
}

/**
 * `dax.modelTimeoutSeconds` in ms: the deadline of one call into the model (a window-wide setting, read at each run);
 * undefined for a value that is not a positive number (the engine's default, 120 s, applies).
 */
export function modelTimeoutMs(): number | undefined {
  const seconds = vscode.workspace.getConfiguration('dax').get<unknown>('modelTimeoutSeconds');
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0
    ? Math.round(seconds * 1000)
    : undefined;
}

export { IMAGE_EXTENSIONS, SOUND_EXTENSIONS, inputKind } from './inputKinds';
