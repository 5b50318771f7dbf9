import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import sharp from 'sharp';
import { gridSegmentation, slic, type RgbImage, type Segmentation } from '../../src/engine/perturbation/slic';

type Rgb = [number, number, number];

/** Deterministic noise in [-1, 1): tests must not depend on Math.random. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  };
}

function paint(width: number, height: number, colourAt: (x: number, y: number) => Rgb): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = colourAt(x, y);
      const i = (y * width + x) * 3;
      data[i] = Math.max(0, Math.min(255, Math.round(r)));
      data[i + 1] = Math.max(0, Math.min(255, Math.round(g)));
      data[i + 2] = Math.max(0, Math.min(255, Math.round(b)));
    }
  }
  return { width, height, data };
}

/** Gradients, a disc, a rectangle, stripes and noise: enough structure to look vaguely like a photo. */
function naturalish(width: number, height: number): RgbImage {
  const noise = lcg(7);
  return paint(width, height, (x, y) => {
    const n = noise() * 12;
    const u = x / width,
      v = y / height;
    if ((u - 0.3) ** 2 + (v - 0.35) ** 2 < 0.03) return [220 + n, 180 + n, 40 + n];
    if (u > 0.55 && u < 0.9 && v > 0.5 && v < 0.85) return [40 + n, 90 + 60 * u + n, 160 + n];
    if (v > 0.85) return Math.floor(x / 9) % 2 ? [200 + n, 200 + n, 200 + n] : [60 + n, 40 + n, 30 + n];
    return [90 + 120 * u + n, 140 - 60 * v + n, 100 + 80 * v + n];
  });
}

/** Every pixel has a label in [0, count), every label is used, and labels first appear in raster order. */
function assertValidLabels(seg: Segmentation): void {
  assert.equal(seg.labels.length, seg.width * seg.height);
  assert.ok(seg.count >= 1, 'at least one segment');
  let next = 0;
  for (const label of seg.labels) {
    assert.ok(label >= 0 && label < seg.count, `label ${label} outside [0, ${seg.count})`);
    assert.ok(label <= next, `label ${label} appears before label ${next}: not numbered in raster order`);
    if (label === next) next++;
  }
  assert.equal(next, seg.count, 'every label 0..count-1 is used');
}

/** Each label is exactly one 4-connected region: a flood fill from its first pixel reaches all of its pixels. */
function assertConnected(seg: Segmentation): void {
  const { width, height, labels, count } = seg;
  const sizes = new Int32Array(count);
  for (const label of labels) sizes[label]!++;
  const seen = new Uint8Array(labels.length);
  const started = new Uint8Array(count);
  const stack: number[] = [];
  for (let start = 0; start < labels.length; start++) {
    const label = labels[start]!;
    if (started[label]) continue;
    started[label] = 1;
    let reached = 0;
    stack.push(start);
    seen[start] = 1;
    while (stack.length > 0) {
      const p = stack.pop()!;
      reached++;
      const x = p % width,
        y = Math.floor(p / width);
      const neighbours = [
        x > 0 ? p - 1 : -1,
        x < width - 1 ? p + 1 : -1,
        y > 0 ? p - width : -1,
        y < height - 1 ? p + width : -1,
      ];
      for (const q of neighbours) {
        if (q >= 0 && !seen[q] && labels[q] === label) {
          seen[q] = 1;
          stack.push(q);
        }
      }
    }
    assert.equal(
      reached,
      sizes[label],
      `label ${label} has ${sizes[label]} pixels but only ${reached} are 4-connected to its first pixel`,
    );
  }
}

function segmentSizes(seg: Segmentation): Int32Array {
  const sizes = new Int32Array(seg.count);
  for (const label of seg.labels) sizes[label]!++;
  return sizes;
}

