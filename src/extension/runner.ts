// Runs explanations for the commands: one at a time in the worker, later requests queued, results cached,
// progress in a notification with Cancel and in the status bar, failures reported without touching earlier results.
// A folder is a batch of such runs under one notification, summarised in the panel.
import path from 'node:path';
import * as vscode from 'vscode';
import type {
  ActiveRun,
  ComparisonResult,
  ExplainJob,
  FolderRow,
  FolderSummary,
  PanelStateNotification,
  RunError,
  RunProgress,
  RunView,
} from '../shared/protocol';
import type { ComparisonReport } from '../shared/report';
import { checkExplainJob } from '../shared/jobCheck';
import { METHOD_NAMES, methodLabel } from '../shared/methods';
import { PRESET_QUERIES } from '../shared/presets';
import { listFolderInputs, type FolderInput } from './folderFiles';
import type { PanelController } from './panel/panelController';
import { closeFolderSummary, HISTORY_LIMIT, type RunStore } from './runStore';
import { modelProblem } from './modelCheck';
import { rerunTrustProblem } from './rerunTrust';
import { activeModel, configuredModels, inputKind, modelModality, runSettings, type ConfiguredModel } from './settings';
import { RunFailure, type WorkerClient } from './workerClient';

/** DAX's default loss weights (mirror engine/methods/dax/presets.ts): λ1 on the mask's L1, λ2 on the KL term. */
const DEFAULT_LAMBDA1 = 2.3;
const DEFAULT_LAMBDA2 = 0;

/**
 * How DAX's step losses enter its total: the distillation as it is, the L1 through λ1 (scaled by the answers'
 * variance and ramped up during the warm-up, so known only as the total minus the others), the KL through λ2.
 */
function daxLossWeights(job: ExplainJob): Record<string, number | null> {
  return { distillation: 1, l1: (job.lambda1 ?? DEFAULT_LAMBDA1) > 0 ? null : 0, kl: job.lambda2 ?? DEFAULT_LAMBDA2 };
}

/** The methods Compare Methods runs, in the engine's order. */
const COMPARE_METHODS = METHOD_NAMES;

type Progress = vscode.Progress<{ message?: string; increment?: number }>;

/** A run's result, or why there is none. */
type Outcome<T> = { ok: true; value: T } | { ok: false; error: RunError };

/** A folder batch that is going: its runs share its notification and stop when it is cancelled. */
interface Batch {
  cancelled: boolean;
  progress?: Progress;
  /** "Explaining 3 of 12: name.jpg", the notification's message for the file that is going. */
  label: string;
  /** "3/12", for the status bar. */
  position: string;
}

/** What a caller may ask beyond the settings. */
export interface ExplainOptions {
  target?: number | string;
  /** Ignore a cached result and run again. */
  force?: boolean;
  /** A stored job to repeat (re-run, another class) instead of one built from the settings. */
  job?: ExplainJob;
}

export class Runner implements vscode.Disposable {
  private current: RunView | undefined;
  private lastError: PanelStateNotification['error'];
  private comparison: ComparisonResult | undefined;
  /** Whether the comparison is the last thing shown (no result was shown after it): then it shows whatever the result. */
  private comparisonLatest = false;
  private active:
    (ActiveRun & { workerRunId?: number; cancelRequested?: boolean; batch?: Batch; backend?: string }) | undefined;
  private runCounter = 0;
  private chain: Promise<unknown> = Promise.resolve();
  private waiting = 0;
  /** The last (or running) folder batch's summary, and the batch that is going. */
  private folder: FolderSummary | undefined;
  private batch: Batch | undefined;
  private batchCounter = 0;
  private folderRestored = false;
  private batchChain: Promise<unknown> = Promise.resolve();
  private readonly status: vscode.StatusBarItem;

