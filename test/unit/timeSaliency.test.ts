// Reading a time-frequency map over time: the curve, its salient intervals, time IoU and the interval syntax.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTimeInterval, salientIntervals, timeIou, timeSaliency } from '../../src/engine/audio/timeSaliency';

const close = (actual: number, expected: number, what: string, tolerance = 1e-6): void =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not ${expected} (± ${tolerance})`);

/** A `rows x frames` map whose column t holds `columns[t]` in every row (plus `row * tilt`). */
function mapOf(columns: number[], rows: number, tilt = 0): Float32Array {
  const frames = columns.length;
  const map = new Float32Array(rows * frames);
  for (let r = 0; r < rows; r++) for (let t = 0; t < frames; t++) map[r * frames + t] = columns[t]! + r * tilt;
  return map;
}

describe('timeSaliency', () => {
  test('is the mean over rows per frame, stretched to [0, 1]', () => {
    // Rows 0 and 1 differ; their mean per frame is 1, 2, 3, 5 → stretched (v − 1) / 4.
    const map = Float32Array.from([0, 1, 2, 4, /* row 1 */ 2, 3, 4, 6]);
    const curve = timeSaliency(map, 2, 4);
    assert.equal(curve.length, 4);
    [0, 0.25, 0.5, 1].forEach((expected, t) => close(curve[t]!, expected, `frame ${t}`));
  });

  test('an offset or a scale of the whole map does not change the curve (a baseline\'s "no change" level)', () => {
    const columns = [0.1, 0.3, 0.9, 0.4, 0.2, 0.2];
    const plain = timeSaliency(mapOf(columns, 3), 3, 6);
    const shifted = timeSaliency(
      mapOf(
        columns.map((v) => 5 + 2 * v),
        3,
        0.7,
      ),
      3,
      6,
    );
    assert.equal(Math.max(...plain), 1);
    assert.equal(Math.min(...plain), 0);
    plain.forEach((v, t) => close(shifted[t]!, v, `frame ${t}`, 1e-5));
    // An offset map peaks where the bare one does; dividing by the peak would have left it near flat.
    assert.equal(shifted.indexOf(1), 2);
  });

  test('a flat map is all zeros, and a map of the wrong size is refused', () => {
    const curve = timeSaliency(new Float32Array(12).fill(0.7), 3, 4);
    assert.ok(
      curve.every((v) => v === 0),
      `flat: ${Array.from(curve)}`,
    );
    assert.throws(() => timeSaliency(new Float32Array(11), 3, 4), RangeError);
  });
});

describe('salientIntervals', () => {
  const frameSeconds = 0.1;
  const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;

  test("is the run of frames that exceeds the curve's mean by the most, in seconds, half a frame either side", () => {
    const curve = [0, 0, 0.5, 1, 0.8, 0, 0, 0];
    const intervals = salientIntervals(Float32Array.from(curve), frameSeconds, 0.8);
    // Frames 2-4 are above the mean (0.2875) and the others below: one interval, 0.15-0.45 s.
    assert.equal(intervals.length, 1);
    close(intervals[0]!.start, 0.15, 'start');
    close(intervals[0]!.end, 0.45, 'end');
    close(
      intervals[0]!.mass,
      (0.5 + 1 + 0.8 - 3 * mean(curve)) * frameSeconds,
      'mass: the excess over the mean x seconds',
      1e-6,
    );
  });

  test('takes a frame just above the mean in with its neighbours', () => {
    // Mean 0.36125: frame 1 (0.49) adds to the run; frame 5 (0.1) does not.
    const intervals = salientIntervals(Float32Array.from([0, 0.49, 0.5, 1, 0.8, 0.1, 0, 0]), frameSeconds, 0.8);
    assert.equal(intervals.length, 1);
    close(intervals[0]!.start, 0.05, 'start');
    close(intervals[0]!.end, 0.45, 'end');
  });

  test('keeps a broad plateau whole when one frame peaks above it (a word, not its loudest syllable)', () => {
    // A cut at half the peak would keep frame 4 alone.
    const intervals = salientIntervals(
      Float32Array.from([0, 0, 0.4, 0.4, 1, 0.4, 0.4, 0, 0, 0, 0, 0]),
      frameSeconds,
      1.2,
    );
    assert.equal(intervals.length, 1);
    close(intervals[0]!.start, 0.15, 'start');
    close(intervals[0]!.end, 0.65, 'end');
  });

  test('ranks intervals by mass, not by peak or position', () => {
    // A tall narrow bump first (excess 0.66), a lower wide one later (4 x 0.26 = 1.04); bridging them costs more
    // than the narrow one brings.
    const intervals = salientIntervals(Float32Array.from([0, 1, 0, 0, 0.6, 0.6, 0.6, 0.6, 0, 0]), frameSeconds, 1);
    assert.equal(intervals.length, 2);
    close(intervals[0]!.start, 0.35, 'the wide bump first');
    close(intervals[0]!.end, 0.75, 'the wide bump first');
    close(intervals[1]!.start, 0.05, 'the tall bump second');
    close(intervals[1]!.end, 0.15, 'the tall bump second');
    assert.ok(intervals[0]!.mass > intervals[1]!.mass);
  });

  test('returns at most `limit` intervals (3 by default), the heaviest ones', () => {
    // Five one-frame spikes 21 frames apart, in shuffled heights; the gaps cost more than any spike brings.
    const curve = new Float32Array(85);
    for (const [frame, height] of [
      [0, 0.85],
      [21, 1],
      [42, 0.8],
      [63, 0.95],
      [84, 0.9],
    ] as const)
      curve[frame] = height;
    const all = salientIntervals(curve, frameSeconds, 8.5, 10);
    assert.deepEqual(
      all.map((i) => Math.round(i.end / frameSeconds - 0.5)),
      [21, 63, 84, 0, 42],
    );
    for (let i = 1; i < all.length; i++) assert.ok(all[i - 1]!.mass > all[i]!.mass, 'heaviest first');
    assert.deepEqual(
      salientIntervals(curve, frameSeconds, 8.5).map((i) => Math.round(i.end / frameSeconds - 0.5)),
      [21, 63, 84],
    );
    assert.equal(salientIntervals(curve, frameSeconds, 8.5, 1).length, 1);
  });

  test('clips intervals to the clip: not before 0, not after its duration', () => {
    const intervals = salientIntervals(Float32Array.from([1, 1, 0, 0, 1, 1]), frameSeconds, 0.52, 5).sort(
      (a, b) => a.start - b.start,
    );
    assert.equal(intervals.length, 2);
    assert.equal(intervals[0]!.start, 0);
    close(intervals[0]!.end, 0.15, 'first end');
    close(intervals[1]!.start, 0.35, 'second start');
    close(intervals[1]!.end, 0.52, 'end at the duration');
  });

  test('a flat curve has no interval', () => {
    assert.deepEqual(salientIntervals(new Float32Array(20), frameSeconds, 2), []);
    assert.deepEqual(salientIntervals(new Float32Array(20).fill(0.4), frameSeconds, 2), []);
    assert.deepEqual(salientIntervals(new Float32Array(0), frameSeconds, 0), []);
    // A flat map read through timeSaliency is such a curve.
    assert.deepEqual(salientIntervals(timeSaliency(new Float32Array(40).fill(0.3), 2, 20), frameSeconds, 2), []);
  });
});

describe('timeIou', () => {
  test('identical intervals: 1', () => {
    assert.equal(timeIou({ start: 1.2, end: 2.05 }, { start: 1.2, end: 2.05 }), 1);
  });
  test('disjoint or touching intervals: 0', () => {
    assert.equal(timeIou({ start: 0, end: 1 }, { start: 2, end: 3 }), 0);
    assert.equal(timeIou({ start: 0, end: 1 }, { start: 1, end: 3 }), 0);
  });
  test('nested: the inner length over the outer length, either way round', () => {
    close(timeIou({ start: 1, end: 2 }, { start: 0, end: 4 }), 0.25, 'inner first');
    close(timeIou({ start: 0, end: 4 }, { start: 1, end: 2 }), 0.25, 'outer first');
  });
  test('partial overlap: intersection over union', () => {
    // [0, 2] and [1, 4]: intersection 1, union 4.
    close(timeIou({ start: 0, end: 2 }, { start: 1, end: 4 }), 0.25, 'partial');
    close(timeIou({ start: 1, end: 4 }, { start: 0, end: 2 }), 0.25, 'symmetric');
  });
  test('an empty interval gives 0, never NaN', () => {
    assert.equal(timeIou({ start: 1, end: 1 }, { start: 1, end: 1 }), 0);
  });
});

describe('parseTimeInterval', () => {
  test('reads START-END in seconds', () => {
    assert.deepEqual(parseTimeInterval('1.2-2.05'), { start: 1.2, end: 2.05 });
    assert.deepEqual(parseTimeInterval(' 0 - 3 '), { start: 0, end: 3 });
  });
  test('refuses an interval that ends before it starts, or is empty', () => {
    assert.throws(
      () => parseTimeInterval('2-1'),
      (error: unknown) => error instanceof RangeError && /ends before it starts/.test(error.message),
    );
    assert.throws(() => parseTimeInterval('2-2'), RangeError);
  });
  test('refuses what is not START-END, saying how to write it', () => {
    for (const text of ['abc', '-1-2', '1-', '1.2', '1..2-3', '1-2-3', '']) {
      assert.throws(
        () => parseTimeInterval(text),
        (error: unknown) => error instanceof RangeError && /START-END/.test(error.message),
        text,
      );
    }
  });
});