describe('slic superpixels', () => {
  test('labels cover every pixel, lie in [0, count) and are numbered in raster order', () => {
    assertValidLabels(slic(naturalish(160, 120), { segments: 60 }));
  });

  test('every superpixel is a single 4-connected region', () => {
    assertConnected(slic(naturalish(160, 120), { segments: 60 }));
    assertConnected(slic(naturalish(97, 131), { segments: 45, compactness: 1 }));
  });

  test('the number of superpixels is within a factor of 2 of the requested count', () => {
    for (const segments of [20, 60, 150]) {
      const seg = slic(naturalish(200, 150), { segments });
      assert.ok(seg.count >= segments / 2 && seg.count <= segments * 2, `asked ${segments}, got ${seg.count}`);
    }
  });

  test('no superpixel straddles the boundary between a flat red left part and a flat blue right part', () => {
    const boundary = 41;
    const image = paint(96, 64, (x) => (x < boundary ? [255, 0, 0] : [0, 0, 255]));
    const seg = slic(image, { segments: 30 });
    const side = new Int8Array(seg.count).fill(-1);
    for (let i = 0; i < seg.labels.length; i++) {
      const label = seg.labels[i]!;
      const left = i % image.width < boundary ? 1 : 0;
      if (side[label] === -1) side[label] = left;
      assert.equal(side[label], left, `label ${label} holds both red and blue pixels`);
    }
  });

  test('superpixels recover a bright square on a dark background (boundary recall >= 0.9)', () => {
    const width = 128,
      height = 128;
    const x0 = 37,
      x1 = 93,
      y0 = 29,
      y1 = 99; // square is [x0, x1) x [y0, y1)
    const inside = (x: number, y: number) => x >= x0 && x < x1 && y >= y0 && y < y1;
    const noise = lcg(3);
    const image = paint(width, height, (x, y) => {
      const v = (inside(x, y) ? 225 : 30) + noise() * 8;
      return [v, v, v];
    });
    const seg = slic(image, { segments: 64 });
    const { labels } = seg;

    // Boundary recall: share of true boundary pixels with a superpixel boundary within 2 pixels (the usual tolerance).
    const isEdge = (x: number, y: number) => {
      const l = labels[y * width + x]!;
      return (
        (x > 0 && labels[y * width + x - 1] !== l) ||
        (x < width - 1 && labels[y * width + x + 1] !== l) ||
        (y > 0 && labels[(y - 1) * width + x] !== l) ||
        (y < height - 1 && labels[(y + 1) * width + x] !== l)
      );
    };
    let truth = 0,
      recalled = 0;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const onTruth =
          inside(x, y) !== inside(Math.max(0, x - 1), y) ||
          inside(x, y) !== inside(Math.min(width - 1, x + 1), y) ||
          inside(x, y) !== inside(x, Math.max(0, y - 1)) ||
          inside(x, y) !== inside(x, Math.min(height - 1, y + 1));
        if (!onTruth) continue;
        truth++;
        let hit = false;
        for (let dy = -2; dy <= 2 && !hit; dy++) {
          for (let dx = -2; dx <= 2 && !hit; dx++) {
            const nx = x + dx,
              ny = y + dy;
            hit = nx >= 0 && nx < width && ny >= 0 && ny < height && isEdge(nx, ny);
          }
        }
        if (hit) recalled++;
      }
    }
    assert.ok(recalled / truth >= 0.9, `boundary recall ${(recalled / truth).toFixed(3)}`);

    // The superpixels lying mostly inside the square cover it, and barely spill outside.
    const sizes = segmentSizes(seg);
    const insideCount = new Int32Array(seg.count);
    for (let i = 0; i < labels.length; i++) if (inside(i % width, Math.floor(i / width))) insideCount[labels[i]!]!++;
    let covered = 0,
      spilled = 0;
    for (let i = 0; i < labels.length; i++) {
      const l = labels[i]!;
      if (insideCount[l]! * 2 <= sizes[l]!) continue;
      if (inside(i % width, Math.floor(i / width))) covered++;
      else spilled++;
    }
    const area = (x1 - x0) * (y1 - y0);
    assert.ok(covered / area >= 0.9, `square coverage ${(covered / area).toFixed(3)}`);
    assert.ok(spilled / area <= 0.1, `spill outside the square ${(spilled / area).toFixed(3)}`);
  });

  test('is deterministic: the same input gives identical labels', () => {
    const image = naturalish(150, 110);
    const first = slic(image, { segments: 50 });
    const copy = { ...image, data: Uint8Array.from(image.data) };
    const second = slic(copy, { segments: 50 });
    assert.equal(second.count, first.count);
    assert.deepEqual(second.labels, first.labels);
  });

  test('8-bit, clamped and float pixel arrays with the same values give the same segmentation', () => {
    const image = naturalish(90, 70);
    const reference = slic(image, { segments: 30 });
    for (const data of [Uint8ClampedArray.from(image.data), Float32Array.from(image.data)]) {
      const seg = slic({ ...image, data }, { segments: 30 });
      assert.deepEqual(seg.labels, reference.labels);
    }
  });

  test('a uniform image still gives about the requested number of connected, similar-sized superpixels', () => {
    const seg = slic(
      paint(100, 80, () => [128, 128, 128]),
      { segments: 40 },
    );
    assertValidLabels(seg);
    assertConnected(seg);
    assert.ok(seg.count >= 20 && seg.count <= 80, `got ${seg.count}`);
    const expected = (100 * 80) / seg.count;
    for (const size of segmentSizes(seg))
      assert.ok(size <= 3 * expected, `segment of ${size} pixels, expected about ${expected}`);
  });

  test('images one pixel wide or one pixel high are split along their length', () => {
    for (const [width, height] of [
      [1, 200],
      [200, 1],
    ] as const) {
      const seg = slic(naturalish(width, height), { segments: 10 });
      assertValidLabels(seg);
      assertConnected(seg);
      assert.ok(seg.count >= 5 && seg.count <= 20, `${width}x${height}: got ${seg.count}`);
    }
  });

  test('a 1x1 image is one segment', () => {
    const seg = slic(
      paint(1, 1, () => [10, 20, 30]),
      { segments: 5 },
    );
    assert.equal(seg.count, 1);
    assert.deepEqual(Array.from(seg.labels), [0]);
  });

  test('more segments than pixels is clamped to at most one segment per pixel', () => {
    const seg = slic(naturalish(6, 5), { segments: 1000 });
    assertValidLabels(seg);
    assertConnected(seg);
    assert.ok(seg.count <= 30, `got ${seg.count}`);
  });

  test('segments <= 0 or not a number is rejected with a RangeError naming the option', () => {
    const image = naturalish(10, 10);
    for (const segments of [0, -3, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(
        () => slic(image, { segments }),
        (error: unknown) => error instanceof RangeError && /segments/.test(error.message),
      );
    }
  });

  test('pixel data shorter than width x height x 3 is rejected', () => {
    assert.throws(() => slic({ width: 10, height: 10, data: new Uint8Array(299) }, { segments: 4 }), RangeError);
  });

  test('on a real photo (320 wide, 150 requested) gives 50..250 connected superpixels', async (t) => {
    const file = '/usr/share/doc/opencv-doc/examples/text/scenetext_segmented_word01.jpg';
    if (!existsSync(file)) {
      t.skip(`${file} is not installed`);
      return;
    }
    const { data, info } = await sharp(file)
      .resize({ width: 320 })
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    assert.equal(info.channels, 3);
    const seg = slic(
      { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) },
      { segments: 150 },
    );
    assertValidLabels(seg);
    assertConnected(seg);
    assert.ok(seg.count >= 50 && seg.count <= 250, `got ${seg.count}`);
  });
});

