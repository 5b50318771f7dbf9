// RISE and LIME, the baselines the benchmark compares DAX with, find the oracle's region too.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadModelConfig } from '../../src/engine/blackbox/modelConfig';
import { openClassifier } from '../../src/engine/blackbox/openClassifier';
import type { ImageClassifier } from '../../src/engine/blackbox/classifier';
import { normalise, upsampleMask } from '../../src/engine/explainImage';
import { decodeImage } from '../../src/engine/io/image';
import { runLime } from '../../src/engine/methods/lime';
import { runRise, type BaselineOutcome } from '../../src/engine/methods/rise';
import { PRESETS } from '../../src/engine/methods/dax/presets';
import { iouOfTopFraction } from '../../src/engine/metrics/groundTruth';
import { buildScene, type Scene } from '../../src/engine/perturbation/scene';
import { createRng } from '../../src/engine/core/rng';
import { initBackend } from '../../src/engine/tf/runtime';
import { tempDir } from '../helpers/files';
import { ORACLE, regionMask, writeOracleConfig, writeOracleImage, writeOraclePredictModule } from '../helpers/oracle';

let classifier: ImageClassifier;
let scene: Scene;
const top1 = (p: Float32Array): number => p.indexOf(Math.max(...p));
const fraction = (ORACLE.region.width * ORACLE.region.height) / (ORACLE.size * ORACLE.size);

before(async () => {
  await initBackend('auto');
  const dir = await tempDir();
  const imageFile = path.join(dir, 'oracle.png');
  await writeOracleImage(imageFile);
  classifier = await openClassifier(await loadModelConfig(await writeOracleConfig(dir, await writeOraclePredictModule(dir), { input: { width: ORACLE.size, height: ORACLE.size } })));
  scene = await buildScene(await decodeImage(imageFile), classifier, PRESETS.fast.perturbation);
});

function regionIou(outcome: BaselineOutcome): number {
  const saliency = normalise(upsampleMask(outcome.map, outcome.width, outcome.height, ORACLE.size, ORACLE.size));
  return iouOfTopFraction(saliency, regionMask(), fraction);
}

describe('baselines on the oracle', () => {
  test('RISE puts its most salient pixels on the region, not on the decoy', async () => {
    const outcome = await runRise(scene, classifier, { masks: 500, grid: 8, keepProbability: 0.5, queryBatchSize: 64 }, createRng(1), top1);
    assert.equal(outcome.query.queries, 501);
    assert.equal(outcome.target, 0);
    assert.ok(regionIou(outcome) >= 0.5, `IoU ${regionIou(outcome).toFixed(3)}`);
  });

  test('LIME gives the region the largest coefficients', async () => {
    const outcome = await runLime(scene, classifier, { samples: 500, keepProbability: 0.5, alpha: 1, queryBatchSize: 64 }, createRng(1), top1);
    assert.equal(outcome.query.queries, 500);
    assert.ok(regionIou(outcome) >= 0.5, `IoU ${regionIou(outcome).toFixed(3)}`);
  });
});
