// The report's format: the training's facts form a section of their own, present only for a method that trains,
// and a report of the older format (schema 1, those facts at the top level and zero-filled for the baselines) is
// read as the current one wherever reports come back from disk.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ImageClassifier } from '../../src/engine/blackbox/classifier';
import { loadModelConfig } from '../../src/engine/blackbox/modelConfig';
import { openClassifier } from '../../src/engine/blackbox/openClassifier';
import { explainImage } from '../../src/engine/explainImage';
import { PRESETS } from '../../src/engine/methods/dax/presets';
import { methodForBudget } from '../../src/engine/methods/registry';
import { initBackend } from '../../src/engine/tf/runtime';
import { upToDateReport } from '../../src/cli/upToDate';
import { RunStore } from '../../src/extension/runStore';
import { METHOD_NAMES, methodTrains, type MethodName } from '../../src/shared/methods';
import { REPORT_SCHEMA, type ExplanationReport } from '../../src/shared/report';
import { upgradeReport } from '../../src/shared/reportUpgrade';
import { tempDir } from '../helpers/files';
import { ORACLE, writeOracleConfig, writeOracleImage, writeOraclePredictModule } from '../helpers/oracle';

let dir: string;
let imageFile: string;
let classifier: ImageClassifier;

before(async () => {
  await initBackend('auto');
  dir = await tempDir();
  imageFile = path.join(dir, 'oracle.png');
  await writeOracleImage(imageFile);
  const config = await writeOracleConfig(dir, await writeOraclePredictModule(dir), {
    input: { width: ORACLE.size, height: ORACLE.size },
  });
  classifier = await openClassifier(await loadModelConfig(config));
});

after(() => classifier.dispose());

/** A short run of `method` on the oracle: the report is what matters here, not the map. */
async function reportOf(method: MethodName): Promise<ExplanationReport> {
  const spec = methodForBudget(method, 80, { ...PRESETS.fast, epochs: 2 });
  return (await explainImage({ imageFile, classifier, method: spec, preset: 'fast', seed: 1 })).report;
}

describe('the report written now', () => {
  for (const method of METHOD_NAMES.filter((id) => !methodTrains(id))) {
    test(`${method}, a baseline that trains nothing, has no training section`, async () => {
      const report = await reportOf(method);
      assert.equal(report.schema, REPORT_SCHEMA);
      assert.equal(report.method, method);
      assert.ok(!('training' in report), 'no training section, not even an empty one');
      for (const key of ['trainingSteps', 'epochs', 'stoppedEarly', 'losses', 'validation', 'fidelity', 'readout'])
        assert.ok(!(key in report), `no top-level ${key}`);
      assert.ok(!('trainMs' in report.timing));
    });
  }

  test('DAX has one: steps, epochs, its time, and a loss history with named terms', async () => {
    const report = await reportOf('dax');
    assert.equal(report.schema, REPORT_SCHEMA);
    const { training } = report;
    assert.ok(training, 'DAX trains, so its report has a training section');
    assert.ok(training.steps > 0 && training.epochs > 0 && training.ms > 0);
    assert.equal(typeof training.stoppedEarly, 'boolean');
    assert.equal(training.losses.length, training.steps);
    for (const row of training.losses) {
      const terms = Object.keys(row).filter((key) => key !== 'step' && key !== 'epoch');
      assert.ok(terms.includes('total') && terms.includes('distillation'), `terms of step ${row.step}: ${terms}`);
      for (const term of terms) assert.ok(Number.isFinite(row[term]), `${term} at step ${row.step}`);
    }
    assert.equal(training.validation.length, training.epochs);
    assert.ok(training.fidelity, "the student's fidelity goes with the training");
    assert.ok(!('trainMs' in report.timing), "the training's time is training.ms");
  });
});

/** What both formats share, as a DAX run of the segment networks writes it. */
const target = { index: 0, label: 'red-region', probability: 0.93 };
const common = {
  input: { file: '/data/a.png', width: 96, height: 96, sha256: 'input-hash' },
  model: { name: 'oracle', kind: 'module', path: '/data/oracle.js', description: 'predict module' },
  target,
  top: [target, { index: 1, label: 'other', probability: 0.07 }],
  queries: 500,
  backend: { name: 'cpu', notes: [] },
  workingSize: { width: 96, height: 96 },
  maskGrid: { width: 96, height: 96 },
  segments: 64,
  config: { samples: 500, model: { name: 'oracle' }, modelSha256: 'model-hash' },
  preset: 'fast',
  seed: 3,
  versions: { dax: '0.1.0' },
  outputs: { saliency: '/out/a.saliency.png', overlay: '/out/a.overlay.png', report: '/out/a.dax.json' },
};
const losses = [
  { step: 1, epoch: 1, total: 0.4, distillation: 0.4 },
  { step: 2, epoch: 2, total: 0.3, distillation: 0.3 },
];
const validation = [
  { step: 1, epoch: 1, validation: 0.5, maskChange: 1 },
  { step: 2, epoch: 2, validation: 0.35, maskChange: 0.2 },
];
const fidelity = { heldOut: 50, r2: 0.8, spearman: 0.9 };
const readout = { candidates: ['masks', 'smooth'], scores: [0.4, 0.5], chosen: 'smooth' };

