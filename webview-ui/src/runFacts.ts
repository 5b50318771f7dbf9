// What the current result's run was and how it went: model, method, budget, time, backend, seed and scores.
import type { DisplayAudio, RunView } from '../../src/shared/protocol';
import type { ExplanationReport } from '../../src/shared/report';
import { formatHz, formatInterval, formatLength } from './audioTimeline';
import { h } from './dom';
import { className, count, duration, methodName, metric, percent } from './format';

type Fact = [term: string, description: string | Node];

/**
 * What an audio result found over time: the top interval, the next ones, and the time IoU with the ground truth.
 * From the report's findings; from the display's intervals when the report has none (then without IoU).
 */
export function audioFacts(report: ExplanationReport, display?: DisplayAudio): Fact[] {
  const findings = report.audio;
  if (!findings && !display) return [];
  const intervals = findings?.intervals ?? display?.intervals ?? [];
  const [top, ...others] = intervals;
  const facts: Fact[] = [
    [
      'Top interval',
      top ? `${formatInterval(top)} (${formatLength(top)})` : 'none: no moment stands out (the map is flat over time)',
    ],
  ];
  if (others.length > 0) facts.push(['Next intervals', others.map(formatInterval).join(', ')]);
  const truth = findings?.groundTruth;
  if (truth) facts.push(['Time IoU', `${metric(truth.timeIou)} with the ground truth ${formatInterval(truth)}`]);
  else if (display?.truth) facts.push(['Ground truth', formatInterval(display.truth)]);
  return facts;
}

/** What the sound and its spectrogram were, in place of an image's resolution. */
function audioResolution(report: ExplanationReport): string | undefined {
  const findings = report.audio;
  if (!findings) return undefined;
  const s = findings.spectrogram;
  const rows = s.scale === 'mel' ? `${count(s.rows)} mel bands` : `${count(s.rows)} frequency bins`;
  return `${findings.durationSeconds.toFixed(2)} s at ${formatHz(findings.sampleRate)}; spectrogram ${rows} × ${count(s.frames)} frames (${formatHz(s.lowHz)} to ${formatHz(s.highHz)}, FFT ${s.fftSize}, hop ${s.hop}); mask ${report.maskGrid.width}×${report.maskGrid.height}, ${count(report.segments)} segments`;
}

/** The facts of a report as term/description pairs, in reading order (`audio`: the display's, for an audio result). */
export function reportFacts(report: ExplanationReport, audio?: DisplayAudio): Fact[] {
  const { timing } = report;
  const share = (ms: number) => (timing.totalMs > 0 ? ` (${percent(ms / timing.totalMs)})` : '');
  const facts: Fact[] = [
    ['Model', `${report.model.name} (${report.model.kind})`],
    ['Method', `${methodName(report.method)}, preset ${report.preset}`],
    [
      'Class',
      `${className(report.target)} (#${report.target.index}), probability ${percent(report.target.probability)}`,
    ],
    ...audioFacts(report, audio),
    ['Queries', `${count(report.queries)} black-box queries`],
  ];
  const { training } = report;
  if (training) {
    facts.push([
      'Training',
      `${count(training.steps)} steps in ${training.epochs} epochs${training.stoppedEarly ? ', stopped early (the mask settled)' : ''}`,
    ]);
    const fidelityFact = fidelity(report);
    if (fidelityFact) facts.push(fidelityFact);
    const readoutFact = readout(report);
    if (readoutFact) facts.push(readoutFact);
  }
  facts.push(
    ['Time', `${duration(timing.totalMs)} in all`],
    ['Querying', `${duration(timing.queryMs)}${share(timing.queryMs)}, of which the model ${duration(timing.modelMs)}`],
  );
  if (training) facts.push(['Training time', `${duration(training.ms)}${share(training.ms)}`]);
  facts.push(
    ['Loading, finishing', `${duration(timing.loadMs)}, ${duration(timing.finishMs)}`],
    [
      'Backend',
      report.backend.notes.length > 0
        ? `${report.backend.name} (${report.backend.notes.join('; ')})`
        : report.backend.name,
    ],
    ['Seed', String(report.seed)],
    audioResolution(report) !== undefined
      ? ['Sound', audioResolution(report)!]
      : [
          'Resolution',
          `input ${report.input.width}×${report.input.height}, working ${report.workingSize.width}×${report.workingSize.height}, mask ${report.maskGrid.width}×${report.maskGrid.height}, ${count(report.segments)} segments`,
        ],
  );
  const f = report.faithfulness;
  if (f) {
    facts.push(
      ['Deletion AUC', `${metric(f.deletionAuc)} (lower is more faithful)`],
      ['Insertion AUC', `${metric(f.insertionAuc)} (higher is more faithful)`],
      ['Measured with', `${f.steps} steps on a ${f.substrate} substrate, ${count(f.queries)} extra queries`],
    );
  }
  const g = report.groundTruth;
  if (g) {
    facts.push(
      ['IoU at 0.2', metric(g.iouAt02)],
      ['Best IoU', `${metric(g.bestIou)} at threshold ${g.bestThreshold}`],
      [
        'Pointing game',
        g.pointingHit
          ? 'hit: the most salient pixel is inside the mask'
          : 'miss: the most salient pixel is outside the mask',
      ],
      ['Ground truth', g.file],
    );
  }
  return facts;
}

