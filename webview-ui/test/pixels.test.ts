import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { colormapLut, colourBarPixels, parseColour } from '../src/colormaps';
import { composeView, displayProblem, keptCount, keptMass, topShareMask } from '../src/pixels';
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
    for (const [seed, levels] of [[1, 256], [2, 4], [3, 2], [4, 1]] as const) {
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
        assert.ok(highestDropped <= lowestKept, `seed ${seed}, ${percent} %: dropped ${highestDropped} > kept ${lowestKept}`);
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
  const display = { width: 2, height: 1, rgb: Uint8Array.from([100, 150, 200, 40, 80, 120]), saliency: Uint8Array.from([0, 255]) };
  const lut = colormapLut('turbo');
  const lutAt = (v: number) => Array.from(lut.subarray(3 * v, 3 * v + 3));

  test('original is the input, opaque', () => {
    assert.deepEqual(Array.from(composeView(display, { view: 'original', opacity: 1, lut })), [100, 150, 200, 255, 40, 80, 120, 255]);
  });

  test('overlay at opacity 0 is the input and at 1 the colormap', () => {
    assert.deepEqual(Array.from(composeView(display, { view: 'overlay', opacity: 0, lut })), [100, 150, 200, 255, 40, 80, 120, 255]);
    assert.deepEqual(Array.from(composeView(display, { view: 'overlay', opacity: 1, lut })), [...lutAt(0), 255, ...lutAt(255), 255]);
  });

  test('overlay blends input and colormap linearly, as the exported overlay does', () => {
    const out = composeView(display, { view: 'overlay', opacity: 0.25, lut });
    const [r, g, b] = lutAt(255);
    assert.deepEqual(Array.from(out.subarray(4, 8)), [Math.round(40 * 0.75 + r! * 0.25), Math.round(80 * 0.75 + g! * 0.25), Math.round(120 * 0.75 + b! * 0.25), 255]);
  });

  test('overlay leaves pixels outside the top share untouched', () => {
    const keep = topShareMask(display.saliency, 50);
    assert.deepEqual(Array.from(keep), [0, 1]);
    const out = composeView(display, { view: 'overlay', opacity: 1, lut, keep });
    assert.deepEqual(Array.from(out.subarray(0, 4)), [100, 150, 200, 255]);
    assert.deepEqual(Array.from(out.subarray(4, 8)), [...lutAt(255), 255]);
  });

  test('saliency shows the colormap, and pixels outside the top share as unsalient', () => {
    const twoSalient = { ...display, saliency: Uint8Array.from([128, 255]) };
    const all = composeView(twoSalient, { view: 'saliency', opacity: 0, lut });
    assert.deepEqual(Array.from(all), [...lutAt(128), 255, ...lutAt(255), 255]);
    const top = composeView(twoSalient, { view: 'saliency', opacity: 0, lut, keep: Uint8Array.from([0, 1]) });
    assert.deepEqual(Array.from(top.subarray(0, 4)), [...lutAt(0), 255]);
  });

  test('masked multiplies the input by the saliency, and zeroes pixels outside the top share', () => {
    const half = { ...display, saliency: Uint8Array.from([51, 255]) };
    assert.deepEqual(Array.from(composeView(half, { view: 'masked', opacity: 0, lut })), [20, 30, 40, 255, 40, 80, 120, 255]);
    assert.deepEqual(Array.from(composeView(half, { view: 'masked', opacity: 0, lut, keep: Uint8Array.from([0, 1]) })), [0, 0, 0, 255, 40, 80, 120, 255]);
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
