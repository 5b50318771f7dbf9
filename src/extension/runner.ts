// Runs explanations for the commands: one at a time in the worker, later requests queued, results cached,
// progress in a notification with Cancel and in the status bar, failures reported without touching earlier results.
import path from 'node:path';
import * as vscode from 'vscode';
import type { ActiveRun, ComparisonResult, ExplainJob, PanelStateNotification, RunError, RunProgress, RunView } from '../shared/protocol';
import type { ComparisonReport } from '../shared/report';

/** Queries of each preset (mirrors engine/methods/dax/presets.ts, which the host does not import). */
const PRESET_QUERIES: Record<ExplainJob['preset'], number> = { fast: 500, balanced: 1000, thorough: 3000 };
import type { PanelController } from './panel/panelController';
import type { RunStore } from './runStore';
import { activeModel, configuredModels, inputKind, runSettings } from './settings';
import { RunFailure, type WorkerClient } from './workerClient';

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
  private active: (ActiveRun & { workerRunId?: number; cancelRequested?: boolean }) | undefined;
  private runCounter = 0;
  private chain: Promise<unknown> = Promise.resolve();
  private waiting = 0;
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
    return {
      type: 'panel/didChangeState',
      history: await this.store.history(),
      current: this.current,
      active: this.active ? { id: this.active.id, imageName: this.active.imageName, modelName: this.active.modelName, method: this.active.method, phase: this.active.phase, queued: this.waiting } : undefined,
      error: this.lastError,
      comparison: this.comparison?.report,
      comparisonDetail: this.comparison?.detail,
    };
  }

  get running(): boolean {
    return this.active !== undefined;
  }

  /** Shows a stored result. */
  async select(key: string): Promise<void> {
    const view = await this.store.get(key);
    if (view) {
      this.current = view;
      this.lastError = undefined;
    }
    await this.panel().refresh();
  }

  get currentView(): RunView | undefined {
    return this.current;
  }

  /** Explains an image; resolves to the result, or undefined when the run failed or was cancelled (already reported). */
  async explain(imageUri: vscode.Uri, options: ExplainOptions = {}): Promise<RunView | undefined> {
    const job = options.job ? { ...options.job, target: options.target ?? options.job.target } : this.jobFor(imageUri, options.target);
    if (!job) return undefined;
    const modelFile = typeof job.model === 'string' ? path.resolve(job.modelBaseDir, job.model) : typeof job.model.path === 'string' ? path.resolve(job.modelBaseDir, job.model.path) : undefined;
    let key: string;
    try {
      key = await this.store.keyOf(job, modelFile);
    } catch (error) {
      return this.fail({ kind: 'input', message: `${job.imageFile}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).` }, job.imageFile);
    }
    if (!options.force) {
      const cached = await this.store.get(key);
      if (cached) {
        this.log.info(`cached result for ${job.imageFile} (${key})`);
        this.current = cached;
        this.lastError = undefined;
        this.panel().show();
        await this.panel().refresh();
        return cached;
      }
    }
    this.waiting++;
    if (this.active) {
      void vscode.window.showInformationMessage(`DAX: ${path.basename(job.imageFile)} is queued; it runs after ${this.active.imageName}.`);
      await this.panel().refresh();
    }
    const turn = this.chain.then(() => this.run({ ...job, outDir: this.store.folder(key) }, key));
    this.chain = turn.catch(() => undefined);
    return turn;
  }

  /** Cancels the run that is going (queued requests stay queued). */
  cancel(): void {
    if (!this.active) return;
    // Before the worker has the job, remember the request; the run cancels itself as soon as it is sent.
    this.active.cancelRequested = true;
    if (this.active.workerRunId !== undefined) this.worker.cancel(this.active.workerRunId);
  }

  dispose(): void {
    this.status.dispose();
  }

  private jobFor(imageUri: vscode.Uri, target: number | string | undefined): ExplainJob | undefined {
    const modality = inputKind(imageUri.fsPath) ?? 'image';
    const model = activeModel(imageUri, modality);
    if (!model) {
      const { ignoredForTrust } = configuredModels(imageUri);
      const message = ignoredForTrust > 0
        ? `DAX: this workspace is not trusted, so the ${ignoredForTrust} model(s) its settings name are not loaded (a model or predict module runs code). Trust the workspace, or configure the model in your user settings.`
        : modality === 'audio'
          ? `DAX: no audio model is configured for ${path.basename(imageUri.fsPath)}. Add one to "dax.models" with an "audio" object (see the README), or choose a model description with "DAX: Select Model…".`
          : 'DAX: no model is configured. Choose one with "DAX: Select Model…".';
      void vscode.window.showWarningMessage(message, 'Select Model…').then((choice) => {
        if (choice) void vscode.commands.executeCommand('dax.selectModel');
      });
      return undefined;
    }
    return { imageFile: imageUri.fsPath, model: model.description, modelBaseDir: model.baseDir, target, outDir: '', ...runSettings(imageUri) };
  }

  private async run(job: ExplainJob, key: string): Promise<RunView | undefined> {
    const started = Date.now();
    return this.execute(job, 'explaining', (onProgress) => this.worker.explain(job, onProgress), async (result) => {
      const view = await this.store.put(key, job, result.report, result.display);
      this.current = view;
      this.log.info(`done: ${view.summary.imageName} → ${view.summary.targetLabel} (p = ${view.summary.probability.toFixed(3)}), ${result.report.queries} queries, ${((Date.now() - started) / 1000).toFixed(1)} s on ${result.report.backend.name}`);
      return view;
    });
  }

  /** One queued turn: the active-run state, the progress notification with Cancel, the status bar, failures. */
  private async execute<T, R>(
    job: ExplainJob,
    verb: string,
    start: (onProgress: (event: RunProgress) => void) => { id: number; done: Promise<T> },
    finish: (result: T) => Promise<R>,
  ): Promise<R | undefined> {
    this.waiting--;
    const imageName = path.basename(job.imageFile);
    const modelName = String((typeof job.model === 'string' ? job.model : job.model.name ?? job.model.path) ?? 'model');
    this.active = { id: ++this.runCounter, imageName, modelName, method: job.method, phase: 'starting', queued: this.waiting };
    this.lastError = undefined;
    this.panel().startRun();
    this.panel().show();
    await this.panel().refresh();
    void vscode.commands.executeCommand('setContext', 'dax.running', true);
    this.log.info(`${verb} ${job.imageFile} with ${modelName} (${job.method}, ${job.preset}, seed ${job.seed})`);
    try {
      return await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `DAX: ${verb} ${imageName}`, cancellable: true },
        async (progress, token) => {
          const { id, done } = start((event) => this.onProgress(event, progress));
          this.active!.workerRunId = id;
          if (this.active!.cancelRequested) this.worker.cancel(id);
          token.onCancellationRequested(() => this.worker.cancel(id));
          return finish(await done);
        },
      );
    } catch (error) {
      const runError: RunError = error instanceof RunFailure ? error.error : { kind: 'explain', message: (error as Error).message };
      return this.fail(runError, job.imageFile);
    } finally {
      this.active = undefined;
      this.status.hide();
      void vscode.commands.executeCommand('setContext', 'dax.running', this.waiting > 0);
      await this.panel().refresh();
    }
  }

  /** Runs every method at the same budget on an image and shows the table (nothing is cached). */
  async compare(imageUri: vscode.Uri): Promise<ComparisonReport | undefined> {
    const built = this.jobFor(imageUri, undefined);
    if (!built) return undefined;
    const budget = built.samples ?? PRESET_QUERIES[built.preset];
    const job: ExplainJob = { ...built, outDir: this.store.comparisonFolder() };
    this.waiting++;
    const turn = this.chain.then(() =>
      this.execute(job, `comparing methods at ${budget} queries on`, (onProgress) => this.worker.compare(job, budget, onProgress), async (result) => {
        this.comparison = result;
        const comparison = result.report;
        this.log.info(`compared on ${job.imageFile}: ${comparison.rows.map((row) => `${row.method} deletion ${row.deletionAuc.toFixed(3)} insertion ${row.insertionAuc.toFixed(3)}`).join('; ')}`);
        return comparison;
      }),
    );
    this.chain = turn.catch(() => undefined);
    return turn;
  }

  private onProgress(event: RunProgress, progress: vscode.Progress<{ message?: string; increment?: number }>): void {
    let text: string | undefined;
    if (event.type === 'phase') text = event.message;
    else if (event.type === 'queries') text = `querying the model ${event.done}/${event.total}`;
    else if (event.type === 'step') text = `training epoch ${event.epoch}/${event.epochs} · loss ${(event.losses.total ?? 0).toFixed(4)}`;
    if (text) {
      progress.report({ message: text });
      this.status.text = `$(sync~spin) DAX: ${text}`;
      this.status.show();
      if (this.active) this.active.phase = text;
    }
    this.panel().progress(event);
  }

  private fail(error: RunError, file: string): undefined {
    if (error.kind === 'cancelled') {
      this.log.info(`cancelled: ${file}`);
      void vscode.window.showInformationMessage(`DAX: cancelled ${path.basename(file)}; nothing was written.`);
      return undefined;
    }
    this.log.error(`${error.kind}: ${error.message}`);
    this.lastError = { ...error, file };
    const actions = error.kind === 'model' || error.kind === 'usage' ? ['Select Model…', 'Show Log'] : ['Show Log'];
    void vscode.window.showErrorMessage(`DAX: ${error.message}`, ...actions).then((choice) => {
      if (choice === 'Select Model…') void vscode.commands.executeCommand('dax.selectModel');
      else if (choice === 'Show Log') this.log.show(true);
    });
    return undefined;
  }
}
