// The run in progress: what it is, its phase and progress, Cancel, and its loss curves as they arrive.
import type { ActiveRun, PanelToHost } from '../../src/shared/protocol';
import { colormapLut } from './colormaps';
import { h, setText, show } from './dom';
import { methodName } from './format';
import { LossChart } from './lossChart';
import type { LossPoint, ValidationPoint } from './lossData';
import type { Preferences } from './preferences';
import { progressOf, type LiveRun, type UiAction } from './store';
import type { ChartTheme } from './theme';
import { methodTrains } from '../../src/shared/methods';

const NO_LOSSES: readonly LossPoint[] = [];
const NO_VALIDATION: readonly ValidationPoint[] = [];

/** The active-run section. */
export class ActiveRunView {
  readonly element: HTMLElement;
  private readonly title: HTMLElement;
  private readonly phase: HTMLElement;
  private readonly progress: HTMLProgressElement;
  private readonly progressText: HTMLElement;
  private readonly queued: HTMLElement;
  private readonly chart: LossChart;
  private readonly noChart: HTMLElement;
  private readonly mapCanvas: HTMLCanvasElement;
  private readonly mapCaption: HTMLElement;
  private readonly mapBox: HTMLElement;
  /** The map drawn last, and in which colormap: a new epoch or another colormap redraws. */
  private drawn: { values: Uint8Array; colormap: string } | undefined;

  constructor(post: (message: PanelToHost) => void, dispatch: (action: UiAction) => void, theme: ChartTheme) {
    this.title = h('h2', { id: 'active-heading' });
    this.phase = h('p', { class: 'phase', role: 'status' });
    this.progress = h('progress', {
      class: 'run-progress',
      'aria-labelledby': 'active-heading',
      'aria-describedby': 'active-progress-text',
    });
    this.progressText = h('p', { class: 'hint', id: 'active-progress-text' });
    this.queued = h('p', { class: 'hint' });
    const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
    cancel.addEventListener('click', () => post({ type: 'panel/cancelCommand' }));
    this.chart = new LossChart(dispatch, theme, 'live-chart', 'Loss curves of the run in progress');
    this.noChart = h('p', { class: 'hint' });
    this.mapCanvas = h('canvas', { class: 'live-map', role: 'img' });
    this.mapCaption = h('p', { class: 'hint' });
    this.mapBox = h('figure', { class: 'live-map-box' }, this.mapCanvas, h('figcaption', {}, this.mapCaption));
    this.element = h(
      'section',
      { class: 'active-run', 'aria-labelledby': 'active-heading' },
      h('div', { class: 'section-header' }, this.title, h('div', { class: 'actions' }, cancel)),
      this.phase,
      this.progress,
      this.progressText,
      this.queued,
      h('div', { class: 'live-views' }, this.chart.element, this.mapBox),
      this.noChart,
    );
  }

  update(active: ActiveRun, live: LiveRun | undefined, prefs: Preferences): void {
    const comparing = active.comparing;
    setText(
      this.title,
      comparing
        ? `Comparing methods on ${active.inputName}: ${comparing.index}/${comparing.count} ${methodName(comparing.method)}`
        : `Explaining ${active.inputName} with ${methodName(active.method)}`,
    );
    // The phase line is a live region: it changes a few times per run, unlike the step counter below it.
    const phase = live?.phase;
    setText(
      this.phase,
      phase ? `${capitalise(phase.phase)}: ${phase.message}` : `${capitalise(active.phase)} · ${active.modelName}`,
    );
    const { text, fraction } = progressOf(active, live);
    if (fraction === undefined) this.progress.removeAttribute('value');
    else this.progress.value = fraction;
    setText(this.progressText, text);
    show(this.progressText, text !== '');
    setText(this.queued, active.queued > 0 ? `${active.queued} more queued` : '');
    show(this.queued, active.queued > 0);
    const dax = methodTrains(comparing?.method ?? active.method);
    show(this.chart.element, dax);
    show(this.noChart, !dax);
    setText(
      this.noChart,
      dax ? '' : `${methodName(comparing?.method ?? active.method)} trains nothing, so this run has no loss curves.`,
    );
    this.updateMap(dax ? live?.map : undefined, prefs);
    if (dax) {
      const none = !live || (live.losses.length === 0 && live.validation.length === 0);
      this.chart.update(
        {
          losses: live?.losses ?? NO_LOSSES,
          validation: live?.validation ?? NO_VALIDATION,
          emptyText: none ? 'The loss curves appear when training starts.' : undefined,
          weights: active.lossWeights,
        },
        prefs,
      );
    }
  }

  /** The map as it stood after the latest epoch, in the user's colormap; hidden until the first epoch ends. */
  private updateMap(map: LiveRun['map'], prefs: Preferences): void {
    show(this.mapBox, map !== undefined);
    if (!map) {
      this.drawn = undefined;
      return;
    }
    if (this.drawn?.values === map.values && this.drawn.colormap === prefs.colormap) return;
    this.drawn = { values: map.values, colormap: prefs.colormap };
    const lut = colormapLut(prefs.colormap);
    const pixels = new Uint8ClampedArray(map.width * map.height * 4);
    for (let p = 0; p < map.values.length; p++) {
      const v = map.values[p]!;
      pixels.set([lut[3 * v]!, lut[3 * v + 1]!, lut[3 * v + 2]!, 255], 4 * p);
    }
    this.mapCanvas.width = map.width;
    this.mapCanvas.height = map.height;
    this.mapCanvas.getContext('2d')?.putImageData(new ImageData(pixels, map.width, map.height), 0, 0);
    const text = `The map after epoch ${map.epoch} of ${map.epochs}, as it forms, in the ${prefs.colormap} colormap.`;
    this.mapCanvas.setAttribute('aria-label', text);
    setText(this.mapCaption, `After epoch ${map.epoch} of ${map.epochs}`);
  }

  setTheme(theme: ChartTheme): void {
    this.chart.setTheme(theme);
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
