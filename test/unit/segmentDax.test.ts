// Pieces of segment-space DAX that can be specified exactly: the rank correlation it reports as a trust
// indicator, and the units it switches.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spearman } from '../../src/engine/methods/dax/segmentDax';
import { buildLayers, pixelMap } from '../../src/engine/methods/dax/segmentLayers';
import { gridSegmentation } from '../../src/engine/perturbation/slic';
import type { PerturbationSpace } from '../../src/engine/perturbation/scene';

describe("Spearman's rank correlation", () => {
  test('is 1 for any increasing relation, −1 for a decreasing one, and uses mean ranks for ties', () => {
    assert.equal(spearman([1, 2, 3, 4], [10, 20, 400, 401]), 1);
    assert.equal(spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1);
    // ranks a: 0, 1.5, 1.5, 3; b: 0, 1, 2, 3
    assert.ok(Math.abs(spearman([1, 2, 2, 3], [1, 2, 3, 4]) - 0.9486832980505138) < 1e-12);
  });
  test('is NaN without spread, not a number that looks like agreement', () => {
    assert.ok(Number.isNaN(spearman([1, 1, 1], [1, 2, 3])));
    assert.ok(Number.isNaN(spearman([1], [1])));
  });
});

describe('the units segment-space DAX switches', () => {
  // A spectrogram-like grid: 1 band x 2 time windows over 8 frames and 4 rows.
  const own = { ...gridSegmentation(8, 4, 1, 2), windows: 2, windowEdges: Int32Array.from([0, 4, 8]) };
  const sound = { segmentation: own, analysis: { width: 8, height: 4 } } as unknown as PerturbationSpace;
  test('a sound gets time strips over its own cells, and no image layer', () => {
    const units = buildLayers(sound, ['grid', 'slic-coarse', 'time'], 4);
    assert.equal(units.layers.length, 2);
    assert.deepEqual(units.offsets, [0, own.count]);
    assert.equal(units.units, own.count + units.layers[1]!.count);
  });
  test("a pixel's score is the mean of its units' scores over the layers", () => {
    const units = buildLayers(sound, ['time'], 4);
    const scores = new Float32Array(units.units);
    scores[1] = 1; // the right half of the own grid
    scores[units.offsets[1]!] = 1; // the first time strip
    const map = pixelMap(units, scores);
    assert.equal(map[0], 0.5, 'first strip, left half');
    assert.equal(map[7], 0.5, 'right half, last strip');
  });
});
