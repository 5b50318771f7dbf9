// The panel's layout: builds the sections once and shows each state in them.
import type { ExportCommand, PanelToHost, RunCommandCommand, RunError, RunView } from '../../src/shared/protocol';
import type { ExplanationReport } from '../../src/shared/report';
import { ActiveRunView } from './activeRun';
import { ClassList } from './classList';
import { comparisonPlacement } from './comparisonData';
import { ComparisonView } from './comparisonView';
import { h, setText, show } from './dom';
import { FolderView } from './folderView';
import { className, methodName, percent } from './format';
import { HistoryList } from './history';
import { LossChart } from './lossChart';
import {
  lossPointsFromRows,
  validationPointsFromRows,
  weightsFromConfig,
  type LossPoint,
  type TermWeights,
  type ValidationPoint,
} from './lossData';
import { OverlayView } from './overlayView';
import { RunFacts } from './runFacts';
import type { PanelState, UiAction } from './store';
import type { ChartTheme } from './theme';
import { methodTrains } from '../../src/shared/methods';

const ERROR_TITLES: Record<RunError['kind'], string> = {
  usage: 'The run was set up wrongly',
  input: 'The input could not be read',
  model: 'The model failed',
  explain: 'The explanation failed',
  cancelled: 'The run was cancelled',
  crashed: 'The worker crashed',
};

/** The files Export offers, in this order: what, button label, accessible label. */
const EXPORTS: [ExportCommand['what'], string, string][] = [
  ['overlay', 'Overlay PNG', 'Export the overlay as PNG'],
  ['saliency', 'Saliency PNG', 'Export the saliency map as PNG'],
  ['mask', 'Mask PNG', 'Export the mask (one grey pixel per spectrogram cell) as PNG'],
  ['kept', 'Kept WAV', 'Export what the map keeps of the sound as WAV'],
  ['removed', 'Removed WAV', 'Export what the map removes from the sound as WAV'],
  ['report', 'Report JSON', 'Export the JSON report'],
];

/** A report's histories as chart points, converted once per report. */
const reportPoints = new WeakMap<ExplanationReport, { losses: LossPoint[]; validation: ValidationPoint[] }>();
function pointsOf(report: ExplanationReport): { losses: LossPoint[]; validation: ValidationPoint[] } {
  let points = reportPoints.get(report);
  if (!points) {
    points = {
      losses: lossPointsFromRows(report.training?.losses ?? []),
      validation: validationPointsFromRows(report.training?.validation ?? []),
    };
    reportPoints.set(report, points);
  }
  return points;
}

/** A report's loss weights, read once per report (the chart compares them by value). */
const reportWeights = new WeakMap<ExplanationReport, TermWeights | undefined>();
function weightsOf(report: ExplanationReport): TermWeights | undefined {
  if (!reportWeights.has(report)) reportWeights.set(report, weightsFromConfig(report.config));
  return reportWeights.get(report);
}

/** What the panel shows before any result: how to start, with the commands as buttons. */
function welcomeView(post: (message: PanelToHost) => void): HTMLElement {
  const button = (label: string, command: RunCommandCommand['command'], primary = false) => {
    const element = h('button', { type: 'button', class: primary ? 'primary' : 'secondary' }, label);
    element.addEventListener('click', () => post({ type: 'panel/runCommandCommand', command }));
    return element;
  };
  return h(
    'section',
    { class: 'welcome', 'aria-labelledby': 'welcome-heading' },
    h('h2', { id: 'welcome-heading' }, 'No explanation yet'),
    h(
      'p',
      { class: 'empty' },
      'Right-click an image or a sound in the Explorer and choose “Explain with DAX” (or a folder, and “DAX: Explain Folder”), or start here:',
    ),
    h(
      'div',
      { class: 'welcome-actions', role: 'group', 'aria-label': 'Get started' },
      button('Select Model…', 'dax.selectModel'),
      button('Explain an Image or a Sound…', 'dax.explainActiveFile', true),
      button('Compare Methods…', 'dax.compareMethods'),
      button('Explain a Folder…', 'dax.explainFolder'),
      button('Open the Walkthrough', 'dax.openWalkthrough'),
    ),
  );
}