  constructor(
    private readonly worker: WorkerClient,
    private readonly store: RunStore,
    private readonly panel: () => PanelController,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.status = vscode.window.createStatusBarItem('dax.status', vscode.StatusBarAlignment.Left, 50);
    this.status.name = 'DAX Explain';
    this.status.command = 'dax.showResults';
  }

  /** The panel's complete state. */
  async snapshot(): Promise<PanelStateNotification> {
    if (!this.folderRestored) {
      this.folderRestored = true;
      // The last batch of an earlier window (a batch of this window, if one started meanwhile, wins).
      const restored = await this.store.loadFolderSummary();
      if (restored && !this.folder) {
        this.folder = restored;
        this.batchCounter = Math.max(this.batchCounter, restored.id);
      }
    }
    return {
      type: 'panel/didChangeState',
      history: await this.store.history(),
      current: this.current,
      active: this.active
        ? {
            id: this.active.id,
            imageName: this.active.imageName,
            modelName: this.active.modelName,
            method: this.active.method,
            phase: this.active.phase,
            queued: this.waiting,
            lossWeights: this.active.lossWeights,
            comparing: this.active.comparing,
          }
        : undefined,
      error: this.lastError,
      ...this.comparisonShown(),
      folder: this.folder,
    };
  }

  /**
   * The comparison, only where it belongs: while it is the latest thing shown, or with a result of the same input
   * and model. Never under another file's result.
   */
  private comparisonShown(): Pick<PanelStateNotification, 'comparison' | 'comparisonDetail'> {
    const comparison = this.comparison;
    if (!comparison) return {};
    if (!this.comparisonLatest && !(this.current && sameSubject(this.current.report, comparison.report))) return {};
    return { comparison: comparison.report, comparisonDetail: comparison.detail };
  }

  /** A result to show: it replaces the error, and the comparison stays only if it is about the same input and model. */
  private setCurrent(view: RunView): void {
    this.current = view;
    this.lastError = undefined;
    this.comparisonLatest = false;
  }

  get running(): boolean {
    return this.active !== undefined;
  }

  /** Shows a stored result. */
  async select(key: string): Promise<void> {
    const view = await this.store.get(key);
    if (view) this.setCurrent(view);
    else {
      // A folder's row can outlive its result: the store keeps only the most recent results.
      void vscode.window.showInformationMessage(
        `DAX: that result is no longer stored (the cache keeps the ${HISTORY_LIMIT} most recent results); explain the file again to see it.`,
      );
    }
    await this.panel().refresh();
  }

  get currentView(): RunView | undefined {
    return this.current;
  }

  /** Explains an image; resolves to the result, or undefined when the run failed or was cancelled (already reported). */
  async explain(imageUri: vscode.Uri, options: ExplainOptions = {}): Promise<RunView | undefined> {
    const outcome = await this.explainOutcome(imageUri, options);
    return outcome.ok ? outcome.value : undefined;
  }

  /**
   * Explains the images and sounds of a folder one after another (its top level, or every level with
   * `dax.folder.recursive`), each through `explain` (so cached results come at once), under one notification with
   * Cancel; the panel shows the summary as it fills. A failed file is recorded and the batch goes on. Resolves to the
   * final summary, or undefined when there was nothing to explain. A batch asked for while one is going waits its turn.
   */
  async explainFolder(folderUri: vscode.Uri): Promise<FolderSummary | undefined> {
    if (this.batch)
      void vscode.window.showInformationMessage(
        `DAX: ${path.basename(folderUri.fsPath)} is queued; it runs after the folder that is being explained.`,
      );
    const turn = this.batchChain.then(() => this.runFolder(folderUri));
    this.batchChain = turn.catch(() => undefined);
    return turn;
  }

