import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { colormapLut, colourBarPixels, parseColour } from '../src/colormaps';
import {
  clipRange,
  clipSaliency,
  colourTicks,
  composeSideBySide,
  composeView,
  DIMMED,
  displayProblem,
  displayScale,
  keptCount,
  keptMass,
  percentileValue,
  pixelAt,
  saliencyHistogram,
  shareAbove,
  SIDE_GAP,
  sideBySideColumn,
  topShareMask,
  viewWidth,
} from '../src/pixels';
import { COLORMAPS } from '../src/preferences';

/** A deterministic pseudo-random byte sequence (xorshift), so the property tests are repeatable. */
function bytes(n: number, seed: number, levels = 256): Uint8Array {
  let x = seed >>> 0 || 1;
  return Uint8Array.from({ length: n }, () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % levels;
  });
}

const sum = (mask: Uint8Array) => mask.reduce((total, v) => total + v, 0);

describe('top-k threshold', () => {
  test('keeps round(n × k / 100) pixels', () => {
    assert.equal(keptCount(1000, 30), 300);
    assert.equal(keptCount(3, 50), 2);
    assert.equal(keptCount(10, 1), 0);
    assert.equal(keptCount(10, 100), 10);
  });

  test('keeps exactly the most salient pixels when values are distinct', () => {
    const saliency = Uint8Array.from([5, 200, 17, 90, 255, 0, 64, 128, 33, 1]);
    assert.deepEqual(Array.from(topShareMask(saliency, 30)), [0, 1, 0, 0, 1, 0, 0, 1, 0, 0]);
    assert.equal(sum(topShareMask(saliency, 100)), 10);
  });

  test('keeps exactly the top-k share whatever the ties, and never a less salient pixel over a more salient one', () => {
    for (const [seed, levels] of [
      [1, 256],
      [2, 4],
      [3, 2],
      [4, 1],
    ] as const) {
      const saliency = bytes(10_007, seed, levels);
      for (const percent of [1, 7, 25, 50, 99, 100]) {
        const keep = topShareMask(saliency, percent);
        assert.equal(sum(keep), keptCount(saliency.length, percent), `seed ${seed}, ${levels} levels, ${percent} %`);
        let lowestKept = 256;
        let highestDropped = -1;
        for (let i = 0; i < saliency.length; i++) {
          if (keep[i]) lowestKept = Math.min(lowestKept, saliency[i]!);
          else highestDropped = Math.max(highestDropped, saliency[i]!);
        }
        assert.ok(
          highestDropped <= lowestKept,
          `seed ${seed}, ${percent} %: dropped ${highestDropped} > kept ${lowestKept}`,
        );
      }
    }
  });

  test('thins a flat region evenly instead of keeping its first rows', () => {
    const keep = topShareMask(new Uint8Array(100).fill(7), 50);
    assert.equal(sum(keep), 50);
    assert.equal(sum(keep.subarray(0, 50)), 25, 'half of the first half');
    assert.deepEqual(Array.from(keep.subarray(0, 6)), [0, 1, 0, 1, 0, 1]);
  });

  test('keptMass is the share of the saliency inside the kept pixels', () => {
    const saliency = Uint8Array.from([0, 100, 0, 100]);
    assert.equal(keptMass(saliency, Uint8Array.from([0, 1, 0, 1])), 1);
    assert.equal(keptMass(saliency, Uint8Array.from([0, 1, 0, 0])), 0.5);
    assert.equal(keptMass(new Uint8Array(3), new Uint8Array(3)), 0);
  });
});