/** The whole panel. */
export class App {
  private readonly banner: HTMLElement;
  private readonly bannerTitle: HTMLElement;
  private readonly bannerMessage: HTMLElement;
  private readonly bannerFile: HTMLElement;
  private readonly connecting: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly activeRun: ActiveRunView;
  private readonly folder: FolderView;
  private readonly result: HTMLElement;
  private readonly resultTitle: HTMLElement;
  private readonly resultSubtitle: HTMLElement;
  private readonly resultButtons: HTMLButtonElement[];
  private readonly viewExport: HTMLButtonElement;
  /** One button per file a result can have; only those the current result has are shown. */
  private readonly exportButtons: Map<ExportCommand['what'], HTMLButtonElement>;
  private readonly overlay: OverlayView;
  private readonly classes: ClassList;
  private readonly lossChart: LossChart;
  private readonly facts: RunFacts;
  private readonly comparison: ComparisonView;
  private readonly history: HistoryList;
  private currentKey = '';
  /** Whether a snapshot was drawn already: a comparison in the first one (a reloaded panel) is not scrolled to. */
  private seenComparison = false;
  /** The result on screen; a snapshot that re-sends the same result keeps this object, so nothing is redrawn or reset. */
  private shown: RunView | undefined;

  constructor(
    root: HTMLElement,
    post: (message: PanelToHost) => void,
    dispatch: (action: UiAction) => void,
    theme: ChartTheme,
  ) {
    this.bannerTitle = h('strong', { class: 'banner-title' });
    this.bannerMessage = h('span', { class: 'banner-message' });
    this.bannerFile = h('span', { class: 'banner-file' });
    const dismiss = h(
      'button',
      { type: 'button', class: 'banner-dismiss icon-button', 'aria-label': 'Dismiss this message', title: 'Dismiss' },
      '×',
    );
    dismiss.addEventListener('click', () => post({ type: 'panel/dismissErrorCommand' }));
    this.banner = h(
      'div',
      { class: 'banner' },
      h('div', { class: 'banner-text' }, this.bannerTitle, this.bannerMessage, this.bannerFile),
      dismiss,
    );
    this.connecting = h('p', { class: 'hint' }, 'Loading…');
    this.empty = welcomeView(post);
    this.activeRun = new ActiveRunView(post, dispatch, theme);
    this.folder = new FolderView(post);

    const action = (label: string, ariaLabel: string, message: () => PanelToHost, primary = false) => {
      const button = h(
        'button',
        // The visible label is the accessible name (a screen reader and voice control use what is shown); the
        // longer text is the tooltip and the description.
        { type: 'button', class: primary ? 'primary' : 'secondary', title: ariaLabel },
        label,
      );
      button.addEventListener('click', () => this.currentKey && post(message()));
      return button;
    };
    this.exportButtons = new Map(
      EXPORTS.map(
        ([what, label, ariaLabel]) =>
          [
            what,
            action(label, ariaLabel, () => ({ type: 'panel/exportCommand', key: this.currentKey, what })),
          ] as const,
      ),
    );
    // The map as the user set it up (view, colormap, opacity, threshold, clipping), drawn by the panel itself.
    this.viewExport = action(
      'View PNG',
      'Export the map as shown here (view, colormap, opacity, threshold) as PNG',
      () => {
        const snapshot = this.overlay.snapshot();
        return snapshot
          ? { type: 'panel/exportViewCommand', key: this.currentKey, png: snapshot.png, shown: snapshot.shown }
          : { type: 'panel/exportCommand', key: this.currentKey, what: 'overlay' };
      },
    );
    this.resultButtons = [
      action(
        'Re-run',
        'Run this explanation again, ignoring the cache',
        () => ({ type: 'panel/rerunCommand', key: this.currentKey }),
        true,
      ),
      action(
        'Ground truth…',
        'Score this map against where the evidence truly is: a mask image (white = evidence), or an interval of a sound',
        () => ({ type: 'panel/groundTruthCommand', key: this.currentKey }),
      ),
      this.viewExport,
      ...this.exportButtons.values(),
    ];
    this.resultTitle = h('h2', { id: 'result-heading' });
    this.resultSubtitle = h('p', { class: 'hint' });
    this.overlay = new OverlayView(dispatch, theme);
    this.classes = new ClassList(post);
    this.lossChart = new LossChart(dispatch, theme, 'result-chart', 'Loss curves of this result');
    this.facts = new RunFacts();
    this.result = h(
      'section',
      { class: 'result', 'aria-labelledby': 'result-heading' },
      h(
        'div',
        { class: 'section-header' },
        h('div', {}, this.resultTitle, this.resultSubtitle),
        h(
          'div',
          { class: 'actions', role: 'group', 'aria-label': 'Result actions' },
          this.resultButtons[0]!,
          this.resultButtons[1]!,
          h('span', { class: 'actions-label', 'aria-hidden': 'true' }, 'Export:'),
          ...this.resultButtons.slice(2),
        ),
      ),
      h(
        'div',
        { class: 'result-grid' },
        h('div', { class: 'result-main' }, this.overlay.element, this.classes.element),
        h(
          'div',
          { class: 'result-side' },
          h(
            'section',
            { class: 'losses', 'aria-labelledby': 'losses-heading' },
            h('h3', { id: 'losses-heading' }, 'Training losses'),
            this.lossChart.element,
          ),
          this.facts.element,
        ),
      ),
    );
    this.comparison = new ComparisonView(theme, post);
    this.history = new HistoryList(post);
    root.replaceChildren(
      // The page's title for assistive technology; the panel's tab already shows it to everyone else.
      h('h1', { class: 'visually-hidden' }, 'DAX Explain'),
      this.banner,
      this.connecting,
      this.activeRun.element,
      this.folder.element,
      this.empty,
      this.result,
      this.comparison.element,
      this.history.element,
    );
  }

