// The report of one explanation: written as <stem>.dax.json, sent by the worker, read by the panel. No imports.

/** A class and its probability. */
export interface ClassScore {
  index: number;
  label?: string;
  probability: number;
}

/** One training step's losses; `step` and `epoch` locate it, the other keys are named loss terms. */
export interface LossRow {
  step: number;
  epoch: number;
  total: number;
  distillation: number;
  l1: number;
  kl: number;
}

/** Validation loss at the end of an epoch, with how much the input's mask moved during that epoch. */
export interface ValidationRow {
  step: number;
  epoch: number;
  validation: number;
  maskChange: number;
}

/** Agreement of the saliency with a ground-truth mask. */
export interface GroundTruthScores {
  file: string;
  /** IoU of (saliency > 0.2) with the mask, as the DAX paper's code measures it. */
  iouAt02: number;
  /** Best IoU over thresholds 0.05, 0.10, … 0.95, and the threshold that reached it. */
  bestIou: number;
  bestThreshold: number;
  /** Whether the most salient pixel lies inside the mask (the pointing game). */
  pointingHit: boolean;
}

/** Everything a run did and found. */
export interface ExplanationReport {
  /** Format version of this report. */
  schema: 1;
  method: 'dax';
  input: { file: string; width: number; height: number };
  model: { name: string; kind: string; path: string; description: string };
  target: ClassScore;
  /** Top classes on the unperturbed input, best first (at most 5). */
  top: ClassScore[];
  queries: number;
  trainingSteps: number;
  epochs: number;
  stoppedEarly: boolean;
  /** Wall times in milliseconds. */
  timing: { totalMs: number; loadMs: number; queryMs: number; modelMs: number; trainMs: number; finishMs: number };
  backend: { name: string; notes: string[] };
  workingSize: { width: number; height: number };
  maskGrid: { width: number; height: number };
  segments: number;
  losses: LossRow[];
  validation: ValidationRow[];
  /** The full configuration of the run (preset after overrides). */
  config: Record<string, unknown>;
  preset: string;
  seed: number;
  versions: Record<string, string>;
  groundTruth?: GroundTruthScores;
  /** Where the outputs were written, when they were. */
  outputs?: { saliency: string; overlay: string; report: string };
}
