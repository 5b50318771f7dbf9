// The worker process: the engine runs here, never in the extension host. A message switch and the transport.
import { asDaxError } from '../engine/core/errors';
import { daxVersion } from '../engine/versions';
import type { HostToWorker, RunError, WorkerToHost } from '../shared/protocol';
import { throttleProgress } from './progressThrottle';
import { disposeCachedModel, runComparison, runJob } from './runJob';

const running = new Map<number, AbortController>();
const seqs = new Map<number, number>();

function send(message: WorkerToHost): void {
  process.send?.(message);
}

type Job = Extract<HostToWorker, { type: 'run/explainRequest' }>['job'];

async function explain(id: number, job: Job, budget?: number): Promise<void> {
  const controller = new AbortController();
  running.set(id, controller);
  seqs.set(id, 0);
  const onProgress = throttleProgress((progress) => {
    const seq = (seqs.get(id) ?? 0) + 1;
    seqs.set(id, seq);
    send({ type: 'run/didProgress', id, seq, progress });
  });
  try {
    if (budget === undefined) send({ type: 'run/response', id, result: await runJob(job, controller.signal, onProgress) });
    else send({ type: 'run/response', id, comparison: await runComparison(job, budget, controller.signal, onProgress) });
  } catch (error) {
    const daxError = asDaxError(error, 'explain', job.imageFile);
    const runError: RunError = { kind: daxError.kind, message: daxError.message };
    // A model that failed may be in a bad state; open it afresh next time.
    if (daxError.kind === 'model' || daxError.kind === 'explain') await disposeCachedModel().catch(() => undefined);
    send({ type: 'run/response', id, error: runError });
  } finally {
    running.delete(id);
    seqs.delete(id);
  }
}

process.on('message', (message: HostToWorker) => {
  switch (message.type) {
    case 'run/explainRequest':
      void explain(message.id, message.job);
      break;
    case 'run/compareRequest':
      void explain(message.id, message.job, message.budget);
      break;
    case 'run/cancelCommand':
      running.get(message.id)?.abort();
      break;
  }
});

// The wasm backend installs handlers that print its whole minified source on an uncaught error; a worker must
// answer every request instead, so anything that escapes is logged briefly and the process ends for a restart.
process.on('uncaughtException', (error) => {
  process.stderr.write(`dax worker: uncaught ${error.stack ?? error.message}\n`);
  process.exit(70);
});
process.on('unhandledRejection', (reason) => {
  process.stderr.write(`dax worker: unhandled rejection ${(reason as Error)?.stack ?? String(reason)}\n`);
  process.exit(70);
});
process.on('disconnect', () => process.exit(0));

send({ type: 'worker/didStart', versions: { dax: daxVersion(), node: process.versions.node } });