describe('composing a view', () => {
  // Two pixels: one unsalient, one fully salient.
  const display = {
    width: 2,
    height: 1,
    rgb: Uint8Array.from([100, 150, 200, 40, 80, 120]),
    saliency: Uint8Array.from([0, 255]),
  };
  const lut = colormapLut('turbo');
  const lutAt = (v: number) => Array.from(lut.subarray(3 * v, 3 * v + 3));

  test('side by side is the input, a transparent gap, then the overlay; the threshold dims the overlay only', () => {
    const keep = Uint8Array.from([0, 1]);
    const picture = composeSideBySide(display, { opacity: 1, lut, keep });
    const width = viewWidth(display.width, true);
    assert.equal(width, 2 * display.width + SIDE_GAP);
    assert.equal(picture.length, width * display.height * 4);
    assert.deepEqual(Array.from(picture.subarray(0, 8)), [100, 150, 200, 255, 40, 80, 120, 255], 'the input, undimmed');
    assert.ok(
      picture.subarray(8, 8 + 4 * SIDE_GAP).every((v) => v === 0),
      'the gap',
    );
    const overlay = composeView(display, { view: 'overlay', opacity: 1, lut, keep });
    assert.deepEqual(Array.from(picture.subarray(8 + 4 * SIDE_GAP)), Array.from(overlay));
  });

  test('a column of side by side reads the same map pixel in either half, and nothing in the gap', () => {
    assert.equal(sideBySideColumn(1, 2), 1);
    assert.equal(sideBySideColumn(2, 2), undefined);
    assert.equal(sideBySideColumn(2 + SIDE_GAP, 2), 0);
    assert.equal(sideBySideColumn(3 + SIDE_GAP, 2), 1);
    assert.equal(sideBySideColumn(4 + SIDE_GAP, 2), undefined);
  });

  test('original is the input, opaque', () => {
    assert.deepEqual(
      Array.from(composeView(display, { view: 'original', opacity: 1, lut })),
      [100, 150, 200, 255, 40, 80, 120, 255],
    );
  });

  test('overlay at opacity 0 is the input and at 1 the colormap', () => {
    assert.deepEqual(
      Array.from(composeView(display, { view: 'overlay', opacity: 0, lut })),
      [100, 150, 200, 255, 40, 80, 120, 255],
    );
    assert.deepEqual(Array.from(composeView(display, { view: 'overlay', opacity: 1, lut })), [
      ...lutAt(0),
      255,
      ...lutAt(255),
      255,
    ]);
  });

  test('overlay blends input and colormap linearly, as the exported overlay does', () => {
    const out = composeView(display, { view: 'overlay', opacity: 0.25, lut });
    const [r, g, b] = lutAt(255);
    assert.deepEqual(Array.from(out.subarray(4, 8)), [
      Math.round(40 * 0.75 + r! * 0.25),
      Math.round(80 * 0.75 + g! * 0.25),
      Math.round(120 * 0.75 + b! * 0.25),
      255,
    ]);
  });

  test('overlay dims the pixels outside the top share to DIMMED of the input, and colours the kept ones', () => {
    const keep = topShareMask(display.saliency, 50);
    assert.deepEqual(Array.from(keep), [0, 1]);
    const out = composeView(display, { view: 'overlay', opacity: 1, lut, keep });
    assert.deepEqual(Array.from(out.subarray(0, 4)), [
      Math.round(100 * DIMMED),
      Math.round(150 * DIMMED),
      Math.round(200 * DIMMED),
      255,
    ]);
    assert.deepEqual(Array.from(out.subarray(4, 8)), [...lutAt(255), 255]);
  });

  test('saliency shows the colormap, and pixels outside the top share dimmed', () => {
    const twoSalient = { ...display, saliency: Uint8Array.from([128, 255]) };
    const all = composeView(twoSalient, { view: 'saliency', opacity: 0, lut });
    assert.deepEqual(Array.from(all), [...lutAt(128), 255, ...lutAt(255), 255]);
    const top = composeView(twoSalient, { view: 'saliency', opacity: 0, lut, keep: Uint8Array.from([0, 1]) });
    assert.deepEqual(Array.from(top.subarray(0, 4)), [...lutAt(128).map((v) => Math.round(v * DIMMED)), 255]);
    assert.deepEqual(Array.from(top.subarray(4, 8)), [...lutAt(255), 255]);
  });

  test('the original view is never dimmed', () => {
    const out = composeView(display, { view: 'original', opacity: 1, lut, keep: Uint8Array.from([0, 1]) });
    assert.deepEqual(Array.from(out), [100, 150, 200, 255, 40, 80, 120, 255]);
  });

  test('masked multiplies the input by the saliency, and zeroes pixels outside the top share', () => {
    const half = { ...display, saliency: Uint8Array.from([51, 255]) };
    assert.deepEqual(
      Array.from(composeView(half, { view: 'masked', opacity: 0, lut })),
      [20, 30, 40, 255, 40, 80, 120, 255],
    );
    assert.deepEqual(
      Array.from(composeView(half, { view: 'masked', opacity: 0, lut, keep: Uint8Array.from([0, 1]) })),
      [0, 0, 0, 255, 40, 80, 120, 255],
    );
  });

  test('colours and the masked view come from the clipped values when given', () => {
    const dark = { ...display, saliency: Uint8Array.from([10, 20]) };
    const values = Uint8Array.from([0, 255]);
    assert.deepEqual(
      Array.from(composeView(dark, { view: 'masked', opacity: 0, lut, values })),
      [0, 0, 0, 255, 40, 80, 120, 255],
    );
    assert.deepEqual(Array.from(composeView(dark, { view: 'saliency', opacity: 0, lut, values }).subarray(4, 8)), [
      ...lutAt(255),
      255,
    ]);
  });

  test('writes into a given buffer', () => {
    const out = new Uint8ClampedArray(8);
    assert.equal(composeView(display, { view: 'original', opacity: 0, lut }, out), out);
  });

  test('a display whose arrays do not match its size is reported, not drawn', () => {
    assert.equal(displayProblem(display), undefined);
    assert.match(displayProblem({ ...display, rgb: new Uint8Array(5) }) ?? '', /image has 5 bytes, expected 6/);
    assert.match(displayProblem({ ...display, saliency: new Uint8Array(1) }) ?? '', /saliency has 1 values/);
    assert.match(displayProblem({ ...display, width: 0 }) ?? '', /invalid size/);
  });
});

