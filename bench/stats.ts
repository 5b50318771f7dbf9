// Statistics of the benchmark: means with their standard errors, and paired comparisons of two methods over the
// same cases. A case's seeds are averaged first, so the standard error is over cases (the seeds of one photo are
// not independent photos), which is the conservative reading.
import type { CaseRecord, Metrics } from './records';

export interface MeanSe {
  n: number;
  mean: number;
  /** Standard error of the mean (0 for a single value). */
  se: number;
}

export function meanSe(values: readonly number[]): MeanSe {
  const n = values.length;
  if (n === 0) return { n, mean: NaN, se: NaN };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { n, mean, se: 0 };
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
  return { n, mean, se: Math.sqrt(variance / n) };
}

/** Per case, the mean of `value` over the seeds of the records kept by `keep`. */
export function perCase(
  records: readonly CaseRecord[],
  keep: (r: CaseRecord) => boolean,
  value: (r: CaseRecord) => number | undefined,
): Map<string, number> {
  const sums = new Map<string, { sum: number; n: number }>();
  for (const record of records) {
    if (!keep(record)) continue;
    const v = value(record);
    if (v === undefined || !Number.isFinite(v)) continue;
    const entry = sums.get(record.case) ?? { sum: 0, n: 0 };
    entry.sum += v;
    entry.n++;
    sums.set(record.case, entry);
  }
  return new Map([...sums].map(([key, { sum, n }]) => [key, sum / n]));
}

export interface PairedComparison {
  /** Cases where both sides have a value. */
  n: number;
  a: MeanSe;
  b: MeanSe;
  /** a − b over the cases, with its standard error. */
  difference: MeanSe;
  /** Cases where a is better, where b is better (by the metric's direction), and ties. */
  winsA: number;
  winsB: number;
  ties: number;
  /** 'a' or 'b' when the difference favours it by more than twice its standard error, else 'none'. */
  verdict: 'a' | 'b' | 'none';
}

/** Paired comparison of two per-case maps; `better` is +1 when larger values are better, −1 otherwise. */
export function compare(a: Map<string, number>, b: Map<string, number>, better: 1 | -1): PairedComparison {
  const keys = [...a.keys()].filter((key) => b.has(key));
  const as = keys.map((key) => a.get(key)!);
  const bs = keys.map((key) => b.get(key)!);
  const diffs = keys.map((_, i) => as[i]! - bs[i]!);
  const difference = meanSe(diffs);
  let winsA = 0;
  let winsB = 0;
  let ties = 0;
  for (const d of diffs) {
    if (Math.abs(d) < 1e-9) ties++;
    else if (d * better > 0) winsA++;
    else winsB++;
  }
  const clear = keys.length >= 2 && Math.abs(difference.mean) > 2 * difference.se;
  const verdict = !clear || difference.mean === 0 ? 'none' : difference.mean * better > 0 ? 'a' : 'b';
  return { n: keys.length, a: meanSe(as), b: meanSe(bs), difference, winsA, winsB, ties, verdict };
}

export const metricOf =
  (key: keyof Metrics) =>
  (record: CaseRecord): number | undefined =>
    record.metrics[key];
