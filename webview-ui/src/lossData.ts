// Loss histories as chart series: generic over loss term names, so a new term needs no UI change. No DOM.
import type { LossRow, ValidationRow } from '../../src/shared/report';

/** One training step's named loss terms. */
export interface LossPoint {
  step: number;
  epoch: number;
  losses: Record<string, number>;
}

/** The validation loss at the end of an epoch; `step` is the last training step of that epoch. */
export interface ValidationPoint {
  step: number;
  epoch: number;
  validation: number;
  maskChange: number;
}

/** One curve of the chart. */
export interface LossSeries {
  /** The term's name (legend toggles and styles go by it). */
  name: string;
  /** What the legend says: the name, with how the term is weighted in the total ("kl × 0.5", "l1, weighted"). */
  label: string;
  kind: 'training' | 'validation';
  /** The values as they enter the total (weighted), one per step. */
  points: { x: number; y: number }[];
  /** The same, smoothed (training series only): the line drawn over the raw points. */
  smoothed?: { x: number; y: number }[];
}

/**
 * How each term enters the total: `total = Σ weight × term`. A number is a fixed weight (0 = the term does not
 * count and is not drawn); `null` is a weight that varies or is not known (DAX's λ1 is scaled by the answers'
 * variance and ramped up over the warm-up), whose contribution is the total minus the known ones. A term that
 * the weights do not name is drawn as it is. Absent weights: every term as it is.
 */
export type TermWeights = Record<string, number | null>;

/** Name of the sum of the terms. */
export const TOTAL_SERIES = 'total';

/** DAX's weights from a report's configuration (λ1 through its effective value, λ2 as set); undefined when it has none. */
export function weightsFromConfig(config: Record<string, unknown> | undefined): TermWeights | undefined {
  if (!config) return undefined;
  const lambda1 =
    typeof config.lambda1Effective === 'number'
      ? config.lambda1Effective
      : typeof config.lambda1 === 'number'
        ? config.lambda1
        : undefined;
  const lambda2 = typeof config.lambda2 === 'number' ? config.lambda2 : undefined;
  if (lambda1 === undefined && lambda2 === undefined) return undefined;
  return { distillation: 1, l1: lambda1 === undefined ? null : lambda1 > 0 ? null : 0, kl: lambda2 ?? null };
}

/**
 * The points with each term as it enters the total: weighted, terms of weight 0 left out, and at most one term of
 * unknown weight computed as the total minus the others (exact, whatever its weight was at that step).
 */
export function weightedPoints(points: readonly LossPoint[], weights: TermWeights | undefined): LossPoint[] {
  if (!weights) return points as LossPoint[];
  const unknown = Object.keys(weights).filter((name) => weights[name] === null);
  const residual = unknown.length === 1 ? unknown[0] : undefined;
  return points.map((point) => {
    const losses: Record<string, number> = {};
    let known = 0;
    for (const [name, value] of Object.entries(point.losses)) {
      if (name === TOTAL_SERIES) continue;
      const weight = weights[name];
      if (weight === undefined || (weight === null && name !== residual)) losses[name] = value;
      else if (weight !== null && weight !== 0) losses[name] = value * weight;
      if (typeof weight === 'number') known += value * weight;
    }
    const total = point.losses[TOTAL_SERIES];
    if (total !== undefined) {
      losses[TOTAL_SERIES] = total;
      if (residual !== undefined && residual in point.losses) losses[residual] = total - known;
    } else if (residual !== undefined && residual in point.losses) losses[residual] = point.losses[residual]!;
    return { ...point, losses };
  });
}

/** The legend's text for a term under `weights`. */
export function termLabel(name: string, weights: TermWeights | undefined): string {
  const weight = weights?.[name];
  if (weight === undefined || weight === 1 || name === TOTAL_SERIES) return name;
  return weight === null ? `${name}, weighted` : `${name} × ${Number(weight.toPrecision(3))}`;
}

/**
 * An exponential moving average with the start debiased (as TensorBoard smooths its scalars), so the first points
 * are not pulled towards zero. `weight` 0 = the raw values; the closer to 1, the smoother.
 */
