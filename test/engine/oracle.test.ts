// DAX on an exact oracle: a black box that looks only at a known region of the image.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadModelConfig } from '../../src/engine/blackbox/modelConfig';
import { openClassifier } from '../../src/engine/blackbox/openClassifier';
import type { ImageClassifier } from '../../src/engine/blackbox/classifier';
import { explainImage } from '../../src/engine/explainImage';
import { PRESETS } from '../../src/engine/methods/dax/presets';
import { iouOfTopFraction } from '../../src/engine/metrics/groundTruth';
import type { ProgressEvent } from '../../src/engine/core/progress';
import { initBackend, tf } from '../../src/engine/tf/runtime';
import { tempDir } from '../helpers/files';
import {
  NOISY_ORACLE_RULE,
  ORACLE,
  randomMap,
  regionMask,
  writeNoisyOracleImage,
  writeOracleConfig,
  writeOracleImage,
  writeOraclePredictModule,
  writeOracleTfjsModel,
} from '../helpers/oracle';

const truth = regionMask();
const regionFraction = (ORACLE.region.width * ORACLE.region.height) / (ORACLE.size * ORACLE.size);
let imageFile: string;
let tfjsOracle: ImageClassifier;
let moduleOracle: ImageClassifier;

before(async () => {
  const dir = await tempDir();
  await initBackend('auto');
  imageFile = path.join(dir, 'oracle.png');
  await writeOracleImage(imageFile);
  tfjsOracle = await openClassifier(
    await loadModelConfig(await writeOracleConfig(dir, await writeOracleTfjsModel(path.join(dir, 'tfjs')))),
  );
  moduleOracle = await openClassifier(
    await loadModelConfig(
      await writeOracleConfig(dir, await writeOraclePredictModule(dir), {
        input: { width: ORACLE.size, height: ORACLE.size },
      }),
    ),
  );
});

/** A short run for the properties that do not depend on the map's quality. */
const quick = { ...PRESETS.fast, samples: 200, epochs: 3 };

function explain(classifier: ImageClassifier, seed: number, settings = PRESETS.fast) {
  return explainImage({ imageFile, classifier, method: { method: 'dax', settings }, preset: 'fast', seed });
}

/** IoU of the region-sized set of most salient pixels with the oracle's region. */
function topRegionIou(saliency: Float32Array): number {
  return iouOfTopFraction(saliency, truth, regionFraction);
}

describe('DAX on an oracle black box', () => {
  test('finds the region the oracle looks at, not the identical decoy, for at least 4 of 5 seeds (TF.js layers model)', async (t) => {
    // DAX is stochastic (sampling, initialisation, batches): its guarantee is a success rate, so that is what is
    // specified. Measured on wasm: 5 of 5 seeds here; over seeds 1-10 about 4 in 5 reach IoU ≥ 0.5.
    const ious: number[] = [];
    for (let seed = 1; seed <= 5; seed++) {
      const { saliency, report } = await explain(tfjsOracle, seed);
      assert.equal(report.target.label, 'red-region');
      ious.push(topRegionIou(saliency));
    }
    const random = topRegionIou(randomMap(ORACLE.size, 99));
    const found = ious.filter((iou) => iou >= 0.5).length;
    const detail = ious.map((iou) => iou.toFixed(3)).join(', ');
    t.diagnostic(`IoU per seed: ${detail}`);
    assert.ok(found >= 4, `IoU with the oracle region per seed: ${detail}`);
    const mean = ious.reduce((a, b) => a + b, 0) / ious.length;
    assert.ok(mean > random + 0.3, `beats a random map by a wide margin (${mean.toFixed(3)} vs ${random.toFixed(3)})`);
  });

  test('thorough (3000 queries) finds the region at least as well as balanced (1000), over seeds', async () => {
    // On the noisy oracle with layered units it does not (0.50 against 0.75): see the DAX issue's note.
    let balanced = 0;
    let thorough = 0;
    for (const seed of [1, 2]) {
      balanced += topRegionIou((await explain(tfjsOracle, seed, PRESETS.balanced)).saliency);
      thorough += topRegionIou((await explain(tfjsOracle, seed, PRESETS.thorough)).saliency);
    }
    assert.ok(thorough >= balanced - 0.02, `thorough ${thorough / 2} against balanced ${balanced / 2}`);
  });

  test('the same seed gives the same saliency, bit for bit', async () => {
    const first = await explain(moduleOracle, 5, quick);
    const second = await explain(moduleOracle, 5, quick);
    assert.deepEqual(second.saliency, first.saliency);
    assert.deepEqual(second.report.training?.losses, first.report.training?.losses);
    const other = await explain(moduleOracle, 6, quick);
    assert.notDeepEqual(other.report.training?.losses, first.report.training?.losses, 'another seed is another run');
  });

  test('an explanation leaves no TF.js tensors behind', async () => {
    await explain(moduleOracle, 3, quick);
    const before = tf.memory().numTensors;
    await explain(moduleOracle, 3, quick);
    assert.equal(tf.memory().numTensors, before);
  });

  test('progress shows the map after every epoch, the last one the map the run returns', async () => {
    const maps: Extract<ProgressEvent, { type: 'map' }>[] = [];
    const { saliency, report } = await explainImage({
      imageFile,
      classifier: moduleOracle,
      method: { method: 'dax', settings: quick },
      preset: 'fast',
      seed: 4,
      onProgress: (event) => event.type === 'map' && maps.push(event),
    });
    assert.deepEqual(
      maps.map((map) => map.epoch),
      Array.from({ length: report.training?.epochs ?? 0 }, (_, i) => i + 1),
    );
    const last = maps.at(-1)!;
    assert.equal(last.values.length, last.width * last.height);
    assert.deepEqual([last.width, last.height], [ORACLE.size, ORACLE.size], 'the oracle is explained at its own size');
    const drift = last.values.reduce((most, v, p) => Math.max(most, Math.abs(v - saliency[p]! * 255)), 0);
    assert.ok(drift <= 1, `the last map differs from the result by up to ${drift} of 255`);
  });

  test('the report accounts for the run', async () => {
    const { report } = await explain(moduleOracle, 2, quick);
    assert.equal(report.method, 'dax');
    assert.ok(['tensorflow', 'wasm', 'cpu'].includes(report.backend.name));
    assert.equal(report.queries, quick.samples);
    const { training } = report;
    assert.ok(training, 'DAX reports its training');
    assert.equal(training.losses.length, training.steps);
    // The default (segment) networks minimise distillation alone; whatever terms a method names, each is a number.
    for (const row of training.losses) {
      assert.ok(Number.isFinite(row.total) && Number.isFinite(row['distillation']), `step ${row.step} has its loss`);
      for (const [key, value] of Object.entries(row)) assert.ok(Number.isFinite(value), `${key} is finite`);
    }
    assert.ok(
      training.validation.length === training.epochs &&
        training.validation.every((row) => Number.isFinite(row.validation)),
    );
    assert.ok(report.timing.queryMs > 0 && training.ms > 0);
    assert.equal(report.seed, 2);
    assert.ok(report.versions.tfjs && report.versions.onnxruntime && report.versions.dax);
    assert.ok(report.top[0]!.probability >= report.top[1]!.probability);
  });
});

