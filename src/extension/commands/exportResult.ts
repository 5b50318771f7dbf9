// "DAX: Export Result…": saves the overlay, the saliency or the report of a result where the user chooses.
import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import type { RunView } from '../../shared/protocol';

export type ExportKind = 'overlay' | 'saliency' | 'report';

export async function exportResult(view: RunView | undefined, what?: ExportKind): Promise<vscode.Uri | undefined> {
  if (!view?.report.outputs) {
    void vscode.window.showInformationMessage('DAX: there is no result to export yet. Explain an image first.');
    return undefined;
  }
  const kind =
    what ??
    (
      await vscode.window.showQuickPick(
        [
          { label: 'Overlay PNG', description: 'the saliency in colour over the image', what: 'overlay' as const },
          { label: 'Saliency PNG', description: '8-bit grey, the input\'s resolution', what: 'saliency' as const },
          { label: 'JSON report', description: 'classes, queries, timing, losses, configuration', what: 'report' as const },
        ],
        { title: `Export the result for ${view.summary.imageName}` },
      )
    )?.what;
  if (!kind) return undefined;
  const source = view.report.outputs[kind];
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(path.dirname(view.report.input.file));
  const target = await vscode.window.showSaveDialog({
    defaultUri: vscode.Uri.joinPath(folder, path.basename(source)),
    filters: kind === 'report' ? { JSON: ['json'] } : { PNG: ['png'] },
    title: 'Export DAX result',
  });
  if (!target) return undefined;
  try {
    await copyFile(source, target.fsPath);
  } catch (error) {
    void vscode.window.showErrorMessage(`DAX: could not write ${target.fsPath} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`);
    return undefined;
  }
  void vscode.window.showInformationMessage(`DAX: saved ${path.basename(target.fsPath)}.`);
  return target;
}
