// The loss chart: one curve per loss term found in the data plus validation, with an HTML legend of checkboxes.
import type { ChartDataset } from 'chart.js';
import { baseLineOptions, Chart, swatch, themedAxis, themedTooltip } from './charts';
import { h, replaceKeepingFocus, setText, show } from './dom';
import { metric } from './format';
import {
  latestSummary,
  lossSeries,
  VALIDATION_SERIES,
  type LossPoint,
  type LossSeries,
  type TermWeights,
  type ValidationPoint,
} from './lossData';
import type { Preferences } from './preferences';
import type { UiAction } from './store';
import { lineWidth, type ChartTheme } from './theme';

/** What to draw: points, or a sentence saying why there are none. */
export interface LossChartInput {
  losses: readonly LossPoint[];
  validation: readonly ValidationPoint[];
  /** Shown instead of the chart when set (e.g. a baseline, which trains nothing). */
  emptyText?: string;
  /** How the terms enter the total; the chart draws them weighted and leaves out those that do not count. */
  weights?: TermWeights;
}

/** A colour at `alpha` (for the raw points under the smoothed line); other colour forms are returned as they are. */
export function withAlpha(colour: string, alpha: number): string {
  const hex = /^#([0-9a-f]{6})([0-9a-f]{2})?$/i.exec(colour.trim());
  if (hex)
    return `#${hex[1]}${Math.round(alpha * 255)
      .toString(16)
      .padStart(2, '0')}`;
  const rgb = /^rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(colour.trim());
  return rgb ? `rgba(${rgb[1]}, ${rgb[2]}, ${rgb[3]}, ${alpha})` : colour;
}

/** Colour slot and dash pattern per series, so no curve is told apart by colour alone. */
const KNOWN_STYLES: Record<string, { slot: number; dash: number[] }> = {
  total: { slot: 0, dash: [] },
  distillation: { slot: 1, dash: [6, 3] },
  l1: { slot: 2, dash: [2, 3] },
  kl: { slot: 3, dash: [8, 3, 2, 3] },
  [VALIDATION_SERIES]: { slot: 4, dash: [] },
};
const OTHER_DASHES = [
  [4, 4],
  [10, 4],
  [1, 2],
  [12, 3, 3, 3],
];

function seriesStyle(name: string, index: number, theme: ChartTheme): { colour: string; dash: number[] } {
  const known = KNOWN_STYLES[name];
  const slot = known?.slot ?? 5 + index;
  return {
    colour: theme.palette[slot % theme.palette.length]!,
    dash: known?.dash ?? OTHER_DASHES[index % OTHER_DASHES.length]!,
  };
}

/** A chart component; `idPrefix` keeps element ids unique when the panel shows two charts. */
export class LossChart {
  readonly element: HTMLElement;
  private readonly toggles: HTMLElement;
  private readonly logScale: HTMLInputElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly box: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly empty: HTMLElement;
  private chart: Chart<'line', { x: number; y: number }[]> | undefined;
  private series: LossSeries[] = [];
  private lastInput: LossChartInput | undefined;
  private lastPrefs: Preferences | undefined;
  private legendKey = '';

  constructor(
    private readonly dispatch: (action: UiAction) => void,
    private theme: ChartTheme,
    idPrefix: string,
    label: string,
  ) {
    this.toggles = h('fieldset', { class: 'series-toggles' }, h('legend', {}, 'Curves'));
    this.logScale = h('input', { type: 'checkbox', id: `${idPrefix}-log` });
    this.logScale.addEventListener('change', () =>
      this.dispatch({ type: 'ui/setLogScale', logScale: this.logScale.checked }),
    );
    this.canvas = h('canvas', { role: 'img', id: `${idPrefix}-canvas`, 'aria-describedby': `${idPrefix}-summary` });
    this.box = h('div', { class: 'chart-box' }, this.canvas);
    this.summary = h('p', { class: 'chart-summary', id: `${idPrefix}-summary` });
    this.empty = h('p', { class: 'chart-empty' });
    this.element = h(
      'div',
      { class: 'loss-chart', role: 'group', 'aria-label': label },
      h(
        'div',
        { class: 'chart-toolbar' },
        this.toggles,
        h('label', { class: 'check', for: `${idPrefix}-log` }, this.logScale, 'Log scale'),
      ),
      this.box,
      this.summary,
      this.empty,
    );
  }