describe('gridSegmentation', () => {
  test('pixel (x, y) belongs to cell floor(y·rows/height)·cols + floor(x·cols/width)', () => {
    const seg = gridSegmentation(10, 7, 3, 4);
    assert.equal(seg.count, 12);
    for (let y = 0; y < 7; y++) {
      for (let x = 0; x < 10; x++)
        assert.equal(seg.labels[y * 10 + x], Math.floor((y * 3) / 7) * 4 + Math.floor((x * 4) / 10));
    }
    assertValidLabels(seg);
    assertConnected(seg);
  });

  test('cells differ in width and in height by at most one pixel', () => {
    const width = 53,
      height = 29,
      rows = 6,
      cols = 7;
    const seg = gridSegmentation(width, height, rows, cols);
    const widths = new Int32Array(cols),
      heights = new Int32Array(rows);
    for (let x = 0; x < width; x++) widths[seg.labels[x]!]!++;
    for (let y = 0; y < height; y++) heights[Math.floor(seg.labels[y * width]! / cols)]!++;
    assert.ok(Math.max(...widths) - Math.min(...widths) <= 1, `widths ${Array.from(widths)}`);
    assert.ok(Math.max(...heights) - Math.min(...heights) <= 1, `heights ${Array.from(heights)}`);
  });

  test('rows and cols are clamped to [1, height] and [1, width]', () => {
    assert.equal(gridSegmentation(8, 5, 0, -2).count, 1);
    const fine = gridSegmentation(8, 5, 100, 100);
    assert.equal(fine.count, 40);
    assert.deepEqual(
      Array.from(fine.labels),
      Array.from({ length: 40 }, (_, i) => i),
    );
  });
});