  private async explainOutcome(
    imageUri: vscode.Uri,
    options: ExplainOptions,
    batch?: Batch,
  ): Promise<Outcome<RunView>> {
    const built = options.job
      ? { ...options.job, target: options.target ?? options.job.target }
      : this.jobFor(imageUri, options.target, batch !== undefined);
    if (!built)
      return {
        ok: false,
        error: {
          kind: 'usage',
          message: `no ${inputKind(imageUri.fsPath) === 'audio' ? 'audio' : 'image'} model is configured.`,
        },
      };
    // Every field checked in one place (the settings may hold anything a workspace wrote), and a stored job run
    // again only with a model this workspace may load now.
    let job: ExplainJob;
    try {
      job = checkExplainJob(built);
      if (options.job) this.checkTrustedModel(job);
    } catch (error) {
      const failed = this.fail({ kind: 'usage', message: (error as Error).message }, built.imageFile, batch);
      await this.panel().refresh();
      return failed;
    }
    const problem = options.job ? undefined : this.modelCheck(imageUri);
    if (problem) {
      const failed = this.fail({ kind: 'usage', message: problem.message }, job.imageFile, batch, problem.model);
      await this.panel().refresh();
      return failed;
    }
    let key: string;
    try {
      key = await this.store.keyOf(job);
    } catch (error) {
      return this.fail(
        {
          kind: 'input',
          message: `${job.imageFile}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`,
        },
        job.imageFile,
        batch,
      );
    }
    if (!options.force) {
      const cached = await this.store.get(key);
      if (cached) {
        this.log.info(`cached result for ${job.imageFile} (${key})`);
        const view: RunView = { ...cached, summary: { ...cached.summary, cached: true } };
        this.setCurrent(view);
        this.panel().show();
        await this.panel().refresh();
        return { ok: true, value: view };
      }
    }
    if (batch?.cancelled) return { ok: false, error: { kind: 'cancelled', message: 'cancelled' } };
    this.waiting++;
    if (this.active) {
      if (!batch)
        void vscode.window.showInformationMessage(
          `DAX: ${path.basename(job.imageFile)} is queued; it runs after ${this.active.imageName}.`,
        );
      await this.panel().refresh();
    }
    const turn = this.chain.then(() => this.run({ ...job, outDir: this.store.folder(key) }, key, batch));
    this.chain = turn.catch(() => undefined);
    return turn;
  }

  /**
   * Cancels the run that is going (queued requests stay queued). When that run belongs to a folder batch, or no run
   * is going while a batch is (between two of its files), the batch stops too.
   */
  cancel(): void {
    if (this.batch && (!this.active || this.active.batch === this.batch)) this.batch.cancelled = true;
    this.cancelActive();
  }

  private cancelActive(): void {
    if (!this.active) return;
    // Before the worker has the job, remember the request; the run cancels itself as soon as it is sent.
    this.active.cancelRequested = true;
    if (this.active.workerRunId !== undefined) this.worker.cancel(this.active.workerRunId);
  }

  /** The batch's Cancel: stops the batch, and its file that is running (not another request that is going). */
  private cancelBatch(batch: Batch): void {
    batch.cancelled = true;
    if (this.active?.batch === batch) this.cancelActive();
  }

  dispose(): void {
    this.status.dispose();
  }

  /** The job for an input from the settings; undefined (after a warning, unless `quiet`) when no model takes it. */
  private jobFor(
    imageUri: vscode.Uri,
    target: number | string | undefined,
    quiet = false,
    compare = false,
  ): ExplainJob | undefined {
    const modality = inputKind(imageUri.fsPath) ?? 'image';
    const model = activeModel(imageUri, modality);
    if (!model) {
      if (!quiet)
        this.warnNoModel(
          imageUri,
          modality,
          () => void (compare ? this.compare(imageUri) : this.explain(imageUri, { target })),
        );
      return undefined;
    }
    return {
      imageFile: imageUri.fsPath,
      model: model.description,
      modelBaseDir: model.baseDir,
      target,
      outDir: '',
      ...runSettings(imageUri),
    };
  }

