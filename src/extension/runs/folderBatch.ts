// A folder explained as a batch: its images and sounds one after another, each an ordinary queued run, under one
// notification with Cancel; the summary fills as they finish and is kept for the next window.
import path from 'node:path';
import * as vscode from 'vscode';
import type { FolderRow, FolderSummary, RunError, RunView } from '../../shared/protocol';
import { listFolderInputs, type FolderInput } from '../folderFiles';
import { closeFolderSummary, type RunStore } from '../runStore';
import { activeModel } from '../settings';
import { RunQueue } from './runQueue';
import type { RunStatus } from './runStatus';

export type Progress = vscode.Progress<{ message?: string; increment?: number }>;

/** A run's result, or why there is none. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: RunError };

/** A folder batch that is going: its runs share its notification and stop when it is cancelled. */
export interface Batch {
  cancelled: boolean;
  progress?: Progress;
  /** "Explaining 3 of 12: name.jpg", the notification's message for the file that is going. */
  label: string;
  /** "3/12", for the status bar. */
  position: string;
}

/** What a batch needs from the runs around it. */
export interface BatchHost {
  /** Explains one file of the batch (cached results come at once). */
  explain(file: vscode.Uri, batch: Batch): Promise<Outcome<RunView>>;
  /** Says that no model takes the folder's inputs; `resume` runs the batch once one is chosen. */
  warnNoModel(resource: vscode.Uri, kind: 'image' | 'audio', resume: () => void): void;
  /** Cancels the run that is going if it is the batch's. */
  cancelRunOf(batch: Batch): void;
  /** Whether a run (of the batch or not) is going, or waiting. */
  busy(): boolean;
  /** A batch starts: the error banner of an earlier run goes. */
  clearError(): void;
  showPanel(preserveFocus?: boolean): void;
  refresh(): Promise<void>;
}

export class FolderBatches {
  /** The last (or running) batch's summary, and the batch that is going. */
  private folder: FolderSummary | undefined;
  private going: Batch | undefined;
  private counter = 0;
  private restored = false;
  private readonly queue = new RunQueue();

