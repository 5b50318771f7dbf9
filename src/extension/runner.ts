// Runs explanations for the commands: one at a time in the worker, later requests queued, results cached,
// progress in a notification with Cancel and in the status bar, failures reported without touching earlier results.
// A folder is a batch of such runs under one notification, summarised in the panel.
import path from 'node:path';
import * as vscode from 'vscode';
import type {
  ActiveRun,
  ExplainJob,
  FolderSummary,
  PanelStateNotification,
  RunError,
  RunProgress,
  RunView,
} from '../shared/protocol';
import type { ComparisonReport } from '../shared/report';
import { checkExplainJob } from '../shared/jobCheck';
import { METHOD_NAMES } from '../shared/methods';
import { PRESET_QUERIES } from '../shared/presets';
import type { PanelController } from './panel/panelController';
import { HISTORY_LIMIT, type RunStore } from './runStore';
import { FolderBatches, type Batch, type Outcome, type Progress } from './runs/folderBatch';
import { RunQueue } from './runs/runQueue';
import { progressText } from './runs/progressText';
import { notifyFailure, RunStatus } from './runs/runStatus';
import { ShownResult } from './runs/shownResult';
import { pickMaskFile, scoreGroundTruth } from './commands/groundTruth';
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

/** What a caller may ask beyond the settings. */
export interface ExplainOptions {
  target?: number | string;
  /** Ignore a cached result and run again. */
  force?: boolean;
  /** A stored job to repeat (re-run, another class) instead of one built from the settings. */
  job?: ExplainJob;
}

const SHOWN_KEY = 'dax.shownResult';

export class Runner implements vscode.Disposable {
  private readonly shown = new ShownResult();
  private active:
    (ActiveRun & { workerRunId?: number; cancelRequested?: boolean; batch?: Batch; backend?: string }) | undefined;
  private runCounter = 0;
  private readonly queue = new RunQueue();
  private readonly status = new RunStatus();
  private readonly folders: FolderBatches;

  constructor(
    private readonly worker: WorkerClient,
    private readonly store: RunStore,
    private readonly panel: () => PanelController,
    private readonly log: vscode.LogOutputChannel,
    /** Where the key of the result shown is kept, so that a window reload shows it again (the workspace's state). */
    private readonly memory?: vscode.Memento,
  ) {
    this.folders = new FolderBatches(
      {
        explain: (file, batch) => this.explainOutcome(file, {}, batch),
        warnNoModel: (resource, kind, resume) => this.warnNoModel(resource, kind, resume),
        cancelRunOf: (batch) => {
          if (this.active?.batch === batch) this.cancelActive();
        },
        busy: () => this.active !== undefined || this.queue.waiting > 0,
        clearError: () => this.shown.clearError(),
        showPanel: (preserveFocus) => this.panel().show(preserveFocus),
        refresh: async () => {
          await this.panel().refresh();
        },
      },
      store,
      this.status,
      log,
    );
  }

  /** The panel's complete state. */
  async snapshot(): Promise<PanelStateNotification> {
    await this.rememberShown();
    const folder = await this.folders.summary();
    return {
      type: 'panel/didChangeState',
      history: await this.store.history(),
      active: this.active
        ? {
            id: this.active.id,
            inputName: this.active.inputName,
            modelName: this.active.modelName,
            method: this.active.method,
            phase: this.active.phase,
            queued: this.queue.waiting,
            lossWeights: this.active.lossWeights,
            comparing: this.active.comparing,
          }
        : undefined,
      ...this.shown.state(),
      folder,
    };
  }

  private restored = false;

  /**
   * The first snapshot of a window shows again the result it showed before the reload (from the store, which keeps
   * the pixels; nothing runs); later ones keep the shown result's key for the next reload.
   */
  private async rememberShown(): Promise<void> {
    if (!this.memory) return;
    if (!this.restored) {
      this.restored = true;
      const key = this.memory.get<string>(SHOWN_KEY);
      const view = key && !this.shown.current ? await this.store.get(key).catch(() => undefined) : undefined;
      if (view && !this.shown.current) this.shown.show(view);
    }
    const key = this.shown.current?.summary.key;
    if (key && key !== this.memory.get<string>(SHOWN_KEY)) await this.memory.update(SHOWN_KEY, key);
  }

  get running(): boolean {
    return this.active !== undefined;
  }

  /** Shows a stored result. */
  async select(key: string): Promise<void> {
    const view = await this.store.get(key);
    if (view) this.shown.show(view);
    else {
      // A folder's row can outlive its result: the store keeps only the most recent results.
      void vscode.window.showInformationMessage(
        `DAX: that result is no longer stored (the cache keeps the ${HISTORY_LIMIT} most recent results); explain the file again to see it.`,
      );
    }
    await this.panel().refresh();
  }

