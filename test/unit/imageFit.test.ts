// Large inputs are decoded straight to the working size (shrink-on-load), upright, with the file's size kept.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import sharp from 'sharp';
import { decodeImage } from '../../src/engine/io/image';
import { tempDir } from '../helpers/files';

describe('decoding to the working size', () => {
  test('an image above fitPixels comes at most that large, aspect kept, upright, with its own size as `source`', async () => {
    const dir = await tempDir('dax-fit-');
    const file = path.join(dir, 'turned.jpg');
    // 3000 x 1000 stored, EXIF orientation 6 (turn a quarter clockwise): upright it is 1000 x 3000.
    await sharp({ create: { width: 3000, height: 1000, channels: 3, background: { r: 10, g: 200, b: 30 } } })
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toFile(file);
    const image = await decodeImage(file, { fitPixels: 300_000 });
    assert.deepEqual(image.source, { width: 1000, height: 3000 });
    assert.ok(image.width * image.height <= 300_000, `${image.width}x${image.height}`);
    assert.ok(Math.abs(image.height / image.width - 3) < 0.02, `${image.width}x${image.height}`);
    assert.equal(image.data.length, image.width * image.height * 3);
    const small = await decodeImage(file, { fitPixels: 5_000_000 });
    assert.deepEqual([small.width, small.height, small.source], [1000, 3000, undefined]);
  });
});
