// What a run shows outside the panel: the status bar item, the text of its progress, and the notification of a
// failure with the actions that fix it.
import path from 'node:path';
import * as vscode from 'vscode';
import type { RunError } from '../../shared/protocol';
import type { ConfiguredModel } from '../settings';

/** The status bar item of the runs: hidden while nothing runs; a click shows the results. */
export class RunStatus implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor() {
    this.item = vscode.window.createStatusBarItem('dax.status', vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'DAX Explain';
    this.item.command = 'dax.showResults';
  }

  /** A single run's phase. */
  showRun(text: string): void {
    this.item.text = `$(sync~spin) DAX: ${text}`;
    this.item.tooltip = undefined;
    this.item.show();
  }

  /** A folder batch's position ("3/12") and the phase of its file, if one is going. */
  showBatch(position: string, label: string, folder: string, phase?: string): void {
    this.item.text = `$(sync~spin) DAX ${position}${phase ? `: ${phase}` : ''}`;
    this.item.tooltip = `DAX: ${label} (${folder}). Click to show the results.`;
    this.item.show();
  }

  hide(): void {
    this.item.hide();
  }

  /** The `dax.running` context key, which enables Cancel in the menus and the palette. */
  setRunning(running: boolean): void {
    void vscode.commands.executeCommand('setContext', 'dax.running', running);
  }

  dispose(): void {
    this.item.dispose();
  }
}

/**
 * Tells the user that a run failed: a note for Cancel, else an error whose actions fix it. A model named by a
 * setting is fixed where it is written (Open Settings opens that file); Select Model would only ask again.
 */
export function notifyFailure(
  error: RunError,
  file: string,
  model: ConfiguredModel | undefined,
  log: vscode.LogOutputChannel,
): void {
  if (error.kind === 'cancelled') {
    log.info(`cancelled: ${file}`);
    void vscode.window.showInformationMessage(`DAX: cancelled ${path.basename(file)}; nothing was written.`);
    return;
  }
  log.error(`${error.kind}: ${error.message}`);
  const actions = model
    ? ['Open Settings', 'Select Model…']
    : error.kind === 'model' || error.kind === 'usage'
      ? ['Select Model…', 'Show Log']
      : ['Show Log'];
  void vscode.window.showErrorMessage(`DAX: ${error.message}`, ...actions).then((choice) => {
    if (choice === 'Select Model…') void vscode.commands.executeCommand('dax.selectModel');
    else if (choice === 'Show Log') log.show(true);
    else if (choice === 'Open Settings') void vscode.commands.executeCommand(settingsFileCommand(model!));
  });
}

/** The command that opens the settings file holding `model`. */
function settingsFileCommand(model: ConfiguredModel): string {
  return model.where === 'the user settings'
    ? 'workbench.action.openSettingsJson'
    : model.where === 'the folder settings'
      ? 'workbench.action.openFolderSettingsFile'
      : 'workbench.action.openWorkspaceSettingsFile';
}