  /** Shows `state`; every section skips work when its inputs did not change. */
  render(state: PanelState): void {
    const { host, prefs } = state;
    show(this.connecting, !state.connected);

    const error = host.error;
    show(this.banner, error !== undefined);
    if (error) {
      // A cancellation is news, not an alarm: a polite status instead of an assertive alert.
      this.banner.setAttribute('role', error.kind === 'cancelled' ? 'status' : 'alert');
      this.banner.classList.toggle('is-info', error.kind === 'cancelled');
      setText(this.bannerTitle, `${ERROR_TITLES[error.kind] ?? 'Error'}:`);
      setText(this.bannerMessage, error.message);
      setText(this.bannerFile, error.file ?? '');
      show(this.bannerFile, error.file !== undefined);
    }

    show(this.activeRun.element, host.active !== undefined);
    if (host.active) this.activeRun.update(host.active, state.live, prefs);

    const incoming = host.current;
    const shown = this.shown;
    const same =
      incoming &&
      shown &&
      incoming.summary.key === shown.summary.key &&
      incoming.summary.finishedAt === shown.summary.finishedAt &&
      incoming.summary.cached === shown.summary.cached;
    const current = same ? shown : incoming;
    this.shown = current;
    show(this.folder.element, host.folder !== undefined);
    if (host.folder) this.folder.update(host.folder, current?.summary.key);
    show(this.empty, state.connected && !current && !host.active && !host.folder);
    show(this.result, current !== undefined);
    this.currentKey = current?.summary.key ?? '';
    for (const button of this.resultButtons) button.disabled = !current;
    const outputs = current?.report.outputs;
    // A result that lists no files (an older report) keeps the three every image result has.
    for (const [what, button] of this.exportButtons)
      show(
        button,
        outputs ? outputs[what] !== undefined : what === 'overlay' || what === 'saliency' || what === 'report',
      );
    if (current) {
      const { report, summary } = current;
      setText(
        this.resultTitle,
        `${summary.inputName}: ${className(report.target)} (${percent(report.target.probability)})`,
      );
      setText(
        this.resultSubtitle,
        `${methodName(report.method)} · ${summary.modelName}${summary.cached ? ' · from cache' : ''}`,
      );
      this.overlay.update(current.display, summary.inputName, prefs);
      this.classes.update(current);
      const points = pointsOf(report);
      const emptyText = !methodTrains(report.method)
        ? `${methodName(report.method)} trains nothing, so this result has no loss curves.`
        : points.losses.length === 0 && points.validation.length === 0
          ? 'This report has no loss history.'
          : undefined;
      this.lossChart.update({ ...points, emptyText, weights: weightsOf(report) }, prefs);
      this.facts.update(current);
    }

    const placement = comparisonPlacement(current, host.comparison);
    show(this.comparison.element, placement !== 'none');
    if (host.comparison) {
      // Before the result when it is about another input (a view of its own), after it when about the same one.
      const anchor = placement === 'before' ? this.result : this.result.nextSibling;
      if (this.comparison.element.nextSibling !== anchor && this.comparison.element !== anchor)
        this.result.parentElement?.insertBefore(this.comparison.element, anchor);
      const changed = this.comparison.update(host.comparison, host.comparisonDetail, prefs);
      // A comparison that arrives while the panel is open is brought into view (it may land below the result).
      if (changed && this.seenComparison && typeof this.comparison.element.scrollIntoView === 'function')
        this.comparison.element.scrollIntoView({ block: 'start' });
      this.seenComparison = true;
    } else if (state.connected) this.seenComparison = true;
    this.history.update(host.history, current?.summary.key);
  }

  /** Re-reads chart colours after a theme change. */
  setTheme(theme: ChartTheme): void {
    this.activeRun.setTheme(theme);
    this.overlay.setTheme(theme);
    this.lossChart.setTheme(theme);
    this.comparison.setTheme(theme);
  }
}
