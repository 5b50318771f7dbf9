// The extension host's side of the worker: starts the child process on demand, sends requests, routes progress,
// and turns a crash into an error for the run that was going (the next request starts a fresh worker). A worker that
// does not answer a Cancel within a few seconds (a model that blocks its thread) is killed and replaced, so later
// runs never queue behind it.
import { fork, type ChildProcess } from 'node:child_process';
import type {
  ComparisonResult,
  ExplainJob,
  ExplainResult,
  ModelInspection,
  HostToWorker,
  RunError,
  RunProgress,
  RunResponse,
  WorkerToHost,
} from '../shared/protocol';
import type { ComparisonReport, GroundTruthScores } from '../shared/report';

/** A run that failed; `kind` says whose fault it was. */
export class RunFailure extends Error {
  constructor(readonly error: RunError) {
    super(error.message);
  }
}

interface Pending {
  resolve(response: RunResponse): void;
  reject(error: RunFailure): void;
  onProgress(progress: RunProgress): void;
  seq: number;
  /** The process the request went to: its exit fails this run, not the runs of the worker that replaces it. */
  child: ChildProcess;
  /** Set once a Cancel was sent: kills the worker if the run has not answered by then. */
  cancelTimer?: ReturnType<typeof setTimeout>;
}

export interface WorkerClientOptions {
  /** The bundled worker script (dist/worker.js). */
  script: string;
  log(line: string): void;
  /** Memory limit of the worker's heap in MB; out of memory ends the worker, not the extension host. */
  maxOldSpaceMb?: number;
  /** How long a run may take to answer a Cancel before its worker is killed and replaced; default 5 s. */
  cancelGraceMs?: number;
  /** Deadline of one call into the model in ms, read at each request (the `dax.modelTimeoutSeconds` setting). */
  modelTimeoutMs?: () => number | undefined;
}

/** Default of WorkerClientOptions.cancelGraceMs. */
export const CANCEL_GRACE_MS = 5000;

export class WorkerClient {
  private child: ChildProcess | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Variables added to the worker's environment (the endpoint secrets), and whether the child predates them. */
  private extraEnv: Record<string, string> = {};
  private childIsStale = false;

  constructor(private readonly options: WorkerClientOptions) {}

  /** Explains one job; rejects with a RunFailure (kind `cancelled` after `cancel`, `crashed` if the worker died). */
  explain(job: ExplainJob, onProgress: (progress: RunProgress) => void): { id: number; done: Promise<ExplainResult> } {
    const { id, done } = this.request(
      (id) => ({ type: 'run/explainRequest', id, job, modelTimeoutMs: this.options.modelTimeoutMs?.() }),
      onProgress,
    );
    return {
      id,
      done: done.then((response) =>
        response.outcome === 'result'
          ? response.result
          : fail('the worker answered a comparison to an explain request.'),
      ),
    };
  }

  /** Runs every method at `budget` queries on the job's image (see `dax compare`). */
  compare(
    job: ExplainJob,
    budget: number,
    onProgress: (progress: RunProgress) => void,
  ): { id: number; done: Promise<ComparisonResult> } {
    const { id, done } = this.request(
      (id) => ({ type: 'run/compareRequest', id, job, budget, modelTimeoutMs: this.options.modelTimeoutMs?.() }),
      onProgress,
    );
    return {
      id,
      done: done.then((response) =>
        response.outcome === 'comparison'
          ? response.comparison
          : fail('the worker answered a result to a comparison request.'),
      ),
    };
  }

  /** Reads what a model file fixes about its input (Select Model's questions); rejects with a RunFailure as explain does. */
  inspect(model: ExplainJob['model'], modelBaseDir: string): Promise<ModelInspection> {
    const { done } = this.request(
      (id) => ({ type: 'model/inspectRequest', id, model, modelBaseDir }),
      () => undefined,
    );
    return done.then((response) =>
      response.outcome === 'inspection'
        ? response.inspection
        : fail('the worker answered something else to a model inspection.'),
    );
  }

  /** Scores a result's saved map against a ground-truth mask image; rejects with a RunFailure as explain does. */
  scoreMask(saliencyFile: string, maskFile: string): Promise<GroundTruthScores> {
    const { done } = this.request(
      (id) => ({ type: 'truth/scoreRequest', id, saliencyFile, maskFile }),
      () => undefined,
    );
    return done.then((response) =>
      response.outcome === 'groundTruth'
        ? response.groundTruth
        : fail('the worker answered something else to a ground-truth request.'),
    );
  }

  /**
   * Scores every map of a comparison against a ground-truth mask image (nothing runs again); resolves to the
   * comparison with its IoU columns, or rejects with a RunFailure as explain does.
   */
  scoreComparison(comparison: ComparisonReport, maskFile: string): Promise<ComparisonReport> {
    const { done } = this.request(
      (id) => ({ type: 'truth/scoreComparisonRequest', id, comparison, maskFile }),
      () => undefined,
    );
    return done.then((response) =>
      response.outcome === 'scoredComparison'
        ? response.comparison
        : fail('the worker answered something else to a comparison ground-truth request.'),
    );
  }