export function smooth(
  points: readonly { x: number; y: number }[],
  weight = smoothingFor(points.length),
): { x: number; y: number }[] {
  let average = 0;
  let norm = 0;
  return points.map((point) => {
    average = weight * average + (1 - weight) * point.y;
    norm = weight * norm + (1 - weight);
    return { x: point.x, y: norm > 0 ? average / norm : point.y };
  });
}

/** How smooth a curve of `n` points is drawn: a few points stay nearly raw, hundreds are averaged over ~20 steps. */
export function smoothingFor(n: number): number {
  return n < 10 ? 0 : Math.min(0.95, 1 - 10 / n);
}

/** Name of the validation series (its points come from epochs, not steps). */
export const VALIDATION_SERIES = 'validation';

/** The usual terms come first, in this order; any other term follows in the order it first appears. */
const PREFERRED_ORDER = ['total', 'distillation', 'l1', 'kl'];

/** A report's loss rows as generic points: every numeric key other than `step` and `epoch` is a loss term. */
export function lossPointsFromRows(rows: readonly LossRow[]): LossPoint[] {
  return rows.map((row) => {
    const losses: Record<string, number> = {};
    for (const [name, value] of Object.entries(row)) {
      if (name !== 'step' && name !== 'epoch' && typeof value === 'number') losses[name] = value;
    }
    return { step: row.step, epoch: row.epoch, losses };
  });
}

/** A report's validation rows as points. */
export function validationPointsFromRows(rows: readonly ValidationRow[]): ValidationPoint[] {
  return rows.map(({ step, epoch, validation, maskChange }) => ({ step, epoch, validation, maskChange }));
}

/** Loss term names found in the points, usual ones first. */
export function termNames(points: readonly LossPoint[]): string[] {
  const seen = new Set<string>();
  for (const point of points) for (const name of Object.keys(point.losses)) seen.add(name);
  const preferred = PREFERRED_ORDER.filter((name) => seen.has(name));
  return [...preferred, ...[...seen].filter((name) => !PREFERRED_ORDER.includes(name))];
}

/**
 * One series per loss term (x = step) plus the validation series (x = the epoch's last step). Points whose value
 * is not finite (e.g. the validation loss of a run too small to hold out samples) are left out.
 */
export function lossSeries(
  points: readonly LossPoint[],
  validation: readonly ValidationPoint[],
  weights?: TermWeights,
): LossSeries[] {
  const weighted = weightedPoints(points, weights);
  const series: LossSeries[] = termNames(weighted).flatMap((name): LossSeries[] => {
    const values = weighted.flatMap((point) => {
      const y = point.losses[name];
      return y !== undefined && Number.isFinite(y) ? [{ x: point.step, y }] : [];
    });
    // A term computed as what the others leave of the total and that stays at zero (no such term in this run) is not drawn.
    if (weights?.[name] === null && values.every((point) => Math.abs(point.y) < 1e-9)) return [];
    return [{ name, label: termLabel(name, weights), kind: 'training', points: values, smoothed: smooth(values) }];
  });
  const validationPoints = validation
    .filter((row) => Number.isFinite(row.validation))
    .map((row) => ({ x: row.step, y: row.validation }));
  if (validationPoints.length > 0)
    series.push({ name: VALIDATION_SERIES, label: VALIDATION_SERIES, kind: 'validation', points: validationPoints });
  return series;
}

/** A one-line text summary of the latest values, for readers who cannot see the chart. */
export function latestSummary(
  points: readonly LossPoint[],
  validation: readonly ValidationPoint[],
  format: (value: number) => string,
  weights?: TermWeights,
): string {
  const parts: string[] = [];
  const raw = points[points.length - 1];
  const last = raw && weightedPoints([raw], weights)[0];
  if (last) {
    const terms = termNames([last]).map((name) => `${termLabel(name, weights)} ${format(last.losses[name]!)}`);
    parts.push(`Step ${last.step} (epoch ${last.epoch}): ${terms.join(', ')}`);
  }
  const lastValidation = [...validation].reverse().find((row) => Number.isFinite(row.validation));
  if (lastValidation) parts.push(`validation ${format(lastValidation.validation)} after epoch ${lastValidation.epoch}`);
  return parts.join('; ');
}
