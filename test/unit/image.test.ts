import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { decodeImage } from '../../src/engine/io/image';
import { DaxError } from '../../src/engine/core/errors';
import { tempDir } from '../helpers/files';

let dir: string;
// A 4x2 picture: left half red, right half blue.
const pixels = Buffer.from([255, 0, 0, 255, 0, 0, 0, 0, 255, 0, 0, 255, 255, 0, 0, 255, 0, 0, 0, 0, 255, 0, 0, 255]);
const raw = { raw: { width: 4, height: 2, channels: 3 as const } };

before(async () => {
  dir = await tempDir();
});

function isInputError(pattern: RegExp) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof DaxError, `expected a DaxError, got ${String(error)}`);
    assert.equal(error.kind, 'input');
    assert.match(error.message, pattern);
    return true;
  };
}

describe('decoding images', () => {
  for (const format of ['png', 'jpeg', 'webp', 'gif', 'tiff', 'avif'] as const) {
    test(`${format} decodes to 8-bit RGB at its size`, async () => {
      const file = path.join(dir, `image.${format}`);
      await sharp(pixels, raw)
        .resize(40, 20, { kernel: 'nearest' })
        .toFormat(format, format === 'jpeg' || format === 'webp' || format === 'avif' ? { quality: 95 } : {})
        .toFile(file);
      const image = await decodeImage(file);
      assert.deepEqual([image.width, image.height, image.data.length], [40, 20, 40 * 20 * 3]);
      const left = 3 * (10 * 40 + 5);
      assert.ok(image.data[left]! > 180 && image.data[left + 2]! < 90, `left is red in ${format}`);
    });
  }

  test('EXIF orientation is honoured (a 90° tag turns 4x2 into 2x4)', async () => {
    const file = path.join(dir, 'rotated.jpg');
    await sharp(pixels, raw).resize(40, 20, { kernel: 'nearest' }).jpeg().withMetadata({ orientation: 6 }).toFile(file);
    const image = await decodeImage(file);
    assert.deepEqual([image.width, image.height], [20, 40]);
  });

  test('transparent pixels are flattened onto white', async () => {
    const file = path.join(dir, 'alpha.png');
    await sharp(Buffer.from([0, 0, 0, 0, 0, 0, 0, 255]), { raw: { width: 2, height: 1, channels: 4 } })
      .png()
      .toFile(file);
    const image = await decodeImage(file);
    assert.deepEqual(Array.from(image.data), [255, 255, 255, 0, 0, 0]);
  });

  test('grey images become three equal channels', async () => {
    const file = path.join(dir, 'grey.png');
    await sharp(Buffer.from([10, 200]), { raw: { width: 2, height: 1, channels: 1 } })
      .png()
      .toFile(file);
    const image = await decodeImage(file);
    assert.deepEqual(Array.from(image.data), [10, 10, 10, 200, 200, 200]);
  });

  test('CMYK JPEGs are converted to sRGB', async () => {
    const file = path.join(dir, 'cmyk.jpg');
    await sharp(pixels, raw)
      .resize(40, 20, { kernel: 'nearest' })
      .toColourspace('cmyk')
      .jpeg({ quality: 95 })
      .toFile(file);
    assert.equal((await sharp(file).metadata()).space, 'cmyk');
    const image = await decodeImage(file);
    assert.equal(image.data.length, 40 * 20 * 3);
    const left = 3 * (10 * 40 + 5);
    assert.ok(image.data[left]! > 150 && image.data[left + 2]! < 120, 'left stays red');
  });

  test('an image above the pixel limit is refused before its pixels are decoded', async () => {
    const file = path.join(dir, 'huge.png');
    await sharp({ create: { width: 3000, height: 2000, channels: 3, background: '#808080' } })
      .png()
      .toFile(file);
    await assert.rejects(
      decodeImage(file, { maxPixels: 1_000_000 }),
      isInputError(/3000x2000 \(6\.0 megapixels\), above the limit of 1\.0 megapixels/),
    );
  });

  test('a zero-byte file says it is empty', async () => {
    const file = path.join(dir, 'empty.png');
    await writeFile(file, '');
    await assert.rejects(decodeImage(file), isInputError(/empty\.png: the image file is empty/));
  });

  test('a text file is not an image', async () => {
    const file = path.join(dir, 'notes.png');
    await writeFile(file, 'hello, this is text\n');
    await assert.rejects(decodeImage(file), isInputError(/notes\.png: is not an image that can be read/));
  });

  test('an SVG is refused whatever it is called, before libvips renders it', async () => {
    // A sibling file that an SVG could pull into the picture, and a filter that takes minutes to draw at this size.
    await writeFile(path.join(dir, '.env'), 'TOKEN=secret\n');
    const svg =
      '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" xmlns:xi="http://www.w3.org/2001/XInclude" width="6000" height="6000">' +
      '<filter id="f"><feGaussianBlur stdDeviation="500"/></filter><rect width="6000" height="6000" filter="url(#f)"/>' +
      '<text><xi:include href=".env" parse="text"/></text><image href=".env" width="10" height="10"/></svg>';
    for (const name of ['drawing.png', 'drawing.jpg', 'drawing.svg']) {
      const file = path.join(dir, name);
      await writeFile(file, svg);
      const started = Date.now();
      await assert.rejects(
        decodeImage(file),
        isInputError(
          new RegExp(
            `${name.replace('.', '\\.')}: is an SVG \\(vector\\) image, not a raster image\\. Only raster images are read`,
          ),
        ),
      );
      assert.ok(Date.now() - started < 2000, 'refused at once');
    }
    const bare = path.join(dir, 'bare.webp');
    await writeFile(bare, '  <svg width="10" height="10"><rect width="10" height="10"/></svg>');
    await assert.rejects(decodeImage(bare), isInputError(/bare\.webp: is an SVG/));
  });

  test('a PDF named like an image is refused', async () => {
    const file = path.join(dir, 'scan.tiff');
    await writeFile(file, '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n');
    await assert.rejects(decodeImage(file), isInputError(/scan\.tiff: is a PDF document, not a raster image/));
  });

  test('a FIFO named like an image is refused without hanging', async () => {
    const file = path.join(dir, 'pipe.png');
    execFileSync('mkfifo', [file]);
    await assert.rejects(decodeImage(file), isInputError(/pipe\.png: is not a regular file/));
  });

  test('a truncated JPEG is reported as corrupt', async () => {
    const whole = path.join(dir, 'whole.jpg');
    await sharp({ create: { width: 200, height: 200, channels: 3, background: '#336699' } })
      .jpeg()
      .toFile(whole);
    const bytes = await readFile(whole);
    const file = path.join(dir, 'truncated.jpg');
    await writeFile(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await assert.rejects(decodeImage(file), isInputError(/truncated\.jpg: /));
  });

  test('a missing file names the file and the reason', async () => {
    await assert.rejects(
      decodeImage(path.join(dir, 'nope.png')),
      isInputError(/nope\.png: cannot read the image: ENOENT/),
    );
  });
});
