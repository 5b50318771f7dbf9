// Pieces of segment-space DAX that can be specified exactly: the rank correlation it reports as a trust
// indicator, and the units it switches.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spearman } from '../../src/engine/methods/dax/segmentDax';
import { buildLayers, pixelMap, unitEdges } from '../../src/engine/methods/dax/segmentLayers';
import { gaussianBlur } from '../../src/engine/core/gaussianBlur';
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

describe("the masks' smoothness prior sees which units touch", () => {
  test('a 2x2 grid has four touching pairs (no diagonals), weighted by their share of the border', () => {
    const layers = { layers: [gridSegmentation(8, 8, 2, 2)], offsets: [0], units: 4 };
    const edges = unitEdges(layers);
    const pairs = Array.from(edges.a, (a, e) => `${a}-${edges.b[e]}`).sort();
    assert.deepEqual(pairs, ['0-1', '0-2', '1-3', '2-3']);
    for (const w of edges.weight) assert.ok(Math.abs(w - 0.25) < 1e-12);
  });
});

describe('the Gaussian blur of a map', () => {
  test('keeps a constant map, spreads a point symmetrically, and is the identity at sigma 0', () => {
    assert.deepEqual(
      Array.from(gaussianBlur(new Float32Array(25).fill(0.5), 5, 5, 1.5)).map((v) => v.toFixed(5)),
      Array(25).fill('0.50000'),
    );
    const point = new Float32Array(49);
    point[24] = 1;
    const blurred = gaussianBlur(point, 7, 7, 1);
    assert.ok(blurred[24]! < 1 && blurred[24]! > blurred[23]!);
    assert.equal(blurred[23], blurred[25]);
    assert.equal(blurred[17], blurred[31]);
    assert.equal(gaussianBlur(point, 7, 7, 0), point);
  });
});
