import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { describePoint, moveCursor } from '../src/mapReadout';
import { saliencyHistogram } from '../src/pixels';
import { displayAudio } from './fixtures';

describe('reading a value off the map', () => {
  const image = { width: 2, height: 2, rgb: new Uint8Array(12), saliency: Uint8Array.from([0, 51, 255, 51]) };
  const histogram = saliencyHistogram(image.saliency);

  test('a pixel of an image: its place, its value in the map’s units and its rank', () => {
    assert.equal(describePoint(image, 1, 0, histogram), 'x 1, y 0: saliency 0.20 (top 25 % of pixels)');
    assert.equal(describePoint(image, 0, 1, histogram), 'x 0, y 1: saliency 1.00 (the most salient of pixels)');
    assert.equal(describePoint(image, 0, 0, histogram), 'x 0, y 0: saliency 0.00 (top 75 % of pixels)');
  });

  test('a cell of a spectrogram: its time and frequency', () => {
    const audio = displayAudio({ scale: 'linear' });
    const sound = {
      width: 4,
      height: 2,
      rgb: new Uint8Array(24),
      saliency: Uint8Array.from([0, 0, 0, 0, 0, 255, 0, 0]),
      audio,
    };
    const text = describePoint(sound, 1, 1, saliencyHistogram(sound.saliency));
    assert.match(text, /^0\.\d\d s, 1 kHz: saliency 1\.00 \(the most salient of cells\)$/);
  });

  test('the arrow keys move the cursor, and it stays on the map', () => {
    assert.deepEqual(moveCursor({ x: 0, y: 0 }, 'ArrowRight', 4, 4), { x: 1, y: 0 });
    assert.deepEqual(moveCursor({ x: 0, y: 0 }, 'ArrowUp', 4, 4), { x: 0, y: 0 });
    assert.deepEqual(moveCursor({ x: 3, y: 3 }, 'ArrowDown', 4, 4), { x: 3, y: 3 });
    assert.deepEqual(moveCursor({ x: 0, y: 0 }, 'ArrowRight', 160, 160, true), { x: 10, y: 0 });
    assert.equal(moveCursor({ x: 0, y: 0 }, 'Enter', 4, 4), undefined);
  });
});