  private warnNoModel(resource: vscode.Uri, modality: 'image' | 'audio', resume: () => void): void {
    const { ignoredForTrust, models } = configuredModels(resource);
    const others = models.filter((model) => modelModality(model) !== modality).length;
    const otherKind = modality === 'audio' ? 'take images' : 'take sounds';
    const message =
      ignoredForTrust > 0
        ? `this workspace is not trusted, so the ${ignoredForTrust} model(s) its settings name are not loaded (a model or predict module runs code). Trust the workspace, or configure the model in your user settings.`
        : modality === 'audio'
          ? `no audio model is configured for ${path.basename(resource.fsPath)}${others > 0 ? ` (the ${others} model(s) in "dax.models" ${otherKind})` : ''}. Add one to "dax.models" with an "audio" object (see the README), or choose a model description with "DAX: Select Model…".`
          : `no image model is configured for ${path.basename(resource.fsPath)}${others > 0 ? ` (the ${others} model(s) in "dax.models" ${otherKind})` : ''}. Choose one with "DAX: Select Model…".`;
    // The panel's banner says it too (it stays until dismissed or a result comes).
    this.lastError = { kind: 'usage', message, file: resource.fsPath };
    void this.panel().refresh();
    void vscode.window.showWarningMessage(`DAX: ${message}`, 'Select Model…').then(async (choice) => {
      if (!choice) return;
      // The request that found no model goes on once one that takes its input is chosen, instead of being dropped.
      const chosen = await vscode.commands.executeCommand<string | undefined>('dax.selectModel');
      if (chosen && activeModel(resource, modality)) resume();
    });
  }

  /**
   * Refuses a stored job (Re-run, another class) whose model this window may not load now: in an untrusted workspace
   * only the user's own models are loaded, whatever was run before.
   */
  private checkTrustedModel(job: ExplainJob): void {
    const allowed = vscode.workspace.isTrusted ? [] : configuredModels(vscode.Uri.file(job.imageFile)).models;
    const problem = rerunTrustProblem(job, vscode.workspace.isTrusted, allowed);
    if (problem) throw new Error(problem);
  }

  /** The configured model a job runs, when it is one (a stored job's model may since have left the settings). */
  private settingOf(job: ExplainJob): ConfiguredModel | undefined {
    const wanted = JSON.stringify(job.model);
    return configuredModels(vscode.Uri.file(job.imageFile)).models.find(
      (model) => model.baseDir === job.modelBaseDir && JSON.stringify(model.description) === wanted,
    );
  }

  /** A problem with the model an input would run with that shows before loading it (a missing file), with its setting. */
  private modelCheck(resource: vscode.Uri): { message: string; model: ConfiguredModel } | undefined {
    const model = activeModel(resource, inputKind(resource.fsPath) ?? 'image');
    if (!model) return undefined;
    const message = modelProblem(model);
    return message ? { message, model } : undefined;
  }

  /** Clears the error banner (the panel's Dismiss). */
  async dismissError(): Promise<void> {
    this.lastError = undefined;
    await this.panel().refresh();
  }

  private async run(job: ExplainJob, key: string, batch?: Batch): Promise<Outcome<RunView>> {
    const started = Date.now();
    return this.execute(
      job,
      'explaining',
      (onProgress) => this.worker.explain(job, onProgress),
      async (result) => {
        const view = await this.store.put(key, job, result.report, result.display);
        this.setCurrent(view);
        this.log.info(
          `done: ${view.summary.imageName} → ${view.summary.targetLabel} (p = ${view.summary.probability.toFixed(3)}), ${result.report.queries} queries, ${((Date.now() - started) / 1000).toFixed(1)} s on ${result.report.backend.name}`,
        );
        return view;
      },
      batch,
    );
  }

