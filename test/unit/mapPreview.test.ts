// The live map the panel gets while DAX trains: small enough to post at every epoch, oriented as the result is.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mapPreview, PREVIEW_MAX_SIDE } from '../../src/worker/mapPreview';

const event = (width: number, height: number, value: (x: number, y: number) => number) => ({
  type: 'map' as const,
  epoch: 2,
  epochs: 3,
  width,
  height,
  values: Uint8Array.from({ length: width * height }, (_, p) => value(p % width, Math.floor(p / width))),
});

describe('the live map preview', () => {
  test('a large map is shrunk to the preview size, keeping its aspect and where it is bright', () => {
    // Bright in the right half only.
    const preview = mapPreview(
      event(800, 400, (x) => (x >= 400 ? 255 : 0)),
      false,
    );
    assert.deepEqual([preview.width, preview.height], [PREVIEW_MAX_SIDE, PREVIEW_MAX_SIDE / 2]);
    assert.equal(preview.values.length, preview.width * preview.height);
    assert.equal(preview.values[0], 0);
    assert.equal(preview.values[preview.width - 1], 255);
    assert.deepEqual([preview.epoch, preview.epochs], [2, 3]);
  });

  test('a small map is left at its size', () => {
    const small = event(20, 10, (x, y) => x + y);
    assert.deepEqual(mapPreview(small, false).values, small.values);
  });

  test("a spectrogram's map is turned so that its high frequencies are on top", () => {
    // Row 0 is the lowest frequency: bright at the bottom of the plane's rows means bright at the bottom of the picture.
    const preview = mapPreview(
      event(4, 3, (_x, y) => (y === 0 ? 255 : 0)),
      true,
    );
    assert.deepEqual(Array.from(preview.values.subarray(8)), [255, 255, 255, 255]);
    assert.deepEqual(Array.from(preview.values.subarray(0, 4)), [0, 0, 0, 0]);
  });
});
