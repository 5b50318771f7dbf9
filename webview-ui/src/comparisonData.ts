// A comparison's maps and curves as the panel draws them: methods matched to their table rows, one style per
// method, the deletion/insertion curves as chart datasets, and the texts beside them. No DOM.
import type { ChartDataset } from 'chart.js';
import type { ComparisonDetail, DisplayPixels, RunView } from '../../src/shared/protocol';
import type { ComparisonReport, ComparisonRow } from '../../src/shared/report';
import type { MarkerShape } from './charts';
import { methodName, metric } from './format';
import { lineWidth, type ChartTheme } from './theme';

/** One method's map and curves, as the host sends them. */
export type DetailMethod = ComparisonDetail['methods'][number];

/** A method of the comparison with what the panel shows of it. */
export interface ComparisonEntry {
  method: string;
  /** The method's name as people write it (legend, labels). */
  label: string;
  detail: DetailMethod;
  /** The table row of the same method, when the report has one. */
  row?: ComparisonRow;
}

/**
 * The detail's methods, each with its table row (matched by method; each row used once), in the table's order;
 * methods that have no row follow in the detail's order. Rows without a map are left out (the table shows them).
 */
export function comparisonEntries(detail: ComparisonDetail, rows: readonly ComparisonRow[]): ComparisonEntry[] {
  const used = new Set<number>();
  const matched = detail.methods.map((method) => {
    const rowIndex = rows.findIndex((row, index) => !used.has(index) && row.method === method.method);
    if (rowIndex >= 0) used.add(rowIndex);
    return {
      rowIndex,
      entry: {
        method: method.method,
        label: methodName(method.method),
        detail: method,
        row: rowIndex >= 0 ? rows[rowIndex] : undefined,
      },
    };
  });
  const rank = (rowIndex: number) => (rowIndex >= 0 ? rowIndex : rows.length);
  // Array.prototype.sort is stable: unmatched methods keep the detail's order.
  return matched.sort((a, b) => rank(a.rowIndex) - rank(b.rowIndex)).map(({ entry }) => entry);
}

/** The pixels of one method's map: the shared input with that method's saliency (check with `displayProblem`). */
export function mapPixels(detail: ComparisonDetail, method: DetailMethod): DisplayPixels {
  return { width: detail.width, height: detail.height, rgb: detail.rgb, saliency: method.saliency };
}

/** How a method's curves are drawn: colour slot in the theme's palette, dash pattern and marker, so no curve is told apart by colour alone. */
export interface MethodStyle {
  slot: number;
  dash: number[];
  marker: MarkerShape;
}

const METHOD_STYLES: Record<string, MethodStyle> = {
  dax: { slot: 0, dash: [], marker: 'circle' },
  rise: { slot: 1, dash: [6, 3], marker: 'rect' },
  lime: { slot: 2, dash: [2, 3], marker: 'triangle' },
  occlusion: { slot: 3, dash: [8, 3, 2, 3], marker: 'rectRot' },
};
const OTHER_STYLES: MethodStyle[] = [
  { slot: 4, dash: [4, 4], marker: 'circle' },
  { slot: 5, dash: [10, 4], marker: 'rect' },
  { slot: 6, dash: [1, 2], marker: 'triangle' },
  { slot: 7, dash: [12, 3, 3, 3], marker: 'rectRot' },
];

/** The style of a method: fixed for the known methods (the same in both charts), by position for any other. */
export function methodStyle(method: string, index: number): MethodStyle {
  return METHOD_STYLES[method] ?? OTHER_STYLES[index % OTHER_STYLES.length]!;
}

/** The colour of a method's style in the theme's palette (grey if the palette is empty). */
export function styleColour(style: MethodStyle, theme: Pick<ChartTheme, 'palette'>): string {
  return theme.palette.length > 0 ? theme.palette[style.slot % theme.palette.length]! : '#888888';
}

/** Which faithfulness curve. */
export type CurveKind = 'deletion' | 'insertion';

/** Titles and reading hints of the two charts. */
export const CURVE_TEXT: Record<CurveKind, { title: string; x: string; better: string; verb: string }> = {
  deletion: {
    title: 'Deletion',
    x: 'share of pixels removed, most salient first',
    better: 'lower AUC is better',
    verb: 'removed',
  },
  insertion: {
    title: 'Insertion',
    x: 'share of pixels restored, most salient first',
    better: 'higher AUC is better',
    verb: 'restored',
  },
};

/** One method's curve for a chart. */
export interface CurveSeries {
  method: string;
  label: string;
  points: { x: number; y: number }[];
  /** The row's AUC, or the area under these points when the method has no row; NaN when neither exists. */
  auc: number;
}

/**
 * One curve as points: x from `fractions` (or evenly spaced over 0..1 when `fractions` does not match the curve),
 * y the target probability. Points that are not finite are left out.
 */
export function curvePoints(method: DetailMethod, kind: CurveKind): { x: number; y: number }[] {
  const values = (kind === 'deletion' ? method.deletionCurve : method.insertionCurve) ?? [];
  const fractions = method.fractions ?? [];
  const n = values.length;
  const useFractions = fractions.length === n;
  const points: { x: number; y: number }[] = [];
  for (let i = 0; i < n; i++) {
    const x = useFractions ? fractions[i]! : n > 1 ? i / (n - 1) : 0;
    const y = values[i]!;
    if (Number.isFinite(x) && Number.isFinite(y)) points.push({ x, y });
  }
  return points;
}