describe('DAX with layered units where one segmentation cannot follow the evidence (the noisy brightness oracle)', () => {
  // The default units are the perturbation's SLIC segments alone, and on this image they fail (IoU 0.00, as
  // LIME's); a grid and a coarser SLIC, one per copy in turn, cut the square out. Not the default: on the
  // benchmark's photos they cost insertion AUC (README "How DAX is done here").
  const layered = { layers: ['grid', 'slic-coarse'], layerMix: 'alternate' } as const;
  let noisyImage: string;
  let noisyOracle: ImageClassifier;
  before(async () => {
    const dir = await tempDir();
    noisyImage = path.join(dir, 'noisy.png');
    await writeNoisyOracleImage(noisyImage);
    noisyOracle = await openClassifier(
      await loadModelConfig(
        await writeOracleConfig(dir, await writeOraclePredictModule(dir, NOISY_ORACLE_RULE), {
          input: { width: ORACLE.size, height: ORACLE.size },
        }),
      ),
    );
  });
  const explainNoisy = (preset: 'fast' | 'balanced' | 'thorough', seed: number) =>
    explainImage({
      imageFile: noisyImage,
      classifier: noisyOracle,
      method: {
        method: 'dax',
        settings: { ...PRESETS[preset], segmentDax: { layers: [...layered.layers], layerMix: layered.layerMix } },
      },
      preset,
      seed,
    });

  test('finds the bright square, not its decoy, although SLIC segments follow the noise (IoU ≥ 0.5 for every seed)', async (t) => {
    // Measured: SLIC alone (and LIME over it) 0.00, RISE 0.42-0.54, DAX with its grid and coarse SLIC layers 0.72-0.76.
    const ious: number[] = [];
    for (const seed of [1, 2, 3]) ious.push(topRegionIou((await explainNoisy('balanced', seed)).saliency));
    t.diagnostic(`IoU per seed: ${ious.map((v) => v.toFixed(3)).join(', ')}`);
    assert.ok(
      ious.every((iou) => iou >= 0.5),
      `IoU per seed: ${ious.join(', ')}`,
    );
  });

  test("the report carries the student's fidelity on held-out copies, high where the student learnt the oracle", async () => {
    const { report } = await explainNoisy('fast', 1);
    const fidelity = report.training?.fidelity;
    assert.ok(fidelity, 'fidelity is reported');
    assert.ok(fidelity.heldOut >= 20, `held-out copies: ${fidelity.heldOut}`);
    assert.ok(fidelity.r2 > 0.5 && fidelity.r2 <= 1, `R² ${fidelity.r2}`);
    assert.ok(fidelity.spearman > 0.7 && fidelity.spearman <= 1, `Spearman ${fidelity.spearman}`);
  });
});