  get currentView(): RunView | undefined {
    return this.shown.current;
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
  explainFolder(folderUri: vscode.Uri): Promise<FolderSummary | undefined> {
    return this.folders.explainFolder(folderUri);
  }

  /** The last (or running) folder batch's summary, this window's or the one an earlier window kept. */
  folderSummary(): Promise<FolderSummary | undefined> {
    return this.folders.summary();
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
      const failed = this.fail({ kind: 'usage', message: (error as Error).message }, built.inputFile, batch);
      await this.panel().refresh();
      return failed;
    }
    const problem = options.job ? undefined : this.modelCheck(imageUri);
    if (problem) {
      const failed = this.fail({ kind: 'usage', message: problem.message }, job.inputFile, batch, problem.model);
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
          message: `${job.inputFile}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`,
        },
        job.inputFile,
        batch,
      );
    }
    if (!options.force) {
      const cached = await this.store.get(key);
      if (cached) {
        this.log.info(`cached result for ${job.inputFile} (${key})`);
        const view: RunView = { ...cached, summary: { ...cached.summary, cached: true } };
        this.shown.show(view);
        this.panel().show();
        await this.panel().refresh();
        return { ok: true, value: view };
      }
    }
    if (batch?.cancelled) return { ok: false, error: { kind: 'cancelled', message: 'cancelled' } };
    const turn = this.queue.enqueue(() => this.run({ ...job, outDir: this.store.folder(key) }, key, batch));
    if (this.active) {
      if (!batch)
        void vscode.window.showInformationMessage(
          `DAX: ${path.basename(job.inputFile)} is queued; it runs after ${this.active.inputName}.`,
        );
      await this.panel().refresh();
    }
    return turn;
  }

  /**
   * Cancels the run that is going (queued requests stay queued). When that run belongs to a folder batch, or no run
   * is going while a batch is (between two of its files), the batch stops too.
   */
  cancel(): void {
    const batch = this.folders.batch;
    if (batch && (!this.active || this.active.batch === batch)) batch.cancelled = true;
    this.cancelActive();
  }

  private cancelActive(): void {
    if (!this.active) return;
    // Before the worker has the job, remember the request; the run cancels itself as soon as it is sent.
    this.active.cancelRequested = true;
    if (this.active.workerRunId !== undefined) this.worker.cancel(this.active.workerRunId);
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
      inputFile: imageUri.fsPath,
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
    this.shown.setError({ kind: 'usage', message, file: resource.fsPath });
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
    const allowed = vscode.workspace.isTrusted ? [] : configuredModels(vscode.Uri.file(job.inputFile)).models;
    const problem = rerunTrustProblem(job, vscode.workspace.isTrusted, allowed);
    if (problem) throw new Error(problem);
  }

  /** The configured model a job runs, when it is one (a stored job's model may since have left the settings). */
  private settingOf(job: ExplainJob): ConfiguredModel | undefined {
    const wanted = JSON.stringify(job.model);
    return configuredModels(vscode.Uri.file(job.inputFile)).models.find(
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

  /**
   * Scores a result (the one shown, or `key`'s) against a ground truth the user gives (`given`: a mask file or an
   * interval, for scripts and tests) and shows it with the scores; they are stored with the result.
   */
  async scoreGroundTruth(key?: string, given?: string): Promise<RunView | undefined> {
    const current = this.shown.current;
    const view = key === undefined || current?.summary.key === key ? current : await this.store.get(key);
    let scored: RunView | undefined;
    try {
      scored = await scoreGroundTruth(view, (saliency, mask) => this.worker.scoreMask(saliency, mask), given);
      if (!scored) return undefined;
      await this.store.update(scored, scored.display !== view?.display);
    } catch (error) {
      const message = error instanceof RunFailure ? error.error.message : (error as Error).message;
      this.log.error(`ground truth: ${message}`);
      void vscode.window.showErrorMessage(`DAX: ${message}`);
      return undefined;
    }
    const { groundTruth, audio } = scored.report;
    this.log.info(
      `ground truth for ${scored.summary.inputName}: ${groundTruth ? `IoU@0.2 ${groundTruth.iouAt02.toFixed(3)}, best IoU ${groundTruth.bestIou.toFixed(3)}, pointing ${groundTruth.pointingHit ? 'hit' : 'miss'}` : `time IoU ${audio?.groundTruth?.timeIou.toFixed(3)}`}`,
    );
    this.shown.show(scored);
    await this.panel().refresh();
    return scored;
  }

  /**
   * Scores the comparison the panel shows against a ground-truth mask (`given`, for scripts and tests, else asked
   * for): each method's saved map, in the worker, with nothing run again and no query to the model; the table then
   * has the IoU columns. A mask that cannot be read is reported naming it, and the comparison stays as it was.
   * Resolves to the scored comparison, or undefined.
   */
  async scoreComparisonGroundTruth(given?: string): Promise<ComparisonReport | undefined> {
    const shown = this.shown.shownComparison;
    if (!shown) {
      void vscode.window.showInformationMessage(
        'DAX: there is no comparison to score. Run DAX: Compare Methods first.',
      );
      return undefined;
    }
    const name = path.basename(shown.report.input.file);
    const maskFile = given ?? (await pickMaskFile(`the comparison on ${name}`, shown.report.input.file));
    if (!maskFile) return undefined;
    let scored: ComparisonReport;
    try {
      scored = await this.worker.scoreComparison(shown.report, maskFile);
    } catch (error) {
      const message = error instanceof RunFailure ? error.error.message : (error as Error).message;
      this.log.error(`comparison ground truth: ${message}`);
      void vscode.window.showErrorMessage(`DAX: ${message}`);
      return undefined;
    }
    if (!this.shown.rescoreComparison(shown, scored)) {
      this.log.info(`comparison ground truth for ${name}: another comparison came meanwhile; scores dropped`);
      return undefined;
    }
    this.log.info(
      `comparison ground truth for ${name} (${maskFile}): ${scored.rows.map((row) => `${row.method} IoU@0.2 ${row.iouAt02?.toFixed(3)} best IoU ${row.bestIou?.toFixed(3)} pointing ${row.pointingHit ? 'hit' : 'miss'}`).join('; ')}`,
    );
    await this.panel().refresh();
    return scored;
  }

  /** Clears the error banner (the panel's Dismiss). */
  async dismissError(): Promise<void> {
    this.shown.clearError();
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
        this.shown.show(view);
        this.log.info(
          `done: ${view.summary.inputName} → ${view.summary.targetLabel} (p = ${view.summary.probability.toFixed(3)}), ${result.report.queries} queries, ${((Date.now() - started) / 1000).toFixed(1)} s on ${result.report.backend.name}`,
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
    // A batch cancelled while this file waited behind another request: it never starts.
    if (batch?.cancelled) return { ok: false, error: { kind: 'cancelled', message: 'cancelled' } };
    const inputName = path.basename(job.inputFile);
    const modelName = String(
      (typeof job.model === 'string' ? job.model : (job.model.name ?? job.model.path)) ?? 'model',
    );
    this.active = {
      id: ++this.runCounter,
      inputName,
      modelName,
      method: job.method,
      phase: 'starting',
      queued: this.queue.waiting,
      batch,
      lossWeights: daxLossWeights(job),
    };
    this.shown.clearError();
    this.panel().startRun();
    this.panel().show();
    await this.panel().refresh();
    this.status.setRunning(true);
    this.log.info(`${verb} ${job.inputFile} with ${modelName} (${job.method}, ${job.preset}, seed ${job.seed})`);
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
            { location: vscode.ProgressLocation.Notification, title: `DAX: ${verb} ${inputName}`, cancellable: true },
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
      return this.fail(runError, job.inputFile, batch, model);
    } finally {
      this.active = undefined;
      // A batch's status stays between its files (also when another request ran in between).
      const going = this.folders.batch;
      if (going) this.folders.showStatus(going);
      else this.status.hide();
      this.status.setRunning(this.queue.waiting > 0 || going !== undefined);
      await this.panel().refresh();
    }
  }

  /** Runs every method at the same budget on an image and shows the table (nothing is cached). */
  async compare(imageUri: vscode.Uri): Promise<ComparisonReport | undefined> {
    const unchecked = this.jobFor(imageUri, undefined, false, true);
    if (!unchecked) return undefined;
    let built: ExplainJob;
    try {
      built = checkExplainJob(unchecked);
    } catch (error) {
      this.fail({ kind: 'usage', message: (error as Error).message }, unchecked.inputFile);
      await this.panel().refresh();
      return undefined;
    }
    const problem = this.modelCheck(imageUri);
    if (problem) {
      this.fail({ kind: 'usage', message: problem.message }, built.inputFile, undefined, problem.model);
      await this.panel().refresh();
      return undefined;
    }
    const budget = built.samples ?? PRESET_QUERIES[built.preset];
    const job: ExplainJob = { ...built, outDir: this.store.comparisonFolder() };
    return this.queue.enqueue(async () => {
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
          this.shown.showComparison(result);
          const comparison = result.report;
          this.log.info(
            `compared on ${job.inputFile}: ${comparison.rows.map((row) => `${row.method} deletion ${row.deletionAuc.toFixed(3)} insertion ${row.insertionAuc.toFixed(3)}`).join('; ')}`,
          );
          return comparison;
        },
      );
      return outcome.ok ? outcome.value : undefined;
    });
  }

  private onProgress(event: RunProgress, progress: Progress | undefined, batch: Batch | undefined): void {
    if (event.type === 'started' && this.active) {
      this.active.backend = event.backend;
      this.log.info(`the model is open; training backend ${event.backend}, ${event.budget} queries`);
    }
    const text = progressText(event, this.active?.backend, this.active?.comparing);
    if (text) {
      if (batch) {
        // The batch's notification keeps its "Explaining 3 of 12: name" and adds the file's phase.
        progress?.report({ message: `${batch.label} · ${text}` });
        this.folders.showStatus(batch, text);
      } else {
        progress?.report({ message: text });
        this.status.showRun(text);
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
    } else {
      if (error.kind !== 'cancelled') this.shown.setError({ ...error, file });
      notifyFailure(error, file, model, this.log);
    }
    return { ok: false, error };
  }
}
