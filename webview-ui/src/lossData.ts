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
  name: string;
  kind: 'training' | 'validation';
  points: { x: number; y: number }[];
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
export function lossSeries(points: readonly LossPoint[], validation: readonly ValidationPoint[]): LossSeries[] {
  const series: LossSeries[] = termNames(points).map((name) => ({
    name,
    kind: 'training',
    points: points.flatMap((point) => {
      const y = point.losses[name];
      return y !== undefined && Number.isFinite(y) ? [{ x: point.step, y }] : [];
    }),
  }));
  const validationPoints = validation.filter((row) => Number.isFinite(row.validation)).map((row) => ({ x: row.step, y: row.validation }));
  if (validationPoints.length > 0) series.push({ name: VALIDATION_SERIES, kind: 'validation', points: validationPoints });
  return series;
}

/** A one-line text summary of the latest values, for readers who cannot see the chart. */
export function latestSummary(points: readonly LossPoint[], validation: readonly ValidationPoint[], format: (value: number) => string): string {
  const parts: string[] = [];
  const last = points[points.length - 1];
  if (last) {
    const terms = termNames([last]).map((name) => `${name} ${format(last.losses[name]!)}`);
    parts.push(`Step ${last.step} (epoch ${last.epoch}): ${terms.join(', ')}`);
  }
  const lastValidation = [...validation].reverse().find((row) => Number.isFinite(row.validation));
  if (lastValidation) parts.push(`validation ${format(lastValidation.validation)} after epoch ${lastValidation.epoch}`);
  return parts.join('; ');
}
