// A time-frequency map read over time: how salient each moment is, and the intervals that stand out. This is
// what a person asks of a sound's explanation first ("when did the model hear it?"), and what the time IoU
// against a ground-truth interval measures.
import type { TimeInterval } from '../../shared/report';
import { minMaxNormalise } from '../core/minMax';

/**
 * The mean of a `rows x frames` map over its rows, per frame, stretched to [0, 1] over time (a flat curve is all
 * zeros). Stretched rather than divided by the peak: a baseline's map carries an offset (occlusion's "no change"
 * is not its minimum, since silencing some cells raises the score), which would otherwise hide where it peaks.
 */
export function timeSaliency(map: Float32Array, rows: number, frames: number): Float32Array {
  if (map.length !== rows * frames)
    throw new RangeError(`timeSaliency: expected ${rows} x ${frames} values, got ${map.length}`);
  const curve = new Float32Array(frames);
  for (let r = 0; r < rows; r++) for (let t = 0; t < frames; t++) curve[t]! += map[r * frames + t]! / rows;
  return minMaxNormalise(curve);
}

/**
 * The most salient intervals, in seconds, best first: the interval whose frames exceed the curve's mean by the
 * largest total (the maximum-sum segment of curve − mean), then the same on what is left, while a segment with a
 * positive excess remains, at most `limit` of them; `mass` is that excess × seconds. Unlike a cut at a fraction of
 * the peak, a broad plateau (a spoken word) is kept whole even when one cell peaks above it, and a flat curve has
 * no interval. Frame t is centred at t · frameSeconds and stands for half a frame either side.
 */
export function salientIntervals(
  curve: Float32Array,
  frameSeconds: number,
  durationSeconds: number,
  limit = 3,
): (TimeInterval & { mass: number })[] {
  if (curve.length === 0) return [];
  let mean = 0;
  for (const value of curve) mean += value / curve.length;
  const excess = Float64Array.from(curve, (value) => value - mean);
  const taken = new Uint8Array(curve.length);
  const found: (TimeInterval & { mass: number })[] = [];
  while (found.length < limit) {
    const best = maximumSegment(excess, taken);
    if (!best || best.sum <= 1e-9) break;
    taken.fill(1, best.first, best.end);
    found.push({
      start: Math.max(0, (best.first - 0.5) * frameSeconds),
      end: Math.min(durationSeconds, (best.end - 0.5) * frameSeconds),
      mass: best.sum * frameSeconds,
    });
  }
  return found;
}

/** Kadane's maximum-sum run of `values` among the frames not yet `taken` (a taken frame ends a run). */
function maximumSegment(
  values: Float64Array,
  taken: Uint8Array,
): { first: number; end: number; sum: number } | undefined {
  let best: { first: number; end: number; sum: number } | undefined;
  let sum = 0;
  let first = 0;
  for (let t = 0; t < values.length; t++) {
    if (taken[t]) {
      sum = 0;
      first = t + 1;
      continue;
    }
    if (sum <= 0) {
      sum = 0;
      first = t;
    }
    sum += values[t]!;
    if (!best || sum > best.sum) best = { first, end: t + 1, sum };
  }
  return best;
}

/** Intersection over union of two intervals (0 when either is empty and they do not overlap). */
export function timeIou(a: TimeInterval, b: TimeInterval): number {
  const intersection = Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));
  const union = Math.max(0, a.end - a.start) + Math.max(0, b.end - b.start) - intersection;
  return union <= 0 ? 0 : intersection / union;
}

/** Parses `START-END` in seconds (e.g. `1.2-2.05`); throws a RangeError naming what is wrong. */
export function parseTimeInterval(text: string): TimeInterval {
  const match = /^\s*(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)\s*$/.exec(text);
  if (!match) throw new RangeError(`"${text}" is not a time interval; write START-END in seconds, e.g. 1.2-2.05`);
  const start = Number(match[1]);
  const end = Number(match[2]);
  if (!(end > start)) throw new RangeError(`the interval "${text}" ends before it starts`);
  return { start, end };
}
