// The worker process: the engine runs here, never in the extension host. A message switch and the transport.
import { asDaxError } from '../engine/core/errors';
import { catchModelEscapes, refuseProcessExitInModelCalls } from '../engine/core/modelCalls';
import { scoreComparisonMaps, scoreSavedMap } from '../engine/scoreMap';
import { daxVersion } from '../engine/versions';
import type { HostToWorker, RunError, WorkerToHost } from '../shared/protocol';
import type { ComparisonReport } from '../shared/report';
import { throttleProgress } from './progressThrottle';
import { disposeCachedModel, inspectModelSetting, runComparison, runJob } from './runJob';

const running = new Map<number, AbortController>();
const seqs = new Map<number, number>();

function send(message: WorkerToHost): void {
  process.send?.(message);
}

type Job = Extract<HostToWorker, { type: 'run/explainRequest' }>['job'];

async function explain(
  id: number,
  job: Job,
  budget: number | undefined,
  modelTimeoutMs: number | undefined,
): Promise<void> {
  const controller = new AbortController();
  running.set(id, controller);
  seqs.set(id, 0);
  const onProgress = throttleProgress((progress) => {
    const seq = (seqs.get(id) ?? 0) + 1;
    seqs.set(id, seq);
    send({ type: 'run/didProgress', id, seq, progress });
  });
  try {
    if (budget === undefined)
      send({
        type: 'run/response',
        id,
        outcome: 'result',
        result: await runJob(job, controller.signal, onProgress, modelTimeoutMs),
      });
    else
      send({
        type: 'run/response',
        id,
        outcome: 'comparison',
        comparison: await runComparison(job, budget, controller.signal, onProgress, modelTimeoutMs),
      });
  } catch (error) {
    const daxError = asDaxError(error, 'explain', job.inputFile);
    const runError: RunError = { kind: daxError.kind, message: daxError.message };
    // A model that failed may be in a bad state; open it afresh next time.
    if (daxError.kind === 'model' || daxError.kind === 'explain') await disposeCachedModel().catch(() => undefined);
    send({ type: 'run/response', id, outcome: 'error', error: runError });
  } finally {
    running.delete(id);
    seqs.delete(id);
  }
}

async function inspect(id: number, model: Job['model'], modelBaseDir: string): Promise<void> {
  try {
    send({
      type: 'run/response',
      id,
      outcome: 'inspection',
      inspection: await inspectModelSetting(model, modelBaseDir),
    });
  } catch (error) {
    const daxError = asDaxError(error, 'model', typeof model === 'string' ? model : String(model.path ?? 'model'));
    send({ type: 'run/response', id, outcome: 'error', error: { kind: daxError.kind, message: daxError.message } });
  }
}

async function scoreMask(id: number, saliencyFile: string, maskFile: string): Promise<void> {
  try {
    send({
      type: 'run/response',
      id,
      outcome: 'groundTruth',
      groundTruth: await scoreSavedMap(saliencyFile, maskFile),
    });
  } catch (error) {
    const daxError = asDaxError(error, 'input', maskFile);
    send({ type: 'run/response', id, outcome: 'error', error: { kind: daxError.kind, message: daxError.message } });
  }
}

async function scoreComparison(id: number, comparison: ComparisonReport, maskFile: string): Promise<void> {
  try {
    send({
      type: 'run/response',
      id,
      outcome: 'scoredComparison',
      comparison: await scoreComparisonMaps(comparison, maskFile),
    });
  } catch (error) {
    const daxError = asDaxError(error, 'input', maskFile);
    send({ type: 'run/response', id, outcome: 'error', error: { kind: daxError.kind, message: daxError.message } });
  }
}

process.on('message', (message: HostToWorker) => {
  switch (message.type) {
    case 'run/explainRequest':
      void explain(message.id, message.job, undefined, message.modelTimeoutMs);
      break;
    case 'run/compareRequest':
      void explain(message.id, message.job, message.budget, message.modelTimeoutMs);
      break;
    case 'model/inspectRequest':
      void inspect(message.id, message.model, message.modelBaseDir);
      break;
    case 'truth/scoreRequest':
      void scoreMask(message.id, message.saliencyFile, message.maskFile);
      break;
    case 'truth/scoreComparisonRequest':
      void scoreComparison(message.id, message.comparison, message.maskFile);
      break;
    case 'run/cancelCommand':
      running.get(message.id)?.abort();
      break;
  }
});

// The wasm backend installs handlers that print its whole minified source on an uncaught error; a worker must
// answer every request instead. An error a predict module throws outside its promise (in a timer) fails the model
// call in flight, so its run ends with a model error and the worker keeps serving; anything else is logged briefly
// and the process ends for a restart. A predict module's process.exit throws inside its call instead of ending the
// worker.
refuseProcessExitInModelCalls();
catchModelEscapes((error) => {
  process.stderr.write(`dax worker: uncaught ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(70);
});
process.on('disconnect', () => process.exit(0));

send({ type: 'worker/didStart', versions: { dax: daxVersion(), node: process.versions.node } });
