// Training-loop behaviour that does not depend on the data: early stopping and the loss history.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { trainDax } from '../../src/engine/methods/dax/trainDax';
import { PRESETS } from '../../src/engine/methods/dax/presets';
import { samplePatterns } from '../../src/engine/perturbation/sampler';
import { createRng } from '../../src/engine/core/rng';
import { initBackend } from '../../src/engine/tf/runtime';
import type { SegmentView } from '../../src/engine/perturbation/scene';

const width = 32;
const height = 32;
const segments = 16;
const view: SegmentView = {
  width,
  height,
  original: Float32Array.from({ length: width * height * 3 }, (_, i) => (i * 37) % 255),
  fill: new Float32Array(width * height * 3).fill(128),
  segmentOf: Int32Array.from(
    { length: width * height },
    (_, p) => Math.floor(p / width / 8) * 4 + Math.floor((p % width) / 8),
  ),
  sourceOf: Int32Array.from({ length: width * height }, (_, p) => p),
};
const samples = samplePatterns(128, segments, 0.5, createRng(1));
// The black box's answer: the share of the first segment row that is kept.
const targets = Float32Array.from(
  { length: samples.count },
  (_, n) => (samples.keep[n * segments]! + samples.keep[n * segments + 1]!) / 2,
);
const shape = { width, height, cell: 4 as const, channels: 4 };

before(async () => {
  await initBackend('auto');
});

describe('the DAX training loop', () => {
  test('stops early once the input mask stops moving, but not before minEpochs', async () => {
    // With a learning rate of 0 nothing moves, so the mask is still from the first epoch on.
    const result = await trainDax(
      view,
      samples,
      targets,
      shape,
      { ...PRESETS.fast, learningRate: 0, epochs: 10, minEpochs: 3, earlyStopPatience: 2 },
      createRng(2),
    );
    assert.equal(result.stoppedEarly, true);
    assert.equal(result.epochs, 3);
    assert.equal(result.validation.length, 3);
  });

  test('runs every epoch when the mask keeps changing by more than the tolerance', async () => {
    const result = await trainDax(
      view,
      samples,
      targets,
      shape,
      { ...PRESETS.fast, epochs: 4, minEpochs: 1, earlyStopTolerance: 0 },
      createRng(2),
    );
    assert.equal(result.stoppedEarly, false);
    assert.equal(result.epochs, 4);
    assert.equal(result.steps, result.history.length);
    assert.equal(result.history.at(-1)!.epoch, 4);
    assert.equal(result.mask.length, (width / 4) * (height / 4));
    assert.ok(Math.max(...result.mask) <= 1 + 1e-6 && Math.min(...result.mask) >= 0);
  });

  test("'auto' imitates log-odds and reads M(input) only when most copies answer near zero (a detector that seldom fires)", async () => {
    const options = {
      ...PRESETS.fast,
      epochs: 1,
      minEpochs: 1,
      targetScale: 'auto' as const,
      maskReadout: 'auto' as const,
    };
    const spread = await trainDax(view, samples, targets, shape, options, createRng(2));
    assert.deepEqual(
      [spread.targetScaleUsed, spread.maskReadoutUsed],
      ['probability', 'samples'],
      'answers 0, 0.5, 1: median 0.5',
    );
    // Fires only when both segments of the first row are kept (a quarter of the copies): median answer 0.002.
    const seldom = Float32Array.from({ length: samples.count }, (_, n) =>
      samples.keep[n * segments]! && samples.keep[n * segments + 1]! ? 0.9 : 0.002,
    );
    const sparse = await trainDax(view, samples, seldom, shape, options, createRng(2));
    assert.deepEqual([sparse.targetScaleUsed, sparse.maskReadoutUsed], ['logit', 'input']);
    const fixed = await trainDax(
      view,
      samples,
      seldom,
      shape,
      { ...PRESETS.fast, epochs: 1, minEpochs: 1 },
      createRng(2),
    );
    assert.deepEqual(
      [fixed.targetScaleUsed, fixed.maskReadoutUsed],
      ['probability', 'samples'],
      'the presets do not switch by themselves',
    );
  });

  test('cancellation stops training with a cancelled error', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(
      trainDax(view, samples, targets, shape, PRESETS.fast, createRng(2), { signal: controller.signal }),
      /cancelled/,
    );
  });
});