  /**
   * One queued turn: the active-run state, the progress notification with Cancel (a batch's run reports in the
   * batch's notification instead), the status bar, failures.
   */
  private async execute<T, R>(
    job: ExplainJob,
    verb: string,
    start: (onProgress: (event: RunProgress) => void) => { id: number; done: Promise<T> },
    finish: (result: T) => Promise<R>,
    batch?: Batch,
  ): Promise<Outcome<R>> {
    this.waiting--;
    // A batch cancelled while this file waited behind another request: it never starts.
    if (batch?.cancelled) return { ok: false, error: { kind: 'cancelled', message: 'cancelled' } };
    const imageName = path.basename(job.imageFile);
    const modelName = String(
      (typeof job.model === 'string' ? job.model : (job.model.name ?? job.model.path)) ?? 'model',
    );
    this.active = {
      id: ++this.runCounter,
      imageName,
      modelName,
      method: job.method,
      phase: 'starting',
      queued: this.waiting,
      batch,
      lossWeights: daxLossWeights(job),
    };
    this.lastError = undefined;
    this.panel().startRun();
    this.panel().show();
    await this.panel().refresh();
    void vscode.commands.executeCommand('setContext', 'dax.running', true);
    this.log.info(`${verb} ${job.imageFile} with ${modelName} (${job.method}, ${job.preset}, seed ${job.seed})`);
    const turn = async (progress: Progress | undefined): Promise<R> => {
      const { id, done } = start((event) => this.onProgress(event, progress, batch));
      this.active!.workerRunId = id;
      if (this.active!.cancelRequested) this.worker.cancel(id);
      return finish(await done);
    };
    try {
      const value = batch
        ? await turn(batch.progress)
        : await vscode.window.withProgress(
            { location: vscode.ProgressLocation.Notification, title: `DAX: ${verb} ${imageName}`, cancellable: true },
            async (progress, token) => {
              token.onCancellationRequested(() => this.cancelActive());
              return turn(progress);
            },
          );
      return { ok: true, value };
    } catch (error) {
      const runError: RunError =
        error instanceof RunFailure ? error.error : { kind: 'explain', message: (error as Error).message };
      // A model the settings describe is fixed in its settings file (Select Model would only ask again).
      const model = runError.kind === 'usage' || runError.kind === 'model' ? this.settingOf(job) : undefined;
      return this.fail(runError, job.imageFile, batch, model);
    } finally {
      this.active = undefined;
      // A batch's status stays between its files (also when another request ran in between).
      if (this.batch) this.showBatchStatus(this.batch);
      else this.status.hide();
      void vscode.commands.executeCommand('setContext', 'dax.running', this.waiting > 0 || this.batch !== undefined);
      await this.panel().refresh();
    }
  }

