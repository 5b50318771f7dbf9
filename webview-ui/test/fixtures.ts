// Small protocol values for the panel's tests.
import type {
  ActiveRun,
  ComparisonDetail,
  DisplayAudio,
  FolderRow,
  FolderSummary,
  PanelProgressNotification,
  PanelStateNotification,
  RunProgress,
  RunSummary,
  RunView,
} from '../../src/shared/protocol';
import type {
  AudioFindings,
  ComparisonReport,
  ComparisonRow,
  ExplanationReport,
  TrainingSection,
} from '../../src/shared/report';
import { methodTrains } from '../../src/shared/methods';

export function summary(key: string, finishedAt = 1000, cached = false): RunSummary {
  return {
    key,
    inputName: `${key}.png`,
    modelName: 'model',
    method: 'dax',
    targetLabel: 'cat',
    probability: 0.9,
    finishedAt,
    cached,
  };
}

/** DAX's training section of `report()`, with `overrides`. */
export function training(overrides: Partial<TrainingSection> = {}): TrainingSection {
  return {
    steps: 2,
    epochs: 1,
    stoppedEarly: false,
    ms: 680,
    losses: [
      { step: 1, epoch: 1, total: 1, distillation: 0.5, l1: 0.4, kl: 0.1 },
      { step: 2, epoch: 1, total: 0.8, distillation: 0.4, l1: 0.3, kl: 0.1 },
    ],
    validation: [{ step: 2, epoch: 1, validation: 0.7, maskChange: 0.2 }],
    ...overrides,
  };
}

/** A DAX report; with another `method` that trains nothing, without the training section (as the engine writes it). */
export function report(overrides: Partial<ExplanationReport> = {}): ExplanationReport {
  const made: ExplanationReport = {
    schema: 2,
    method: 'dax',
    input: { file: '/tmp/a.png', width: 2, height: 2 },
    model: { name: 'model', kind: 'onnx', path: '/tmp/m.onnx', description: '' },
    target: { index: 0, label: 'cat', probability: 0.9 },
    top: [
      { index: 0, label: 'cat', probability: 0.9 },
      { index: 1, label: 'dog', probability: 0.1 },
    ],
    queries: 500,
    timing: { totalMs: 1000, loadMs: 10, queryMs: 300, modelMs: 250, finishMs: 10 },
    backend: { name: 'cpu', notes: [] },
    workingSize: { width: 2, height: 2 },
    maskGrid: { width: 1, height: 1 },
    segments: 4,
    training: training(),
    config: {},
    preset: 'fast',
    seed: 0,
    versions: {},
    ...overrides,
  };
  if (!methodTrains(made.method) && !('training' in overrides)) delete made.training;
  return made;
}

export function runView(key: string): RunView {
  return {
    summary: summary(key),
    report: report(),
    display: {
      width: 2,
      height: 1,
      rgb: Uint8Array.from([10, 20, 30, 40, 50, 60]),
      saliency: Uint8Array.from([0, 255]),
    },
  };
}

export function active(inputName = 'a.png', queued = 0, overrides: Partial<ActiveRun> = {}): ActiveRun {
  return { id: 1, inputName, modelName: 'model', method: 'dax', phase: 'querying', queued, ...overrides };
}

export function snapshot(
  fields: Omit<PanelStateNotification, 'type' | 'history'> & { history?: RunSummary[] } = {},
): PanelStateNotification {
  return { type: 'panel/didChangeState', history: [], ...fields };
}

/** A progress message, stamped 100 ms per seq unless `at` says when. */
export function progress(seq: number, value: RunProgress, at = seq * 100): PanelProgressNotification {
  return { type: 'panel/didProgress', seq, progress: value, at };
}

export function step(
  seq: number,
  stepNumber: number,
  losses: Record<string, number> = { total: 1 / stepNumber },
  epoch = 1,
): PanelProgressNotification {
  return progress(seq, { type: 'step', step: stepNumber, epoch, epochs: 3, stepsPerEpoch: 10, losses });
}

export function comparisonRow(method: ComparisonRow['method'], overrides: Partial<ComparisonRow> = {}): ComparisonRow {
  return { method, queries: 500, totalMs: 1000, deletionAuc: 0.2, insertionAuc: 0.7, ...overrides };
}

export function comparison(
  rows: ComparisonRow[] = [
    comparisonRow('dax'),
    comparisonRow('rise'),
    comparisonRow('lime'),
    comparisonRow('occlusion'),
  ],
): ComparisonReport {
  return {
    schema: 1,
    input: { file: '/tmp/a.png', width: 2, height: 1 },
    model: { name: 'model', kind: 'onnx', path: '/tmp/m.onnx', description: '' },
    target: { index: 0, label: 'cat', probability: 0.9 },
    budget: 500,
    seed: 0,
    substrate: 'blur',
    steps: 4,
    backend: 'cpu',
    rows,
  };
}

