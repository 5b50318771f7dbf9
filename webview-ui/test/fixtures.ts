// Small protocol values for the panel's tests.
import type { ActiveRun, ComparisonDetail, PanelProgressNotification, PanelStateNotification, RunProgress, RunSummary, RunView } from '../../src/shared/protocol';
import type { ComparisonReport, ComparisonRow, ExplanationReport } from '../../src/shared/report';

export function summary(key: string, finishedAt = 1000, cached = false): RunSummary {
  return { key, imageName: `${key}.png`, modelName: 'model', method: 'dax', targetLabel: 'cat', probability: 0.9, finishedAt, cached };
}

export function report(overrides: Partial<ExplanationReport> = {}): ExplanationReport {
  return {
    schema: 1,
    method: 'dax',
    input: { file: '/tmp/a.png', width: 2, height: 2 },
    model: { name: 'model', kind: 'onnx', path: '/tmp/m.onnx', description: '' },
    target: { index: 0, label: 'cat', probability: 0.9 },
    top: [
      { index: 0, label: 'cat', probability: 0.9 },
      { index: 1, label: 'dog', probability: 0.1 },
    ],
    queries: 500,
    trainingSteps: 2,
    epochs: 1,
    stoppedEarly: false,
    timing: { totalMs: 1000, loadMs: 10, queryMs: 300, modelMs: 250, trainMs: 680, finishMs: 10 },
    backend: { name: 'cpu', notes: [] },
    workingSize: { width: 2, height: 2 },
    maskGrid: { width: 1, height: 1 },
    segments: 4,
    losses: [
      { step: 1, epoch: 1, total: 1, distillation: 0.5, l1: 0.4, kl: 0.1 },
      { step: 2, epoch: 1, total: 0.8, distillation: 0.4, l1: 0.3, kl: 0.1 },
    ],
    validation: [{ step: 2, epoch: 1, validation: 0.7, maskChange: 0.2 }],
    config: {},
    preset: 'fast',
    seed: 0,
    versions: {},
    ...overrides,
  };
}

export function runView(key: string): RunView {
  return {
    summary: summary(key),
    report: report(),
    display: { width: 2, height: 1, rgb: Uint8Array.from([10, 20, 30, 40, 50, 60]), saliency: Uint8Array.from([0, 255]) },
  };
}

export function active(imageName = 'a.png', queued = 0, overrides: Partial<ActiveRun> = {}): ActiveRun {
  return { id: 1, imageName, modelName: 'model', method: 'dax', phase: 'querying', queued, ...overrides };
}

export function snapshot(fields: Omit<PanelStateNotification, 'type' | 'history'> & { history?: RunSummary[] } = {}): PanelStateNotification {
  return { type: 'panel/didChangeState', history: [], ...fields };
}

export function progress(seq: number, value: RunProgress): PanelProgressNotification {
  return { type: 'panel/didProgress', seq, progress: value };
}

export function step(seq: number, stepNumber: number, losses: Record<string, number> = { total: 1 / stepNumber }, epoch = 1): PanelProgressNotification {
  return progress(seq, { type: 'step', step: stepNumber, epoch, epochs: 3, stepsPerEpoch: 10, losses });
}

export function comparisonRow(method: ComparisonRow['method'], overrides: Partial<ComparisonRow> = {}): ComparisonRow {
  return { method, queries: 500, totalMs: 1000, deletionAuc: 0.2, insertionAuc: 0.7, ...overrides };
}

export function comparison(rows: ComparisonRow[] = [comparisonRow('dax'), comparisonRow('rise'), comparisonRow('lime'), comparisonRow('occlusion')]): ComparisonReport {
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
export function comparisonDetail(methods: ComparisonDetail['methods'][number]['method'][] = ['dax', 'rise', 'lime', 'occlusion']): ComparisonDetail {
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