  constructor(
    private readonly host: BatchHost,
    private readonly store: RunStore,
    private readonly status: RunStatus,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** The batch that is going, if any. */
  get batch(): Batch | undefined {
    return this.going;
  }

  /** The summary the panel shows: this window's last batch, else the one an earlier window kept. */
  async summary(): Promise<FolderSummary | undefined> {
    if (!this.restored) {
      this.restored = true;
      // A batch of this window, if one started meanwhile, wins.
      const kept = await this.store.loadFolderSummary();
      if (kept && !this.folder) {
        this.folder = kept;
        this.counter = Math.max(this.counter, kept.id);
      }
    }
    return this.folder;
  }

  /**
   * Explains the images and sounds of a folder (its top level, or every level with `dax.folder.recursive`).
   * A failed file is recorded and the batch goes on. Resolves to the final summary, or undefined when there was
   * nothing to explain. A batch asked for while one is going waits its turn.
   */
  explainFolder(folderUri: vscode.Uri): Promise<FolderSummary | undefined> {
    if (this.going)
      void vscode.window.showInformationMessage(
        `DAX: ${path.basename(folderUri.fsPath)} is queued; it runs after the folder that is being explained.`,
      );
    return this.queue.enqueue(() => this.run(folderUri));
  }

  /** The batch's Cancel: stops the batch, and its file that is running (not another request that is going). */
  cancel(batch: Batch): void {
    batch.cancelled = true;
    this.host.cancelRunOf(batch);
  }

  /** The status bar between and during the batch's files. */
  showStatus(batch: Batch, phase?: string): void {
    this.status.showBatch(batch.position, batch.label, this.folder?.folder ?? 'folder', phase);
  }

  private async run(folderUri: vscode.Uri): Promise<FolderSummary | undefined> {
    const folderPath = folderUri.fsPath;
    const folderName = path.basename(folderPath) || folderPath;
    const recursive = vscode.workspace.getConfiguration('dax', folderUri).get<boolean>('folder.recursive') === true;
    let inputs: FolderInput[];
    try {
      inputs = await listFolderInputs(folderPath, { recursive });
    } catch (error) {
      void vscode.window.showErrorMessage(
        `DAX: cannot read the folder ${folderPath} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`,
      );
      return undefined;
    }
    if (inputs.length === 0) {
      void vscode.window.showInformationMessage(
        `DAX: ${folderName} holds no image or sound to explain${recursive ? '' : ' at its top level (the setting "dax.folder.recursive" looks in its subfolders too)'}.`,
      );
      return undefined;
    }
    // Only the kinds of input a model is configured for; the others are passed over and said so.
    const modelFor = {
      image: activeModel(folderUri, 'image') !== undefined,
      audio: activeModel(folderUri, 'audio') !== undefined,
    };
    const files = inputs.filter((input) => modelFor[input.kind]);
    const passedOver = inputs.length - files.length;
    if (files.length === 0) {
      this.host.warnNoModel(folderUri, inputs[0]!.kind, () => void this.explainFolder(folderUri));
      return undefined;
    }
    const total = files.length;
    const batch: Batch = { cancelled: false, label: '', position: '' };
    this.going = batch;
    this.host.clearError();
    this.folder = {
      id: ++this.counter,
      folder: folderName,
      folderPath,
      rows: files.map((file) => ({ file: file.relative, status: 'pending' })),
      done: 0,
      total,
      state: 'running',
    };
    await this.save();
    this.log.info(
      `explaining the folder ${folderPath}: ${total} file(s)${recursive ? ' (recursive)' : ''}${passedOver > 0 ? `, ${passedOver} passed over (no model for their kind)` : ''}`,
    );
    this.status.setRunning(true);
    this.host.showPanel();
    await this.host.refresh();
    const started = Date.now();
    try {
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `DAX: ${folderName}`, cancellable: true },
        async (progress, token) => {
          batch.progress = progress;
          const listener = token.onCancellationRequested(() => this.cancel(batch));
          try {
            for (const [index, file] of files.entries()) {
              if (batch.cancelled) break;
              const name = path.basename(file.path);
              batch.label = `Explaining ${index + 1} of ${total}: ${name}`;
              batch.position = `${index + 1}/${total}`;
              progress.report({ message: batch.label });
              this.showStatus(batch);
              await this.setRow(index, { status: 'running' });
              const outcome = await this.host.explain(vscode.Uri.file(file.path), batch);
              await this.setRow(index, rowOf(outcome), true);
              progress.report({ increment: 100 / total });
            }
          } finally {
            listener.dispose();
          }
        },
      );
    } finally {
      this.folder = closeFolderSummary(this.folder, batch.cancelled ? 'cancelled' : 'done');
      await this.save();
      this.going = undefined;
      const busy = this.host.busy();
      if (!busy) this.status.hide();
      this.status.setRunning(busy);
      await this.host.refresh();
    }
    this.report(this.folder, passedOver, Date.now() - started);
    return this.folder;
  }

  /** Stores the batch's summary for the next window; a failure to write costs only that, so it is logged. */
  private async save(): Promise<void> {
    if (!this.folder) return;
    await this.store
      .saveFolderSummary(this.folder)
      .catch((error: Error) => this.log.warn(`could not keep the folder summary: ${error.message}`));
  }

  /** Changes row `index` of the running batch's summary (a fresh object, so earlier snapshots stay as they were). */
  private async setRow(
    index: number,
    row: Partial<FolderRow> & Pick<FolderRow, 'status'>,
    finished = false,
  ): Promise<void> {
    const folder = this.folder;
    if (!folder) return;
    const rows = folder.rows.map((old, i) => (i === index ? { file: old.file, ...row } : old));
    this.folder = { ...folder, rows, done: folder.done + (finished ? 1 : 0) };
    if (finished) await this.save();
    await this.host.refresh();
  }

  /** The batch's closing message: what was explained, taken from the cache, failed or not run. */
  private report(summary: FolderSummary, passedOver: number, ms: number): void {
    const count = (status: FolderRow['status']): number => summary.rows.filter((row) => row.status === status).length;
    const [ok, cached, failed, cancelled] = [count('ok'), count('cached'), count('failed'), count('cancelled')];
    const parts = [
      ok > 0 ? `${ok} explained` : '',
      cached > 0 ? `${cached} up to date (cached)` : '',
      failed > 0 ? `${failed} failed` : '',
      cancelled > 0 ? `${cancelled} cancelled` : '',
      passedOver > 0 ? `${passedOver} passed over (no model for their kind)` : '',
    ].filter(Boolean);
    const text =
      summary.state === 'cancelled'
        ? `DAX: cancelled the folder ${summary.folder} after ${(ms / 1000).toFixed(1)} s: ${parts.join(', ')}; nothing was written for the file that was running.`
        : `DAX: explained the folder ${summary.folder} in ${(ms / 1000).toFixed(1)} s: ${parts.join(', ')}.`;
    this.log.info(text.slice(5));
    const actions = failed > 0 ? ['Show Results', 'Show Log'] : ['Show Results'];
    const shown =
      failed > 0
        ? vscode.window.showWarningMessage(text, ...actions)
        : vscode.window.showInformationMessage(text, ...actions);
    void shown.then((choice) => {
      if (choice === 'Show Results') this.host.showPanel(false);
      else if (choice === 'Show Log') this.log.show(true);
    });
  }
}

/** A batch's row for a finished file (its `file` is kept by the caller). */
function rowOf(outcome: Outcome<RunView>): Omit<FolderRow, 'file'> {
  if (!outcome.ok)
    return outcome.error.kind === 'cancelled'
      ? { status: 'cancelled' }
      : { status: 'failed', error: outcome.error.message };
  const { summary, report } = outcome.value;
  return {
    key: summary.key,
    status: summary.cached ? 'cached' : 'ok',
    classLabel: summary.targetLabel,
    probability: summary.probability,
    queries: report.queries,
    seconds: report.timing.totalMs / 1000,
  };
}