/** A 2×1 input and one map per method, with five-point curves (fractions 0, 0.25, …, 1). */
export function comparisonDetail(
  methods: ComparisonDetail['methods'][number]['method'][] = ['dax', 'rise', 'lime', 'occlusion'],
): ComparisonDetail {
  return {
    width: 2,
    height: 1,
    rgb: Uint8Array.from([10, 20, 30, 40, 50, 60]),
    methods: methods.map((method, i) => ({
      method,
      saliency: Uint8Array.from([i, 255 - i]),
      fractions: [0, 0.25, 0.5, 0.75, 1],
      deletionCurve: [0.9, 0.5, 0.3, 0.2, 0.1],
      insertionCurve: [0.1, 0.4, 0.6, 0.8, 0.9],
    })),
  };
}

/**
 * One second of sound at 8 kHz, as the engine describes it: 11 frames 0.1 s apart (frame t centred at t × 0.1 s),
 * a bump of saliency from 0.35 to 0.65 s and a smaller one at 0.85–0.95 s, a ground truth at 0.3–0.6 s, and a
 * mel axis from 0 Hz to 4 kHz. The picture is 4×2 (only its arrays' sizes matter here).
 */
export function displayAudio(overrides: Partial<DisplayAudio> = {}): DisplayAudio {
  const sampleRate = 8000;
  const original = Float32Array.from(
    { length: sampleRate },
    (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / sampleRate),
  );
  const mask = (i: number) => (i >= 0.35 * sampleRate && i < 0.65 * sampleRate ? 1 : 0);
  return {
    sampleRate,
    original,
    kept: original.map((v, i) => v * mask(i)),
    removed: original.map((v, i) => v * (1 - mask(i))),
    durationSeconds: 1,
    timeSaliency: Float32Array.from([0, 0.1, 0.2, 0.4, 0.9, 1, 0.8, 0.3, 0.2, 0.6, 0.1]),
    frameSeconds: 0.1,
    intervals: [
      { start: 0.35, end: 0.65 },
      { start: 0.85, end: 0.95 },
    ],
    truth: { start: 0.3, end: 0.6 },
    lowHz: 0,
    highHz: 4000,
    scale: 'mel',
    ...overrides,
  };
}

/** The report's side of `displayAudio()`: the same intervals with their mass, and the time IoU of the top one. */
export function audioFindings(overrides: Partial<AudioFindings> = {}): AudioFindings {
  const audio = displayAudio();
  return {
    sampleRate: audio.sampleRate,
    durationSeconds: 1,
    spectrogram: { rows: 64, frames: 11, scale: 'mel', fftSize: 512, hop: 800, lowHz: 0, highHz: 4000 },
    frameSeconds: 0.1,
    timeSaliency: Array.from(audio.timeSaliency),
    intervals: [
      { start: 0.35, end: 0.65, mass: 0.27 },
      { start: 0.85, end: 0.95, mass: 0.06 },
    ],
    groundTruth: { start: 0.3, end: 0.6, timeIou: 0.25 / 0.35 },
    ...overrides,
  };
}

/** An audio result: the spectrogram picture with its map, the sounds, and a report with audio findings. */
export function audioRunView(key: string): RunView {
  return {
    summary: { ...summary(key), inputName: `${key}.wav` },
    report: report({ input: { file: `/tmp/${key}.wav`, width: 11, height: 64 }, audio: audioFindings() }),
    display: {
      width: 4,
      height: 2,
      rgb: new Uint8Array(4 * 2 * 3).fill(128),
      saliency: Uint8Array.from([0, 255, 128, 0, 0, 200, 64, 0]),
      audio: displayAudio(),
    },
  };
}

/** A folder row: a result for ok and cached rows, an error for failed ones. */
export function folderRow(file: string, status: FolderRow['status'], overrides: Partial<FolderRow> = {}): FolderRow {
  const result =
    status === 'ok' || status === 'cached'
      ? { key: `key-${file}`, classLabel: 'cat', probability: 0.9, queries: 500, seconds: 1.5 }
      : {};
  const error = status === 'failed' ? { error: `${file}: the model failed` } : {};
  return { file, status, ...result, ...error, ...overrides };
}

/** A folder batch of `rows`; `done` counts the finished ones. */
export function folderSummary(
  rows: FolderRow[],
  state: FolderSummary['state'] = 'done',
  overrides: Partial<FolderSummary> = {},
): FolderSummary {
  const done = rows.filter((row) => row.status !== 'pending' && row.status !== 'running').length;
  return { id: 1, folder: 'photos', folderPath: '/tmp/photos', rows, done, total: rows.length, state, ...overrides };
}