describe('percentile clipping (Xplique clip_percentile)', () => {
  // One bright block (1 % of the pixels at 255) over a map that otherwise reaches only 60.
  const saliency = new Uint8Array(1000);
  for (let i = 0; i < 1000; i++) saliency[i] = i < 10 ? 255 : Math.round((i / 1000) * 60);

  test('percentiles are read from the histogram', () => {
    const histogram = saliencyHistogram(saliency);
    assert.equal(percentileValue(histogram, 1000, 100), 255);
    assert.equal(percentileValue(histogram, 1000, 0), 1, 'the minimum');
    assert.equal(
      percentileValue(histogram, 1000, 50),
      31,
      'the 500th value: 10 at 255 come last, so round(509 × 0.06)',
    );
  });

  test('at the 99th percentile the bright block no longer takes the top of the scale', () => {
    const range = clipRange(saliency, 99);
    assert.ok(range.high <= 60 && range.high >= 58, `high ${range.high}`);
    assert.ok(range.low <= 1, `low ${range.low}`);
    const clipped = clipSaliency(saliency, range);
    assert.equal(clipped[0], 255, 'the block saturates');
    assert.ok(clipped[990]! > 240, `a value near the top of the rest (${saliency[990]}) now reads ${clipped[990]}`);
    assert.ok(clipped[500]! > 120, `the median reads ${clipped[500]} of 255, not ${saliency[500]}`);
    // Monotone: clipping never reorders pixels.
    for (let i = 1; i < 1000; i++)
      if (saliency[i]! >= saliency[i - 1]! && i !== 10) assert.ok(clipped[i]! >= clipped[i - 1]!);
  });

  test('100 keeps the map as it is, and a flat map is left alone', () => {
    const full = Uint8Array.from([0, 100, 255]);
    assert.equal(clipSaliency(full, clipRange(full, 100)), full);
    const flat = new Uint8Array(5).fill(7);
    assert.equal(clipSaliency(flat, clipRange(flat, 99)), flat);
  });

  test('the colour bar is numbered in the map’s units, and a clipped end says so', () => {
    const ticks = colourTicks({ low: 0, high: 51, percentile: 99 });
    assert.deepEqual(
      ticks.map((tick) => tick.label),
      ['0.00', '0.05', '0.10', '0.15', '≥ 0.20'],
    );
    assert.deepEqual(
      ticks.map((tick) => tick.position),
      [0, 0.25, 0.5, 0.75, 1],
    );
    assert.deepEqual(
      colourTicks({ low: 0, high: 255, percentile: 100 }, 3).map((tick) => tick.label),
      ['0.00', '0.50', '1.00'],
    );
    assert.equal(colourTicks({ low: 51, high: 255, percentile: 99 }, 2)[0]!.label, '≤ 0.20');
  });
});

