import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { limeKernelWeight, samplePatterns } from '../../src/engine/perturbation/sampler';
import { createRng } from '../../src/engine/core/rng';

describe('perturbation patterns', () => {
  test('pattern 0 keeps every segment: it is the input itself', () => {
    const samples = samplePatterns(10, 50, 0.5, createRng(1));
    assert.ok(samples.keep.subarray(0, 50).every((v) => v === 1));
    assert.equal(samples.weights[0], 1);
  });
  test('segments are kept with the requested probability', () => {
    const samples = samplePatterns(2001, 100, 0.3, createRng(2));
    const rest = samples.keep.subarray(100);
    const share = rest.reduce((sum, v) => sum + v, 0) / rest.length;
    assert.ok(Math.abs(share - 0.3) < 0.01, `kept ${share}`);
  });
  test('the same seed draws the same patterns; another seed others', () => {
    assert.deepEqual(samplePatterns(50, 20, 0.5, createRng(3)).keep, samplePatterns(50, 20, 0.5, createRng(3)).keep);
    assert.notDeepEqual(samplePatterns(50, 20, 0.5, createRng(3)).keep, samplePatterns(50, 20, 0.5, createRng(4)).keep);
  });
  test("LIME's kernel weighs a pattern by its cosine distance to the input", () => {
    const half = Uint8Array.from({ length: 100 }, (_, i) => (i < 50 ? 1 : 0));
    const distance = 1 - Math.sqrt(0.5);
    assert.ok(Math.abs(limeKernelWeight(half, 0.25) - Math.sqrt(Math.exp(-(distance ** 2) / 0.0625))) < 1e-12);
    assert.equal(limeKernelWeight(new Uint8Array(10), 0.25) < limeKernelWeight(half.subarray(0, 10), 0.25), true);
  });
});
