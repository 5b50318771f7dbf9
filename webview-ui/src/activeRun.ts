// The run in progress: what it is, its phase and progress, Cancel, and its loss curves as they arrive.
import type { ActiveRun, PanelToHost } from '../../src/shared/protocol';
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
    this.element = h(
      'section',
      { class: 'active-run', 'aria-labelledby': 'active-heading' },
      h('div', { class: 'section-header' }, this.title, h('div', { class: 'actions' }, cancel)),
      this.phase,
      this.progress,
      this.progressText,
      this.queued,
      this.chart.element,
      this.noChart,
    );
  }

  update(active: ActiveRun, live: LiveRun | undefined, prefs: Preferences): void {
    const comparing = active.comparing;
    setText(
      this.title,
      comparing
        ? `Comparing methods on ${active.imageName}: ${comparing.index}/${comparing.count} ${methodName(comparing.method)}`
        : `Explaining ${active.imageName} with ${methodName(active.method)}`,
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

  setTheme(theme: ChartTheme): void {
    this.chart.setTheme(theme);
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