describe('reading the map on screen', () => {
  test('a small input is enlarged by a whole factor; a large one is not', () => {
    assert.equal(displayScale(128, 128), 4);
    assert.equal(displayScale(32, 24), 16);
    assert.equal(displayScale(300, 200), 1);
    assert.equal(displayScale(1024, 768), 1);
  });

  test('the pixel under the pointer, on a canvas shown larger than its pixels', () => {
    assert.deepEqual(pixelAt(0, 0, 512, 512, 128, 128), { x: 0, y: 0 });
    assert.deepEqual(pixelAt(511.5, 4, 512, 512, 128, 128), { x: 127, y: 1 });
    assert.deepEqual(pixelAt(100, 50, 200, 100, 2, 1), { x: 1, y: 0 });
    assert.equal(pixelAt(512, 0, 512, 512, 128, 128), undefined);
    assert.equal(pixelAt(-1, 0, 512, 512, 128, 128), undefined);
  });

  test('the share of pixels more salient than a value', () => {
    const histogram = saliencyHistogram(Uint8Array.from([0, 10, 10, 200]));
    assert.equal(shareAbove(histogram, 4, 200), 0);
    assert.equal(shareAbove(histogram, 4, 10), 0.25);
    assert.equal(shareAbove(histogram, 4, 0), 0.75);
  });
});

describe('colormaps', () => {
  test('every colormap has 256 RGB entries', () => {
    for (const name of COLORMAPS) assert.equal(colormapLut(name).length, 768, name);
  });

  test('the colour bar is the table as opaque RGBA, low on the left', () => {
    const bar = colourBarPixels(colormapLut('greys'));
    assert.equal(bar.length, 1024);
    assert.deepEqual(Array.from(bar.subarray(0, 4)), [0, 0, 0, 255]);
    assert.deepEqual(Array.from(bar.subarray(4 * 200, 4 * 201)), [200, 200, 200, 255]);
  });

  test('greys is a straight ramp from black to white', () => {
    const greys = colormapLut('greys');
    assert.deepEqual(Array.from(greys.subarray(0, 3)), [0, 0, 0]);
    assert.deepEqual(Array.from(greys.subarray(3 * 128, 3 * 128 + 3)), [128, 128, 128]);
    assert.deepEqual(Array.from(greys.subarray(765)), [255, 255, 255]);
  });

  test('inferno runs from near black to a light yellow, and differs from viridis', () => {
    const inferno = colormapLut('inferno');
    assert.ok(inferno[0]! + inferno[1]! + inferno[2]! < 30);
    assert.ok(inferno[765]! > 200 && inferno[766]! > 200);
    assert.notDeepEqual(Array.from(colormapLut('viridis')), Array.from(inferno));
  });

  test('parses the colour forms d3 produces', () => {
    assert.deepEqual(parseColour('rgb(1, 22, 255)'), [1, 22, 255]);
    assert.deepEqual(parseColour('#440154'), [0x44, 0x01, 0x54]);
    assert.throws(() => parseColour('hsl(0, 0%, 0%)'));
  });
});
