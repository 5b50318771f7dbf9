// RISE and LIME, the baselines the benchmark compares DAX with, find the oracle's region too.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ImageClassifier } from '../../src/engine/blackbox/classifier';
import { minMaxNormalise } from '../../src/engine/core/minMax';
import { upsample } from '../../src/engine/methods/upsample';
import { runLime } from '../../src/engine/methods/lime';
import { runRise } from '../../src/engine/methods/rise';
import type { BaselineOutcome } from '../../src/engine/methods/contract';
import { occlusionForBudget, runOcclusion, windowCount } from '../../src/engine/methods/occlusion';
import { iouOfTopFraction } from '../../src/engine/metrics/groundTruth';
import { type Scene } from '../../src/engine/perturbation/scene';
import { createRng } from '../../src/engine/core/rng';
import { initBackend } from '../../src/engine/tf/runtime';
import { ORACLE, randomMap, regionMask, oracleScene, ORACLE_FRACTION } from '../helpers/oracle';

let classifier: ImageClassifier;
let scene: Scene;
const top1 = (p: Float32Array): number => p.indexOf(Math.max(...p));
const fraction = ORACLE_FRACTION;

before(async () => {
  await initBackend('auto');
  ({ classifier, scene } = await oracleScene());
});

function regionIou(outcome: BaselineOutcome): number {
  const saliency = minMaxNormalise(upsample(outcome.map, outcome.width, outcome.height, ORACLE.size, ORACLE.size));
  return iouOfTopFraction(saliency, regionMask(), fraction);
}

describe('baselines on the oracle', () => {
  test('RISE puts its most salient pixels on the region, not on the decoy', async () => {
    const outcome = await runRise(
      scene,
      classifier,
      { masks: 500, grid: 8, keepProbability: 0.5, queryBatchSize: 64 },
      createRng(1),
      top1,
    );
    assert.equal(outcome.query.queries, 501);
    assert.equal(outcome.target, 0);
    assert.ok(regionIou(outcome) >= 0.5, `IoU ${regionIou(outcome).toFixed(3)}`);
  });

  test('LIME gives the region the largest coefficients', async () => {
    const outcome = await runLime(
      scene,
      classifier,
      { samples: 500, keepProbability: 0.5, alpha: 1, queryBatchSize: 64 },
      createRng(1),
      top1,
    );
    assert.equal(outcome.query.queries, 500);
    assert.ok(regionIou(outcome) >= 0.5, `IoU ${regionIou(outcome).toFixed(3)}`);
  });

  test('occlusion puts its most salient pixels on the region, far above a random map', async () => {
    const { window, stride } = occlusionForBudget(scene.analysis.width, scene.analysis.height, 500);
    const outcome = await runOcclusion(scene, classifier, { window, stride, queryBatchSize: 64 }, top1);
    assert.equal(outcome.query.queries, windowCount(scene.analysis.width, scene.analysis.height, window, stride) + 1);
    assert.ok(outcome.query.queries <= 500);
    assert.equal(outcome.target, 0);
    // The oracle ignores everything outside its region, so windows that miss it change nothing; the bar is the
    // best of ten random maps.
    const random = Math.max(
      ...Array.from({ length: 10 }, (_, seed) =>
        iouOfTopFraction(randomMap(ORACLE.size, seed + 1), regionMask(), fraction),
      ),
    );
    assert.ok(
      regionIou(outcome) >= 0.5 && regionIou(outcome) > random + 0.3,
      `IoU ${regionIou(outcome).toFixed(3)}, best random ${random.toFixed(3)}`,
    );
  });
});

describe('occlusion for a query budget', () => {
  test('keeps windows + 1 within the budget, at the smallest stride that does', () => {
    for (const [width, height, budget] of [
      [96, 96, 500],
      [256, 64, 1000],
      [64, 256, 100],
      [37, 23, 50],
      [200, 150, 3000],
      [10, 10, 2],
    ] as const) {
      const { window, stride } = occlusionForBudget(width, height, budget);
      const count = windowCount(width, height, window, stride);
      assert.ok(count + 1 <= budget, `${width}x${height} within ${budget}: ${count} windows`);
      assert.ok(window >= Math.min(4, width, height), `window ${window}`);
      // No gaps between windows, and the smallest stride: one pixel less would not fit (with that window).
      assert.ok(stride <= window, `stride ${stride} > window ${window}`);
      if (stride > 1 && stride < window)
        assert.ok(
          windowCount(width, height, window, stride - 1) + 1 > budget,
          `${width}x${height}: stride ${stride - 1} fits ${budget} too`,
        );
    }
    // A fifth of the shorter side while the budget allows it; a budget that forces longer strides grows the window.
    assert.deepEqual(occlusionForBudget(96, 96, 500), { window: 19, stride: 4 });
    assert.deepEqual(occlusionForBudget(200, 150, 3000), { window: 30, stride: 3 });
    assert.deepEqual(occlusionForBudget(10, 10, 2), { window: 10, stride: 10 });
    assert.throws(() => occlusionForBudget(96, 96, 1), RangeError);
  });

  test('windows reach every edge: an oracle that only sees the bottom-right corner is found there', async () => {
    const { width, height } = scene.analysis;
    // A stride of 7 does not divide 96 − 19: only a window flush with the edges covers the corner pixel.
    const corner = width * height - 1;
    const outcome = await runOcclusion(scene, cornerOracle(), { window: 19, stride: 7, queryBatchSize: 64 }, () => 0);
    assert.equal(outcome.map[corner], 1);
    assert.equal(Math.max(...outcome.map), 1);
    assert.equal(outcome.map[0], 0);
  });
});

/** A black box that says 1 while the canvas's bottom-right pixel is as in the input, else 0. */
function cornerOracle(): ImageClassifier {
  const { original } = scene.model;
  const i = original.length - 3;
  return {
    config: classifier.config,
    width: classifier.width,
    height: classifier.height,
    description: 'corner oracle',
    classify: async ({ images }) =>
      images.map((image) => {
        const intact = [0, 1, 2].every((c) => image[i + c] === original[i + c]);
        return Float32Array.of(intact ? 1 : 0, intact ? 0 : 1);
      }),
    dispose: async () => undefined,
  };
}
