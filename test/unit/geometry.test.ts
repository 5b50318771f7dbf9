import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { canvasToSource, placeImage, renderPlaced } from '../../src/engine/io/geometry';

describe('placing an image in the model input', () => {
  test('letterbox top-left matches PaddleOCR: height 48, width ceil(48·w/h), padding on the right', () => {
    const placement = placeImage(464, 143, 192, 48, 'letterbox', 'top-left');
    assert.deepEqual(placement, {
      width: 192,
      height: 48,
      scaledWidth: Math.ceil((48 * 464) / 143),
      scaledHeight: 48,
      offsetX: 0,
      offsetY: 0,
    });
  });
  test('letterbox centred pads both sides equally', () => {
    const placement = placeImage(100, 50, 100, 100, 'letterbox', 'center');
    assert.equal(placement.scaledHeight, 50);
    assert.equal(placement.offsetY, 25);
  });
  test('centre-crop covers the canvas and cuts the longer side', () => {
    const placement = placeImage(200, 100, 50, 50, 'crop', 'center');
    assert.deepEqual(
      [placement.scaledWidth, placement.scaledHeight, placement.offsetX, placement.offsetY],
      [100, 50, -25, 0],
    );
  });
  test('stretch ignores the aspect ratio', () => {
    assert.deepEqual(placeImage(200, 100, 50, 50, 'stretch', 'center').scaledWidth, 50);
  });
  test('canvas pixels map back to source pixels, padding to -1', () => {
    const map = canvasToSource(placeImage(2, 1, 4, 4, 'letterbox', 'top-left'), 2, 1);
    assert.deepEqual(Array.from(map.subarray(0, 4)), [0, 0, 1, 1]);
    assert.deepEqual(Array.from(map.subarray(8, 12)), [-1, -1, -1, -1]);
  });
  test('rendering flags the padding and keeps the image where it belongs', async () => {
    const image = { width: 2, height: 1, data: Uint8Array.from([255, 0, 0, 0, 0, 255]) };
    const { data, padding } = await renderPlaced(image, placeImage(2, 1, 2, 2, 'letterbox', 'top-left'));
    assert.deepEqual(Array.from(padding!), [0, 0, 1, 1]);
    assert.ok(data[0]! > 200 && data[5]! > 200);
  });
});