/**
 * DAX's trust indicator in words: how well the student imitated the black box on copies it never trained on.
 * The map is read through the student, so where it did not learn the black box the map means little.
 */
export function fidelity(report: ExplanationReport): Fact | undefined {
  const f = report.training?.fidelity;
  if (!f) return undefined;
  const figures = `R² ${Number.isFinite(f.r2) ? f.r2.toFixed(2) : 'n/a'}, rank correlation ${Number.isFinite(f.spearman) ? f.spearman.toFixed(2) : 'n/a'} on ${count(f.heldOut)} held-out copies`;
  const learnt = Number.isFinite(f.spearman) && f.spearman >= 0.5 && Number.isFinite(f.r2) && f.r2 >= 0.25;
  return [
    'Student fidelity',
    learnt
      ? figures
      : `${figures}. Warning: the student did not learn to predict the model's answers, so this map says little; try a larger budget or compare with another method.`,
  ];
}

/** What each of DAX's readouts of its networks is, in words. */
const READOUT_NAMES: Record<string, string> = {
  masks: 'the masks as they are',
  smooth: 'the masks blurred by half a segment',
  smoother: 'the masks blurred by 1.5 segments',
  'first-order': "the student's first-order effects",
  time: 'the masks averaged over each moment',
};

/**
 * Which readout of the networks the map is, and why: the black box's own answers on a few deletion and insertion
 * copies of each, so the user sees by how much the chosen one was more faithful.
 */
export function readout(report: ExplanationReport): Fact | undefined {
  const r = report.training?.readout;
  if (!r || r.candidates.length === 0) return undefined;
  const name = (candidate: string): string => READOUT_NAMES[candidate] ?? candidate;
  const others = r.candidates
    .map((candidate, i) => ({ candidate, score: r.scores[i]! }))
    .filter(({ candidate }) => candidate !== r.chosen)
    .map(({ candidate, score }) => `${name(candidate)} ${metric(score)}`);
  const chosenScore = r.scores[r.candidates.indexOf(r.chosen)];
  return [
    'Map readout',
    `${name(r.chosen)}: the most faithful of ${r.candidates.length} readouts by the model's own answers (insertion minus deletion ${chosenScore === undefined ? 'n/a' : metric(chosenScore)}; ${others.join(', ')})`,
  ];
}

function definitionList(facts: Fact[], className: string): HTMLDListElement {
  return h(
    'dl',
    { class: className },
    ...facts.flatMap(([term, description]) => [h('dt', {}, term), h('dd', {}, description)]),
  );
}

/** The facts section. */
export class RunFacts {
  readonly element: HTMLElement;
  private view: RunView | undefined;

  constructor() {
    this.element = h(
      'section',
      { class: 'facts', 'aria-labelledby': 'facts-heading' },
      h('h3', { id: 'facts-heading' }, 'Run'),
    );
  }

  update(view: RunView): void {
    if (view === this.view) return;
    this.view = view;
    const { report } = view;
    const config = Object.entries(report.config).map(([key, value]): Fact => [
      key,
      typeof value === 'object' ? JSON.stringify(value) : String(value),
    ]);
    const versions = Object.entries(report.versions).map(([key, value]): Fact => [key, value]);
    this.element.replaceChildren(
      h('h3', { id: 'facts-heading' }, 'Run'),
      definitionList(reportFacts(report, view.display.audio), 'facts-list'),
      h('details', {}, h('summary', {}, 'Configuration'), definitionList(config, 'facts-list compact')),
      h('details', {}, h('summary', {}, 'Versions'), definitionList(versions, 'facts-list compact')),
    );
  }
}