  private request(
    message: (id: number) => HostToWorker,
    onProgress: (progress: RunProgress) => void,
  ): { id: number; done: Promise<RunResponse> } {
    const child = this.ensureStarted();
    const id = this.nextId++;
    const done = new Promise<RunResponse>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress, seq: 0, child });
    });
    child.send(message(id));
    return { id, done };
  }

  /**
   * Asks the worker to stop run `id`. A worker that has not answered within `cancelGraceMs` (a model that blocks its
   * thread, so the worker cannot even read the Cancel) is killed: the run fails as cancelled, any other run on it as
   * crashed, and the next request starts a new worker.
   */
  cancel(id: number): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    const child = pending.child;
    if (child.connected) child.send({ type: 'run/cancelCommand', id });
    if (pending.cancelTimer) return;
    const grace = this.options.cancelGraceMs ?? CANCEL_GRACE_MS;
    pending.cancelTimer = setTimeout(() => {
      if (this.pending.get(id) !== pending) return;
      this.pending.delete(id);
      this.options.log(
        `worker (pid ${child.pid}) did not answer a Cancel within ${(grace / 1000).toFixed(1)} s; killing it (the next run starts a new one)`,
      );
      pending.reject(
        new RunFailure({
          kind: 'cancelled',
          message: `The run was cancelled. The model did not stop within ${(grace / 1000).toFixed(1)} s, so its worker process was ended; the next run starts a new one.`,
        }),
      );
      if (this.child === child) this.child = undefined;
      child.kill('SIGKILL');
    }, grace);
  }

  /**
   * Sets variables of the worker's environment (they win over the extension host's). A worker started before
   * is stopped as soon as it is idle, so the next run sees them; a run that is going finishes first.
   */
  setEnvironment(env: Record<string, string>): void {
    // The same variables again (a store in this window also fires the storage's change event): nothing to do.
    if (sameEnvironment(env, this.extraEnv)) return;
    this.extraEnv = { ...env };
    this.childIsStale = this.child !== undefined;
    this.retireIfStale();
  }

  private retireIfStale(): void {
    if (!this.childIsStale || this.pending.size > 0) return;
    const child = this.child;
    this.child = undefined;
    this.childIsStale = false;
    if (!child) return;
    // Not a crash: nothing is pending, and its exit must not touch the runs of the worker that replaces it.
    child.removeAllListeners();
    child.kill();
    this.options.log(`worker stopped (pid ${child.pid}) to pick up a changed environment`);
  }

  /** Ends the worker process (tests use it to simulate a crash). */
  kill(): void {
    this.child?.kill('SIGKILL');
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  dispose(): void {
    const child = this.child;
    this.child = undefined;
    child?.removeAllListeners();
    child?.kill();
    this.failAll({ kind: 'cancelled', message: 'the extension was deactivated.' });
  }

  private ensureStarted(): ChildProcess {
    this.retireIfStale();
    if (this.child && this.child.connected) return this.child;
    const child = fork(this.options.script, [], {
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      execArgv: [`--max-old-space-size=${this.options.maxOldSpaceMb ?? 4096}`],
      // The extension host may run on Electron's Node: ELECTRON_RUN_AS_NODE makes the same binary a plain Node.
      env: { ...process.env, ...this.extraEnv, ELECTRON_RUN_AS_NODE: '1' },
    });
    this.child = child;
    this.options.log(`worker started (pid ${child.pid})`);
    // What the worker prints (a predict module's console, a stack) may hold a secret a server echoed: never logged as is.
    child.stdout?.on('data', (chunk: Buffer) => this.options.log(`worker: ${this.redact(chunk.toString().trimEnd())}`));
    child.stderr?.on('data', (chunk: Buffer) => this.options.log(`worker: ${this.redact(chunk.toString().trimEnd())}`));
    child.on('message', (message: WorkerToHost) => this.onMessage(message));
    child.on('error', (error) => this.options.log(`worker error: ${error.message}`));
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = undefined;
      this.options.log(`worker exited (${signal ?? `code ${code}`})`);
      const reason =
        signal === 'SIGKILL'
          ? 'was killed'
          : code === 134 || code === 137
            ? 'ran out of memory'
            : `stopped unexpectedly (${signal ?? `exit code ${code}`})`;
      this.failAll(
        {
          kind: 'crashed',
          message: `The DAX worker process ${reason}; the next run starts a new one. See the "DAX" output for details.`,
        },
        child,
      );
    });
    return child;
  }

  /** `text` with the values of the worker's added environment (the endpoint secrets) replaced by ***. */
  private redact(text: string): string {
    let out = text;
    for (const value of Object.values(this.extraEnv).sort((a, b) => b.length - a.length)) {
      if (value.length >= 4) out = out.split(value).join('***');
    }
    return out;
  }

  private onMessage(message: WorkerToHost): void {
    switch (message.type) {
      case 'worker/didStart':
        this.options.log(`worker ready: ${JSON.stringify(message.versions)}`);
        break;
      case 'run/didProgress': {
        const pending = this.pending.get(message.id);
        if (pending && message.seq > pending.seq) {
          pending.seq = message.seq;
          pending.onProgress(message.progress);
        }
        break;
      }
      case 'run/response': {
        const pending = this.pending.get(message.id);
        this.pending.delete(message.id);
        this.retireIfStale();
        if (!pending) return;
        clearTimeout(pending.cancelTimer);
        if (message.outcome === 'error')
          pending.reject(new RunFailure({ ...message.error, message: this.redact(message.error.message) }));
        else pending.resolve(message);
        break;
      }
    }
  }

  /** Fails every pending run, or those sent to `child` only. */
  private failAll(error: RunError, child?: ChildProcess): void {
    for (const [id, run] of [...this.pending]) {
      if (child !== undefined && run.child !== child) continue;
      this.pending.delete(id);
      clearTimeout(run.cancelTimer);
      run.reject(new RunFailure(error));
    }
  }
}

function fail(message: string): never {
  throw new RunFailure({ kind: 'explain', message });
}

function sameEnvironment(a: Record<string, string>, b: Record<string, string>): boolean {
  const names = Object.keys(a);
  return names.length === Object.keys(b).length && names.every((name) => b[name] === a[name]);
}
