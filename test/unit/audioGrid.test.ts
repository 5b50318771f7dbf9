import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { timeFrequencyGrid } from '../../src/engine/audio/timeFrequencyGrid';
import { hzToMel } from '../../src/engine/audio/spectrogram';
import { poolOverSegments } from '../../src/engine/perturbation/segmentPooling';
import { samplePatterns } from '../../src/engine/perturbation/sampler';
import { createRng } from '../../src/engine/core/rng';

describe('the time-frequency grid', () => {
  test('cuts a bins x frames plane into bands x windows cells, row 0 the lowest band', () => {
    const grid = timeFrequencyGrid(257, 126, { bands: 4, windows: 6 });
    assert.deepEqual([grid.count, grid.bands, grid.windows, grid.width, grid.height], [24, 4, 6, 126, 257]);
    assert.deepEqual(Array.from(grid.bandEdges), [0, 64, 128, 192, 257]);
    assert.deepEqual(Array.from(grid.windowEdges), [0, 21, 42, 63, 84, 105, 126]);
    // Cell c = band · windows + window, every cell a rectangle of the plane.
    for (let bin = 0; bin < 257; bin++) {
      const band = bin < 64 ? 0 : bin < 128 ? 1 : bin < 192 ? 2 : 3;
      for (let frame = 0; frame < 126; frame++)
        assert.equal(grid.labels[bin * 126 + frame], band * 6 + Math.floor(frame / 21));
    }
  });

  test('maskFromPattern switches whole cells on and off', () => {
    const grid = timeFrequencyGrid(9, 8, { bands: 3, windows: 2 });
    const keep = Uint8Array.from([1, 0, 0, 1, 1, 1]);
    const mask = grid.maskFromPattern(keep);
    const rows = Array.from({ length: 9 }, (_, r) => Array.from(mask.subarray(r * 8, r * 8 + 8)).join(''));
    assert.deepEqual(rows, [
      '11110000',
      '11110000',
      '11110000',
      '00001111',
      '00001111',
      '00001111',
      '11111111',
      '11111111',
      '11111111',
    ]);
    assert.throws(() => grid.maskFromPattern(new Uint8Array(5)), RangeError);
  });

  test('maskFromValues spreads a value per cell (soft masks, per-cell saliency)', () => {
    const grid = timeFrequencyGrid(4, 4, { bands: 2, windows: 2 });
    assert.deepEqual(
      Array.from(grid.maskFromValues([0.1, 0.2, 0.3, 0.4]), (v) => Math.round(v * 10)),
      [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4],
    );
  });

  test('more bands or windows than the plane has rows or frames are clamped', () => {
    const grid = timeFrequencyGrid(5, 3, { bands: 10, windows: 10 });
    assert.deepEqual([grid.bands, grid.windows, grid.count], [5, 3, 15]);
  });

  test('mel spacing gives low frequencies narrower bands, equal in mel, each at least one bin', () => {
    const grid = timeFrequencyGrid(257, 10, { bands: 8, windows: 1, spacing: 'mel', sampleRate: 16000, fftSize: 512 });
    const widths = Array.from({ length: 8 }, (_, b) => grid.bandEdges[b + 1]! - grid.bandEdges[b]!);
    for (let b = 1; b < 8; b++) assert.ok(widths[b]! >= widths[b - 1]!, `widths grow: ${widths}`);
    assert.ok(widths[0]! >= 1 && widths[7]! > 4 * widths[0]!);
    const edgeMel = (b: number) => hzToMel((grid.bandEdges[b]! * 16000) / 512);
    for (let b = 1; b < 8; b++)
      assert.ok(
        Math.abs(edgeMel(b + 1) - edgeMel(b) - (edgeMel(b) - edgeMel(b - 1))) < 1.5,
        'equal steps in mel, to a bin',
      );
    const crowded = timeFrequencyGrid(17, 4, { bands: 16, windows: 1, spacing: 'mel', sampleRate: 16000, fftSize: 32 });
    for (let b = 0; b < 16; b++) assert.ok(crowded.bandEdges[b + 1]! > crowded.bandEdges[b]!, 'no empty band');
    assert.throws(() => timeFrequencyGrid(257, 10, { bands: 8, windows: 1, spacing: 'mel' }), RangeError);
  });

  test("is a Segmentation: the image engine's pattern sampler and pooling work on it unchanged", () => {
    const grid = timeFrequencyGrid(64, 40, { bands: 4, windows: 5 });
    const samples = samplePatterns(10, grid.count, 0.5, createRng(3));
    const mask = grid.maskFromPattern(samples.keep.subarray(0, grid.count));
    assert.ok(
      mask.every((v) => v === 1),
      'pattern 0 keeps everything',
    );
    const saliency = Float32Array.from({ length: 64 * 40 }, (_, i) => i % 2);
    const pooled = poolOverSegments(saliency, grid.frames, grid.rows, grid, 'mean');
    for (const v of pooled) assert.ok(Math.abs(v - 0.5) < 1e-6, 'each cell holds the mean of its cells');
  });
});