/** Schema-1 reports as 0.1.0 wrote them before the training section: a DAX one and a baseline's (zero-filled). */
const daxV1 = {
  schema: 1,
  method: 'dax',
  ...common,
  trainingSteps: 2,
  epochs: 2,
  stoppedEarly: true,
  timing: { totalMs: 900, loadMs: 10, queryMs: 400, modelMs: 300, trainMs: 450, finishMs: 40 },
  losses,
  validation,
  fidelity,
  readout,
};
const riseV1 = {
  schema: 1,
  method: 'rise',
  ...common,
  trainingSteps: 0,
  epochs: 0,
  stoppedEarly: false,
  timing: { totalMs: 500, loadMs: 10, queryMs: 450, modelMs: 400, trainMs: 0, finishMs: 40 },
  losses: [],
  validation: [],
};

/** The same two in the current format: the same facts. */
const daxV2: ExplanationReport = {
  schema: 2,
  method: 'dax',
  ...common,
  timing: { totalMs: 900, loadMs: 10, queryMs: 400, modelMs: 300, finishMs: 40 },
  training: { steps: 2, epochs: 2, stoppedEarly: true, ms: 450, losses, validation, fidelity, readout },
};
const riseV2: ExplanationReport = {
  schema: 2,
  method: 'rise',
  ...common,
  timing: { totalMs: 500, loadMs: 10, queryMs: 450, modelMs: 400, finishMs: 40 },
};

describe('a schema-1 report', () => {
  test("of DAX upgrades to the current shape: its training's facts in the training section", () => {
    assert.deepEqual(upgradeReport(structuredClone(daxV1)), daxV2);
  });

  test("of a baseline upgrades without a training section (its zeros were no training's facts)", () => {
    const upgraded = upgradeReport(structuredClone(riseV1));
    assert.deepEqual(upgraded, riseV2);
    assert.ok(!('training' in upgraded));
  });

  test('of DAX before the baselines existed (no method) is read as the DAX report it was', () => {
    const { method: _method, ...noMethod } = structuredClone(daxV1);
    assert.deepEqual(upgradeReport(noMethod), daxV2);
  });

  test('a current report is returned as it is; what is not a report, or is of a newer format, is refused', () => {
    const current = structuredClone(daxV2);
    assert.equal(upgradeReport(current), current);
    for (const bad of [null, 'report', [], {}, { ...daxV2, schema: 3 }])
      assert.throws(() => upgradeReport(bad), /report/, JSON.stringify(bad));
  });

  test('in the extension’s run cache opens as the current format', async () => {
    const root = path.join(dir, 'store');
    const store = new RunStore(root);
    const key = 'b'.repeat(32);
    const folder = store.folder(key);
    mkdirSync(folder, { recursive: true });
    const reportFile = path.join(folder, 'a.dax.json');
    writeFileSync(reportFile, JSON.stringify(daxV1));
    const display = Buffer.alloc(8 + 4);
    display.writeUInt32LE(1, 0);
    display.writeUInt32LE(1, 4);
    writeFileSync(path.join(folder, 'display.bin'), display);
    const summary = {
      key,
      inputName: 'a.png',
      modelName: 'oracle',
      method: 'dax',
      targetLabel: 'red-region',
      probability: 0.93,
      finishedAt: 1,
      cached: false,
    };
    writeFileSync(path.join(folder, 'entry.json'), JSON.stringify({ summary, job: {}, reportFile }));
    assert.deepEqual((await store.get(key))?.report, daxV2);
  });

  test('still counts as up to date for a batch: the explanation is the same, only the format moved', async () => {
    for (const [v1, v2] of [
      [daxV1, daxV2],
      [riseV1, riseV2],
    ] as const) {
      const reportFile = path.join(dir, `${v1.method}.dax.json`);
      writeFileSync(reportFile, JSON.stringify(v1));
      const found = await upToDateReport(reportFile, {}, async () => 'input-hash', {
        method: v1.method,
        preset: v1.preset,
        seed: v1.seed,
        settings: { samples: 500 },
        model: { name: 'oracle' } as never,
        modelSha256: 'model-hash',
        backend: 'cpu',
      });
      assert.deepEqual(found, { ...v2, outputs: {} }, `${v1.method}: found and read as the current format`);
    }
  });
});
