// A time-frequency map read over time: how salient each moment is, and the intervals that stand out. This is
// what a person asks of a sound's explanation first ("when did the model hear it?"), and what the time IoU
// against a ground-truth interval measures.
import type { TimeInterval } from '../../shared/report';

/** Share of the curve's peak an interval must reach: half-maximum, the usual width of a bump. */
const INTERVAL_LEVEL = 0.5;

/**
 * The mean of a `rows x frames` map over its rows, per frame, stretched to [0, 1] over time (a flat curve is all
 * zeros). Stretched rather than divided by the peak: a baseline's map carries an offset (occlusion's "no change"
 * is not its minimum, since silencing some cells raises the score), which would otherwise hide where it peaks.
 */
export function timeSaliency(map: Float32Array, rows: number, frames: number): Float32Array {
  if (map.length !== rows * frames) throw new RangeError(`timeSaliency: expected ${rows} x ${frames} values, got ${map.length}`);
  const curve = new Float32Array(frames);
  for (let r = 0; r < rows; r++) for (let t = 0; t < frames; t++) curve[t]! += map[r * frames + t]! / rows;
  let low = Infinity;
  let high = -Infinity;
  for (const value of curve) {
    low = Math.min(low, value);
    high = Math.max(high, value);
  }
  const range = high - low;
  for (let t = 0; t < frames; t++) curve[t] = range > 1e-9 ? (curve[t]! - low) / range : 0;
  return curve;
}

/**
 * The runs of frames where the curve is at least half its peak, as intervals in seconds (frame t is centred at
 * t · frameSeconds and stands for half a hop either side), ranked by their mass (sum of the curve × seconds),
 * at most `limit` of them. A flat zero curve has none.
 */
export function salientIntervals(curve: Float32Array, frameSeconds: number, durationSeconds: number, limit = 3): (TimeInterval & { mass: number })[] {
  let peak = 0;
  for (const value of curve) peak = Math.max(peak, value);
  if (peak <= 0) return [];
  const level = INTERVAL_LEVEL * peak;
  const found: (TimeInterval & { mass: number })[] = [];
  for (let t = 0; t < curve.length; ) {
    if (curve[t]! < level) {
      t++;
      continue;
    }
    const first = t;
    let mass = 0;
    while (t < curve.length && curve[t]! >= level) mass += curve[t++]! * frameSeconds;
    found.push({ start: Math.max(0, (first - 0.5) * frameSeconds), end: Math.min(durationSeconds, (t - 0.5) * frameSeconds), mass });
  }
  return found.sort((a, b) => b.mass - a.mass).slice(0, limit);
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
