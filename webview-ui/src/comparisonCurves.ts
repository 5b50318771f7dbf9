// The comparison's deletion and insertion curves: two line charts, one curve per method, and one legend for both.
import type { ChartDataset } from 'chart.js';
import { baseLineOptions, Chart, swatch, themedAxis, themedTooltip } from './charts';
import {
  CURVE_TEXT,
  curveDatasets,
  curveSeries,
  curveSummary,
  methodStyle,
  styleColour,
  type ComparisonEntry,
  type CurveKind,
  type CurveSeries,
} from './comparisonData';
import { h, setText } from './dom';
import { percent } from './format';
import type { ChartTheme } from './theme';

type Points = { x: number; y: number }[];

/** What the curves are about: the class whose probability is plotted and what removed pixels are replaced with. */
export interface CurvesContext {
  targetName: string;
  substrate: 'blur' | 'zero';
}

/** One chart: a canvas in a sized box and its summary in words. */
class CurveChart {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly summary: HTMLElement;
  private chart: Chart<'line', Points> | undefined;

  constructor(
    private readonly kind: CurveKind,
    idPrefix: string,
  ) {
    const headingId = `${idPrefix}-heading`;
    const summaryId = `${idPrefix}-summary`;
    this.canvas = h('canvas', { role: 'img', id: `${idPrefix}-canvas`, 'aria-describedby': summaryId });
    this.summary = h('p', { class: 'chart-summary', id: summaryId });
    this.element = h(
      'figure',
      { class: 'curve-chart' },
      h(
        'figcaption',
        { id: headingId, class: 'curve-title' },
        `${CURVE_TEXT[kind].title} (${CURVE_TEXT[kind].better})`,
      ),
      h('div', { class: 'chart-box' }, this.canvas),
      this.summary,
    );
  }

  draw(series: readonly CurveSeries[], context: CurvesContext, theme: ChartTheme): void {
    const text = CURVE_TEXT[this.kind];
    const yTitle = `probability of ${context.targetName}`;
    setText(this.summary, curveSummary(series));
    this.canvas.setAttribute(
      'aria-label',
      `${text.title} curves of ${series.map((curve) => curve.label).join(', ')}: ${yTitle} against the ${text.x}`,
    );
    const datasets: ChartDataset<'line', Points>[] = curveDatasets(series, theme);
    const xAxis = themedAxis(theme, text.x);
    const options = {
      ...baseLineOptions(theme),
      scales: {
        x: {
          type: 'linear' as const,
          min: 0,
          max: 1,
          ...xAxis,
          ticks: {
            ...xAxis.ticks,
            maxRotation: 0,
            callback: (value: number | string) => `${Math.round(Number(value) * 100)} %`,
          },
        },
        y: { type: 'linear' as const, min: 0, max: 1, ...themedAxis(theme, yTitle) },
      },
      plugins: {
        tooltip: {
          ...themedTooltip(theme),
          callbacks: {
            title: (items: { parsed: { x: number | null } }[]) =>
              `${percent(items[0]?.parsed.x ?? Number.NaN)} ${text.verb}`,
            label: (item: { dataset: { label?: string }; parsed: { y: number | null } }) =>
              `${item.dataset.label}: ${percent(item.parsed.y ?? Number.NaN)}`,
          },
        },
      },
    };
    if (!this.chart) {
      this.chart = new Chart<'line', Points>(this.canvas, { type: 'line', data: { datasets }, options });
    } else {
      this.chart.data.datasets = datasets;
      this.chart.options = options;
      this.chart.update('none');
    }
  }
}

/** The curves section. */
export class ComparisonCurves {
  readonly element: HTMLElement;
  private readonly hint: HTMLElement;
  private readonly legend: HTMLElement;
  private readonly charts: Record<CurveKind, CurveChart>;
  private entries: readonly ComparisonEntry[] | undefined;
  private context: CurvesContext | undefined;
  private series: Record<CurveKind, CurveSeries[]> = { deletion: [], insertion: [] };

  constructor(
    private theme: ChartTheme,
    idPrefix: string,
  ) {
    const headingId = `${idPrefix}-heading`;
    this.hint = h('p', { class: 'hint' });
    this.legend = h('ul', { class: 'curve-legend', 'aria-label': 'Methods' });
    this.charts = {
      deletion: new CurveChart('deletion', `${idPrefix}-deletion`),
      insertion: new CurveChart('insertion', `${idPrefix}-insertion`),
    };
    this.element = h(
      'section',
      { class: 'comparison-curves', 'aria-labelledby': headingId },
      h('h3', { id: headingId }, 'Deletion and insertion curves'),
      this.hint,
      this.legend,
      h('div', { class: 'curve-charts' }, this.charts.deletion.element, this.charts.insertion.element),
    );
  }

  /** Redraws when the entries or what they are about changed. */
  update(entries: readonly ComparisonEntry[], context: CurvesContext): void {
    const last = this.context;
    if (
      entries === this.entries &&
      last &&
      last.targetName === context.targetName &&
      last.substrate === context.substrate
    )
      return;
    this.entries = entries;
    this.context = context;
    this.series = { deletion: curveSeries(entries, 'deletion'), insertion: curveSeries(entries, 'insertion') };
    const substrate = context.substrate === 'blur' ? 'a blurred copy of the input' : 'a blank image';
    setText(
      this.hint,
      `The probability of ${context.targetName} as the most salient pixels are replaced by ${substrate} (deletion: the faster it falls, the better) or restored onto it (insertion: the faster it rises, the better).`,
    );
    this.draw();
  }

  /** Applies a new theme's colours. */
  setTheme(theme: ChartTheme): void {
    this.theme = theme;
    if (this.entries) this.draw();
  }

  private draw(): void {
    const context = this.context;
    if (!context) return;
    const theme = this.theme;
    this.legend.replaceChildren(
      ...this.series.deletion.map((curve, index) => {
        const style = methodStyle(curve.method, index);
        return h(
          'li',
          { class: 'curve-legend-item' },
          swatch(styleColour(style, theme), style.dash, style.marker),
          curve.label,
        );
      }),
    );
    this.charts.deletion.draw(this.series.deletion, context, theme);
    this.charts.insertion.draw(this.series.insertion, context, theme);
  }
}