/** Area under points by the trapezoid rule over their x (NaN for fewer than two points). */
export function trapezoidArea(points: readonly { x: number; y: number }[]): number {
  if (points.length < 2) return Number.NaN;
  let area = 0;
  for (let i = 1; i < points.length; i++)
    area += ((points[i]!.x - points[i - 1]!.x) * (points[i]!.y + points[i - 1]!.y)) / 2;
  return area;
}

/** The curves of one kind, one per method, in the entries' order. */
export function curveSeries(entries: readonly ComparisonEntry[], kind: CurveKind): CurveSeries[] {
  return entries.map((entry) => {
    const points = curvePoints(entry.detail, kind);
    const fromRow = entry.row ? (kind === 'deletion' ? entry.row.deletionAuc : entry.row.insertionAuc) : undefined;
    return {
      method: entry.method,
      label: entry.label,
      points,
      auc: fromRow !== undefined && Number.isFinite(fromRow) ? fromRow : trapezoidArea(points),
    };
  });
}

/** Chart.js datasets for the curves: the method's colour, dashes and markers; markers only where points are few enough to tell apart. */
export function curveDatasets(
  series: readonly CurveSeries[],
  theme: Pick<ChartTheme, 'palette' | 'highContrast'>,
): ChartDataset<'line', { x: number; y: number }[]>[] {
  const width = lineWidth(theme);
  return series.map((curve, index) => {
    const style = methodStyle(curve.method, index);
    const colour = styleColour(style, theme);
    const markers = curve.points.length <= 65;
    return {
      label: curve.label,
      data: curve.points,
      normalized: true,
      borderColor: colour,
      backgroundColor: colour,
      borderDash: style.dash,
      borderWidth: width,
      pointStyle: style.marker,
      pointRadius: markers ? 2.5 : 0,
      pointHoverRadius: 4,
      tension: 0,
    };
  });
}

/** The chart's content in words, for readers who cannot see it: each method's area under the curve. */
export function curveSummary(series: readonly CurveSeries[]): string {
  return `AUC: ${series.map((curve) => `${curve.label} ${metric(curve.auc)}`).join(', ')}.`;
}

/** The metrics under a method's map, from its table row. */
export function tileMetrics(row: ComparisonRow | undefined): { name: string; value: string }[] {
  if (!row) return [];
  const metrics = [
    { name: 'Deletion AUC', value: metric(row.deletionAuc) },
    { name: 'Insertion AUC', value: metric(row.insertionAuc) },
  ];
  if (row.iouAt02 !== undefined) metrics.push({ name: 'IoU at 0.2', value: metric(row.iouAt02) });
  else if (row.bestIou !== undefined) metrics.push({ name: 'Best IoU', value: metric(row.bestIou) });
  return metrics;
}

function sameBytes(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  // NaN equals NaN here: a curve point that was not measured is the same in both.
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return false;
  return true;
}

/**
 * Whether two details hold the same maps and curves. Every snapshot brings fresh objects; when the comparison did
 * not change, the panel keeps what it drew instead of recomposing every map.
 */
export function sameDetail(a: ComparisonDetail | undefined, b: ComparisonDetail | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  if (a.width !== b.width || a.height !== b.height || a.methods.length !== b.methods.length || !sameBytes(a.rgb, b.rgb))
    return false;
  return a.methods.every((method, i) => {
    const other = b.methods[i]!;
    return (
      method.method === other.method &&
      sameBytes(method.fractions, other.fractions) &&
      sameBytes(method.deletionCurve, other.deletionCurve) &&
      sameBytes(method.insertionCurve, other.insertionCurve) &&
      sameBytes(method.saliency, other.saliency)
    );
  });
}

/**
 * Where the comparison goes: after the result when both are about the same input and model, else before it, as a
 * view of its own (its heading names its file), so that it never reads as part of another file's result.
 */
export function comparisonPlacement(
  current: Pick<RunView, 'report'> | undefined,
  comparison: ComparisonReport | undefined,
): 'none' | 'before' | 'after' {
  if (!comparison) return 'none';
  if (!current) return 'before';
  const same =
    current.report.input.file === comparison.input.file &&
    current.report.model.path === comparison.model.path &&
    current.report.model.name === comparison.model.name;
  return same ? 'after' : 'before';
}

/** The comparison's heading: what it compares, on which file. */
export function comparisonHeading(comparison: ComparisonReport): string {
  return `Compare Methods: ${comparison.input.file.split(/[\\/]/).pop() ?? comparison.input.file}`;
}

/** The table's columns that have a best value, and which way is better. */
export const BEST_COLUMNS = {
  totalMs: 'lower',
  deletionAuc: 'lower',
  insertionAuc: 'higher',
  iouAt02: 'higher',
  bestIou: 'higher',
} as const;
export type BestColumn = keyof typeof BEST_COLUMNS;

/**
 * For each column with a better direction, the rows holding its best value (all of them on a tie); a column with
 * fewer than two finite values marks nothing.
 */
export function bestRows(rows: readonly ComparisonRow[]): Record<BestColumn, Set<number>> {
  const best = {} as Record<BestColumn, Set<number>>;
  for (const column of Object.keys(BEST_COLUMNS) as BestColumn[]) {
    const values = rows
      .map((row) => row[column])
      .map((value) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined));
    const finite = values.filter((value): value is number => value !== undefined);
    best[column] = new Set();
    if (finite.length < 2) continue;
    const target = BEST_COLUMNS[column] === 'lower' ? Math.min(...finite) : Math.max(...finite);
    values.forEach(
      (value, index) =>
        value !== undefined &&
        Math.abs(value - target) <= 1e-12 * Math.max(1, Math.abs(target)) &&
        best[column].add(index),
    );
  }
  return best;
}