  /** One batch: lists the folder's inputs, runs them in order, keeps the summary up to date. */
  private async runFolder(folderUri: vscode.Uri): Promise<FolderSummary | undefined> {
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
      this.warnNoModel(folderUri, inputs[0]!.kind, () => void this.explainFolder(folderUri));
      return undefined;
    }
    const total = files.length;
    const batch: Batch = { cancelled: false, label: '', position: '' };
    this.batch = batch;
    this.lastError = undefined;
    this.folder = {
      id: ++this.batchCounter,
      folder: folderName,
      folderPath,
      rows: files.map((file) => ({ file: file.relative, status: 'pending' })),
      done: 0,
      total,
      state: 'running',
    };
    await this.saveFolder();
    this.log.info(
      `explaining the folder ${folderPath}: ${total} file(s)${recursive ? ' (recursive)' : ''}${passedOver > 0 ? `, ${passedOver} passed over (no model for their kind)` : ''}`,
    );
    void vscode.commands.executeCommand('setContext', 'dax.running', true);
    this.panel().show();
    await this.panel().refresh();
    const started = Date.now();
    try {
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `DAX: ${folderName}`, cancellable: true },
        async (progress, token) => {
          batch.progress = progress;
          const listener = token.onCancellationRequested(() => this.cancelBatch(batch));
          try {
            for (const [index, file] of files.entries()) {
              if (batch.cancelled) break;
              const name = path.basename(file.path);
              batch.label = `Explaining ${index + 1} of ${total}: ${name}`;
              batch.position = `${index + 1}/${total}`;
              progress.report({ message: batch.label });
              this.showBatchStatus(batch);
              await this.setRow(index, { status: 'running' });
              const outcome = await this.explainOutcome(vscode.Uri.file(file.path), {}, batch);
              await this.setRow(index, rowOf(outcome), true);
              progress.report({ increment: 100 / total });
            }
          } finally {
            listener.dispose();
          }
        },
      );
    } finally {
      const cancelled = batch.cancelled;
      this.folder = closeFolderSummary(this.folder, cancelled ? 'cancelled' : 'done');
      await this.saveFolder();
      this.batch = undefined;
      if (!this.active) this.status.hide();
      void vscode.commands.executeCommand('setContext', 'dax.running', this.waiting > 0 || this.active !== undefined);
      await this.panel().refresh();
    }
    this.reportBatch(this.folder, passedOver, Date.now() - started);
    return this.folder;
  }

  /** Stores the batch's summary for the next window; a failure to write costs only that, so it is logged. */
  private async saveFolder(): Promise<void> {
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
    if (finished) await this.saveFolder();
    await this.panel().refresh();
  }

  private showBatchStatus(batch: Batch, phase?: string): void {
    this.status.text = `$(sync~spin) DAX ${batch.position}${phase ? `: ${phase}` : ''}`;
    this.status.tooltip = `DAX: ${batch.label} (${this.folder?.folder ?? 'folder'}). Click to show the results.`;
    this.status.show();
  }

  /** The batch's closing message: what was explained, taken from the cache, failed or not run. */
  private reportBatch(summary: FolderSummary, passedOver: number, ms: number): void {
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
      if (choice === 'Show Results') this.panel().show(false);
      else if (choice === 'Show Log') this.log.show(true);
    });
  }

  /** Runs every method at the same budget on an image and shows the table (nothing is cached). */
  async compare(imageUri: vscode.Uri): Promise<ComparisonReport | undefined> {
    const unchecked = this.jobFor(imageUri, undefined, false, true);
    if (!unchecked) return undefined;
    let built: ExplainJob;
    try {
      built = checkExplainJob(unchecked);
    } catch (error) {
      this.fail({ kind: 'usage', message: (error as Error).message }, unchecked.imageFile);
      await this.panel().refresh();
      return undefined;
    }
    const problem = this.modelCheck(imageUri);
    if (problem) {
      this.fail({ kind: 'usage', message: problem.message }, built.imageFile, undefined, problem.model);
      await this.panel().refresh();
      return undefined;
    }
    const budget = built.samples ?? PRESET_QUERIES[built.preset];
    const job: ExplainJob = { ...built, outDir: this.store.comparisonFolder() };
    this.waiting++;
    const turn = this.chain.then(async () => {
      // Each method's explanation starts by reading the image (a 'loading' phase), in the engine's order.
      let started = 0;
      const track = (onProgress: (event: RunProgress) => void) => (event: RunProgress) => {
        if (event.type === 'phase' && event.phase === 'loading' && this.active && started < COMPARE_METHODS.length) {
          this.active.comparing = {
            index: ++started,
            count: COMPARE_METHODS.length,
            method: COMPARE_METHODS[started - 1]!,
          };
          void this.panel().refresh();
        }
        onProgress(event);
      };
      const outcome = await this.execute(
        job,
        `comparing methods at ${budget} queries on`,
        (onProgress) => this.worker.compare(job, budget, track(onProgress)),
        async (result) => {
          this.comparison = result;
          this.comparisonLatest = true;
          const comparison = result.report;
          this.log.info(
            `compared on ${job.imageFile}: ${comparison.rows.map((row) => `${row.method} deletion ${row.deletionAuc.toFixed(3)} insertion ${row.insertionAuc.toFixed(3)}`).join('; ')}`,
          );
          return comparison;
        },
      );
      return outcome.ok ? outcome.value : undefined;
    });
    this.chain = turn.catch(() => undefined);
    return turn;
  }

  private onProgress(event: RunProgress, progress: Progress | undefined, batch: Batch | undefined): void {
    let text: string | undefined;
    if (event.type === 'phase') text = event.message;
    else if (event.type === 'queries') text = `querying the model ${event.done}/${event.total}`;
    else if (event.type === 'step')
      text = `training epoch ${event.epoch}/${event.epochs}${this.active?.backend ? ` on ${this.active.backend}` : ''} · loss ${(event.losses.total ?? 0).toFixed(4)}`;
    else if (event.type === 'started' && this.active) {
      this.active.backend = event.backend;
      this.log.info(`the model is open; training backend ${event.backend}, ${event.budget} queries`);
    }
    const comparing = this.active?.comparing;
    // Compare Methods says which method is going: "2/4 RISE · querying the model 50/120".
    if (text && comparing) text = `${comparing.index}/${comparing.count} ${methodLabel(comparing.method)} · ${text}`;
    if (text) {
      if (batch) {
        // The batch's notification keeps its "Explaining 3 of 12: name" and adds the file's phase.
        progress?.report({ message: `${batch.label} · ${text}` });
        this.showBatchStatus(batch, text);
      } else {
        progress?.report({ message: text });
        this.status.text = `$(sync~spin) DAX: ${text}`;
        this.status.show();
      }
      if (this.active) this.active.phase = text;
    }
    this.panel().progress(event);
  }

  /** Reports a failure: a message (an error with actions, a note for Cancel); a batch's file only logs, its row tells. */
  private fail(error: RunError, file: string, batch?: Batch, model?: ConfiguredModel): { ok: false; error: RunError } {
    if (batch) {
      if (error.kind === 'cancelled') this.log.info(`cancelled: ${file}`);
      else this.log.error(`${file}: ${error.kind}: ${error.message}`);
      return { ok: false, error };
    }
    if (error.kind === 'cancelled') {
      this.log.info(`cancelled: ${file}`);
      void vscode.window.showInformationMessage(`DAX: cancelled ${path.basename(file)}; nothing was written.`);
      return { ok: false, error };
    }
    this.log.error(`${error.kind}: ${error.message}`);
    this.lastError = { ...error, file };
    // A model named by a setting is fixed where it is written: Open Settings opens that settings file.
    const actions = model
      ? ['Open Settings', 'Select Model…']
      : error.kind === 'model' || error.kind === 'usage'
        ? ['Select Model…', 'Show Log']
        : ['Show Log'];
    void vscode.window.showErrorMessage(`DAX: ${error.message}`, ...actions).then((choice) => {
      if (choice === 'Select Model…') void vscode.commands.executeCommand('dax.selectModel');
      else if (choice === 'Show Log') this.log.show(true);
      else if (choice === 'Open Settings') void vscode.commands.executeCommand(settingsFileCommand(model!));
    });
    return { ok: false, error };
  }
}

/** The command that opens the settings file holding `model`. */
function settingsFileCommand(model: ConfiguredModel): string {
  return model.where === 'the user settings'
    ? 'workbench.action.openSettingsJson'
    : model.where === 'the folder settings'
      ? 'workbench.action.openFolderSettingsFile'
      : 'workbench.action.openWorkspaceSettingsFile';
}

/** Whether a result and a comparison explain the same input with the same model. */
function sameSubject(
  report: { input: { file: string }; model: { name: string; path: string } },
  comparison: ComparisonReport,
): boolean {
  return (
    report.input.file === comparison.input.file &&
    report.model.path === comparison.model.path &&
    report.model.name === comparison.model.name
  );
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