  /** Redraws when the points, the empty text or the chart preferences changed. */
  update(input: LossChartInput, prefs: Preferences): void {
    const last = this.lastInput;
    const dataChanged =
      !last ||
      last.losses !== input.losses ||
      last.validation !== input.validation ||
      last.emptyText !== input.emptyText ||
      JSON.stringify(last.weights) !== JSON.stringify(input.weights);
    const prefsChanged =
      !this.lastPrefs ||
      this.lastPrefs.hiddenSeries !== prefs.hiddenSeries ||
      this.lastPrefs.logScale !== prefs.logScale;
    if (!dataChanged && !prefsChanged) return;
    this.lastInput = input;
    this.lastPrefs = prefs;
    if (dataChanged) this.series = lossSeries(input.losses, input.validation, input.weights);

    const hasData = input.emptyText === undefined && this.series.some((series) => series.points.length > 0);
    const emptyText = input.emptyText ?? 'No loss values yet.';
    show(this.empty, !hasData);
    setText(this.empty, hasData ? '' : emptyText);
    for (const element of [this.toggles.parentElement!, this.box, this.summary]) show(element, hasData);
    if (!hasData) return;

    this.logScale.checked = prefs.logScale;
    this.renderLegend(prefs);
    setText(this.summary, latestSummary(input.losses, input.validation, metric, input.weights));
    const steps = input.losses.length > 0 ? input.losses[input.losses.length - 1]!.step : 0;
    const weighted = input.weights ? ' as they enter the total' : '';
    this.canvas.setAttribute(
      'aria-label',
      `Loss curves (${this.series.map((series) => series.label).join(', ')})${weighted}, smoothed over the raw points, over ${steps} training steps${prefs.logScale ? ', logarithmic axis' : ''}`,
    );
    this.draw(prefs);
  }

  /** Applies a new theme's colours. */
  setTheme(theme: ChartTheme): void {
    this.theme = theme;
    this.legendKey = '';
    if (this.lastInput && this.lastPrefs) {
      const prefs = this.lastPrefs;
      this.lastPrefs = undefined;
      this.update(this.lastInput, prefs);
    }
  }

  /** Releases the chart's canvas context and resize observer. */
  destroy(): void {
    this.chart?.destroy();
    this.chart = undefined;
  }

  private renderLegend(prefs: Preferences): void {
    const key = JSON.stringify([this.series.map((series) => [series.name, series.label]), prefs.hiddenSeries]);
    if (key === this.legendKey) return;
    this.legendKey = key;
    const items = this.series.map((series, index) => {
      const style = seriesStyle(series.name, index, this.theme);
      const box = h('input', { type: 'checkbox', 'data-focus-key': `series:${series.name}` });
      box.checked = !prefs.hiddenSeries.includes(series.name);
      box.addEventListener('change', () =>
        this.dispatch({ type: 'ui/setSeriesVisible', name: series.name, visible: box.checked }),
      );
      return h(
        'label',
        { class: 'check series-toggle' },
        box,
        swatch(style.colour, style.dash, series.kind === 'validation' ? 'rectRot' : undefined),
        series.label,
      );
    });
    replaceKeepingFocus(this.toggles, [h('legend', {}, 'Curves'), ...items]);
  }

  private draw(prefs: Preferences): void {
    const theme = this.theme;
    const width = lineWidth(theme);
    const visible = (points: { x: number; y: number }[]) =>
      prefs.logScale ? points.filter((point) => point.y > 0) : points;
    // Per training term: its raw step values as faint points, and the smoothed line over them; validation as marked points joined.
    const datasets: ChartDataset<'line', { x: number; y: number }[]>[] = this.series.flatMap(
      (series, index): ChartDataset<'line', { x: number; y: number }[]>[] => {
        const style = seriesStyle(series.name, index, theme);
        const hidden = prefs.hiddenSeries.includes(series.name);
        if (series.kind === 'validation') {
          return [
            {
              label: series.label,
              data: visible(series.points),
              normalized: true,
              hidden,
              borderColor: style.colour,
              backgroundColor: style.colour,
              borderDash: style.dash,
              borderWidth: width + 0.5,
              pointRadius: 3.5,
              pointHoverRadius: 5,
              pointStyle: 'rectRot',
              tension: 0,
            },
          ];
        }
        const faint = withAlpha(style.colour, 0.3);
        return [
          {
            label: `${series.label} (raw)`,
            data: visible(series.points),
            normalized: true,
            hidden,
            showLine: false,
            borderColor: faint,
            backgroundColor: faint,
            pointRadius: 1.5,
            pointHoverRadius: 3,
            pointStyle: 'circle',
            tension: 0,
          },
          {
            label: series.label,
            data: visible(series.smoothed ?? series.points),
            normalized: true,
            hidden,
            borderColor: style.colour,
            backgroundColor: style.colour,
            borderDash: style.dash,
            borderWidth: width,
            pointRadius: 0,
            pointHoverRadius: 3,
            tension: 0,
          },
        ];
      },
    );
    const options = {
      ...baseLineOptions(theme),
      scales: {
        x: { type: 'linear' as const, ...themedAxis(theme, 'training step') },
        y: { type: prefs.logScale ? ('logarithmic' as const) : ('linear' as const), ...themedAxis(theme, 'loss') },
      },
      plugins: {
        decimation: { enabled: true, algorithm: 'lttb' as const, samples: 400 },
        tooltip: {
          ...themedTooltip(theme),
          callbacks: {
            title: (items: { parsed: { x: number | null } }[]) => `step ${items[0]?.parsed.x ?? ''}`,
            label: (item: { dataset: { label?: string }; parsed: { y: number | null } }) =>
              `${item.dataset.label}: ${metric(item.parsed.y ?? Number.NaN)}`,
          },
        },
      },
    };
    if (!this.chart) {
      this.chart = new Chart<'line', { x: number; y: number }[]>(this.canvas, {
        type: 'line',
        data: { datasets },
        options,
      });
    } else {
      this.chart.data.datasets = datasets;
      this.chart.options = options;
      this.chart.update('none');
    }
  }
}
