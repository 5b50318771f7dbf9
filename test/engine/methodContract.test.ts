// Every method in the registry keeps the same contract, so a new method is covered by being listed: on the oracle
// (a model that reads only one region's colour) it finds the region, it spends no more queries than its budget, the
// same seed gives the same map, and it leaves no tensors behind.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ImageClassifier } from '../../src/engine/blackbox/classifier';
import { minMaxNormalise } from '../../src/engine/core/minMax';
import { createRng } from '../../src/engine/core/rng';
import { PRESETS } from '../../src/engine/methods/dax/presets';
import { methodForBudget, REGISTRY, runMethod, type MethodRun } from '../../src/engine/methods/registry';
import { iouOfTopFraction } from '../../src/engine/metrics/groundTruth';
import { type Scene } from '../../src/engine/perturbation/scene';
import { initBackend, tf } from '../../src/engine/tf/runtime';
import { METHOD_NAMES, methodInfo } from '../../src/shared/methods';
import { ORACLE, ORACLE_FRACTION, oracleScene, regionMask } from '../helpers/oracle';

const BUDGET = 400;
let classifier: ImageClassifier;
let scene: Scene;
const top1 = (p: Float32Array): number => p.indexOf(Math.max(...p));
const fraction = ORACLE_FRACTION;

before(async () => {
  await initBackend('auto');
  ({ classifier, scene } = await oracleScene());
});

const run = (method: (typeof METHOD_NAMES)[number], seed: number): Promise<MethodRun> =>
  runMethod(methodForBudget(method, BUDGET, PRESETS.fast), scene, classifier, createRng(seed), top1);

describe('the method registry', () => {
  test('every method the front ends name has an implementation, and each says who it is', () => {
    assert.deepEqual(Object.keys(REGISTRY).sort(), [...METHOD_NAMES].sort());
    for (const id of METHOD_NAMES) assert.deepEqual(REGISTRY[id].info, methodInfo(id));
  });

  for (const id of METHOD_NAMES) {
    describe(`${id} keeps the contract`, () => {
      test(`finds the oracle's region within ${BUDGET} queries`, async () => {
        const outcome = await run(id, 1);
        assert.equal(outcome.target, 0);
        assert.ok(outcome.query.queries <= BUDGET, `${outcome.query.queries} queries`);
        assert.equal(outcome.map.length, ORACLE.size * ORACLE.size, 'the map is at the image resolution');
        const iou = iouOfTopFraction(minMaxNormalise(outcome.map), regionMask(), fraction);
        assert.ok(iou >= 0.5, `IoU ${iou.toFixed(3)}`);
        assert.equal(
          Boolean(outcome.training),
          REGISTRY[id].info.trains,
          'a method that trains reports its training, and only then',
        );
      });

      test('the same seed gives the same map, and the run leaves no tensors behind', async () => {
        await run(id, 2);
        const before = tf.memory().numTensors;
        const first = await run(id, 3);
        assert.equal(tf.memory().numTensors, before);
        const second = await run(id, 3);
        assert.deepEqual(second.map, first.map);
      });
    });
  }
});
