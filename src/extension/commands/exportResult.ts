// "DAX: Export Result…": saves one of a result's files (overlay, saliency, report; for audio also the mask and
// the kept and removed sounds) where the user chooses; also the view as drawn and a folder batch's table.
import { copyFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import type { FolderSummary, RunView } from '../../shared/protocol';
import { folderCsv, folderCsvName } from '../folderCsv';
import { exportFileName, viewPngBytes, type ExportKind } from '../exportNames';

export type { ExportKind } from '../exportNames';

const CHOICES: Record<ExportKind, { label: string; description: string; filter: Record<string, string[]> }> = {
  overlay: { label: 'Overlay PNG', description: 'the saliency in colour over the image', filter: { PNG: ['png'] } },
  saliency: {
    label: 'Saliency PNG',
    description: 'the map (for audio: over the spectrogram)',
    filter: { PNG: ['png'] },
  },
  mask: { label: 'Mask PNG', description: '8-bit grey, one pixel per spectrogram cell', filter: { PNG: ['png'] } },
  kept: { label: 'Kept audio (WAV)', description: 'what the map keeps of the sound', filter: { WAV: ['wav'] } },
  removed: { label: 'Removed audio (WAV)', description: 'what the map takes away', filter: { WAV: ['wav'] } },
  report: {
    label: 'JSON report',
    description: 'classes, queries, timing, losses, configuration',
    filter: { JSON: ['json'] },
  },
};

export async function exportResult(view: RunView | undefined, what?: ExportKind): Promise<vscode.Uri | undefined> {
  if (!view?.report.outputs) {
    void vscode.window.showInformationMessage('DAX: there is no result to export yet. Explain an image first.');
    return undefined;
  }
  const outputs = view.report.outputs;
  const available = (Object.keys(CHOICES) as ExportKind[]).filter((key) => outputs[key] !== undefined);
  const kind =
    what ??
    (
      await vscode.window.showQuickPick(
        available.map((key) => ({ label: CHOICES[key].label, description: CHOICES[key].description, what: key })),
        { title: `Export the result for ${view.summary.inputName}` },
      )
    )?.what;
  if (!kind) return undefined;
  const source = outputs[kind];
  if (!source) {
    void vscode.window.showInformationMessage(`DAX: this result has no ${CHOICES[kind].label}.`);
    return undefined;
  }
  return saveAs(
    view.report.input.file,
    exportFileName(view.report, kind),
    CHOICES[kind].filter,
    'Export DAX result',
    (file) => copyFile(source, file),
  );
}

/** Saves the map as the panel drew it (Export "View PNG"), where the user chooses. */
export async function exportView(
  view: RunView | undefined,
  png: string,
  shown: string,
): Promise<vscode.Uri | undefined> {
  const bytes = viewPngBytes(png);
  if (!view || !bytes) {
    void vscode.window.showInformationMessage('DAX: there is no view to export. Explain an image or a sound first.');
    return undefined;
  }
  return saveAs(
    view.report.input.file,
    exportFileName(view.report, 'view'),
    { PNG: ['png'] },
    `Export the view as shown (${shown})`,
    (file) => writeFile(file, bytes),
    ` (${shown})`,
  );
}

/**
 * "DAX: Export Folder Summary as CSV…": the last folder batch's table, one row per file. `target` skips the dialog
 * (for scripts and tests).
 */
export async function exportFolderCsv(
  summary: FolderSummary | undefined,
  target?: vscode.Uri,
): Promise<vscode.Uri | undefined> {
  if (!summary) {
    void vscode.window.showInformationMessage(
      'DAX: there is no folder summary to export yet. Explain a folder first (right-click it: Explain Folder with DAX).',
    );
    return undefined;
  }
  const text = folderCsv(summary);
  const running = summary.state === 'running' ? `, ${summary.done} of ${summary.total} done so far` : '';
  return saveAs(
    path.join(summary.folderPath, 'x'),
    folderCsvName(summary),
    { CSV: ['csv'] },
    `Export the summary of ${summary.folder}`,
    (file) => writeFile(file, text),
    ` (${summary.rows.length} files${running})`,
    target,
  );
}

/**
 * Asks where to save `name` (offered in the workspace, else beside `near`), writes it with `write`, and says how
 * that went; undefined when the user cancels or the file cannot be written.
 */
async function saveAs(
  near: string,
  name: string,
  filters: Record<string, string[]>,
  title: string,
  write: (file: string) => Promise<void>,
  saidAfter = '',
  chosen?: vscode.Uri,
): Promise<vscode.Uri | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(path.dirname(near));
  const target =
    chosen ?? (await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.joinPath(folder, name), filters, title }));
  if (!target) return undefined;
  try {
    await write(target.fsPath);
  } catch (error) {
    void vscode.window.showErrorMessage(
      `DAX: could not write ${target.fsPath} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`,
    );
    return undefined;
  }
  void vscode.window.showInformationMessage(`DAX: saved ${path.basename(target.fsPath)}${saidAfter}.`);
  return target;
}
