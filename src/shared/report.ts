// The report of one explanation: written as <stem>.dax.json, sent by the worker, read by the panel. No imports.

/** A class and its probability. */
export interface ClassScore {
  index: number;
  label?: string;
  probability: number;
}

/**
 * One training step's losses: `step` and `epoch` locate it, `total` is what was minimised, and every other key is a
 * named term of that total as the method defines it (the pixel networks: distillation, l1, kl; the segment
 * networks: distillation alone). The panel's legend comes from these names.
 */
export interface LossRow {
  step: number;
  epoch: number;
  total: number;
  [term: string]: number;
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

/**
 * Deletion and insertion (Petsiuk et al. 2018): the target's probability as pixels are removed from the input in
 * saliency order (lower area = more faithful), or put back onto a substrate (higher area = more faithful).
 */
export interface FaithfulnessSummary {
  deletionAuc: number;
  insertionAuc: number;
  substrate: 'blur' | 'zero';
  steps: number;
  /** Black-box queries the two curves took (not part of the method's own budget). */
  queries: number;
  /** Share of pixels removed (deletion) or restored (insertion) at each point of the curves. */
  fractions: number[];
  deletionCurve: number[];
  insertionCurve: number[];
}

/** A time interval in seconds. */
export interface TimeInterval {
  start: number;
  end: number;
}

/** What an audio explanation found over time (the map itself lies over the spectrogram's cells). */
export interface AudioFindings {
  sampleRate: number;
  durationSeconds: number;
  /** The spectrogram the mask lies on: `rows` (FFT bins or mel bands, lowest first) x `frames`. */
  spectrogram: {
    rows: number;
    frames: number;
    scale: 'linear' | 'mel';
    fftSize: number;
    hop: number;
    lowHz: number;
    highHz: number;
  };
  /** Seconds between the points of `timeSaliency` (point t is the frame centred at t · frameSeconds). */
  frameSeconds: number;
  /** Saliency per frame: the mean over the rows of the map, stretched to [0, 1] over the clip. */
  timeSaliency: number[];
  /**
   * The most salient intervals, best first: the stretch of frames whose time saliency exceeds its mean by the
   * largest total (`mass`, in seconds × saliency), then the next on what is left. The first is "the" top interval.
   */
  intervals: (TimeInterval & { mass: number })[];
  /** Agreement of the top interval with a ground-truth interval. */
  groundTruth?: TimeInterval & { timeIou: number };
}

/** The explanation methods a report can come from. */
export type ReportMethod = 'dax' | 'rise' | 'lime' | 'occlusion';

/**
 * What a method that trains networks (DAX) did while training; a report has this section only then (the methods
 * registry's `trains`), so nothing here is zero-filled for the baselines.
 */
export interface TrainingSection {
  /** Optimisation steps taken and epochs (segment-space DAX: rounds) run. */
  steps: number;
  epochs: number;
  /** Whether training stopped before its last epoch because the mask settled. */
  stoppedEarly: boolean;
  /** Wall time of the training in milliseconds (part of `timing.totalMs`). */
  ms: number;
  losses: LossRow[];
  validation: ValidationRow[];
  /**
   * DAX's trust indicator: how well its student imitates the black box on perturbed copies it never trained on
   * (R² on the scale it imitated, Spearman's rank correlation). Low values mean the map says little.
   */
  fidelity?: { heldOut: number; r2: number; spearman: number };
  /**
   * DAX's readouts of its networks that the black box judged (a few deletion and insertion copies each), their
   * scores (mean target answer with the top kept alone minus with it removed), and the one the map is.
   */
  readout?: { candidates: string[]; scores: number[]; chosen: string };
}

/** The format version of an explanation report this code writes; src/shared/reportUpgrade.ts reads older ones. */
export const REPORT_SCHEMA = 2;

/** Everything a run did and found. */
export interface ExplanationReport {
  /** Format version of this report (1: the training's facts at the top level, zero-filled for the baselines). */
  schema: typeof REPORT_SCHEMA;
  method: ReportMethod;
  /**
   * For audio, `width` x `height` are the spectrogram's frames x rows (the map's size). `sha256`: of the input
   * file's bytes, recorded by `dax explain` (a batch skips an input whose report holds its current hash).
   */
  input: { file: string; width: number; height: number; sha256?: string };
  model: { name: string; kind: string; path: string; description: string };
  target: ClassScore;
  /** Top classes on the unperturbed input, best first (at most 5). */
  top: ClassScore[];
  queries: number;
  /** Wall times in milliseconds (the training's own: `training.ms`). */
  timing: { totalMs: number; loadMs: number; queryMs: number; modelMs: number; finishMs: number };
  backend: { name: string; notes: string[] };
  workingSize: { width: number; height: number };
  maskGrid: { width: number; height: number };
  segments: number;
  /** Methods that train (DAX) only. */
  training?: TrainingSection;
  /** The full configuration of the run (preset after overrides). */
  config: Record<string, unknown>;
  preset: string;
  seed: number;
  versions: Record<string, string>;
  groundTruth?: GroundTruthScores;
  faithfulness?: FaithfulnessSummary;
  /** Audio inputs only: the map over time, its top intervals, the time IoU. */
  audio?: AudioFindings;
  /**
   * Where the outputs were written, when they were. Images: the grey map and the overlay. Audio: the spectrogram
   * with the map over it (`saliency`), the grey map per cell (`mask`), and the sounds the map keeps and removes.
   */
  outputs?: { saliency: string; report: string; overlay?: string; mask?: string; kept?: string; removed?: string };
}

/** `dax eval`: the metrics of an existing saliency map. */
export interface EvaluationReport {
  schema: 1;
  input: { file: string; width: number; height: number };
  saliencyFile: string;
  model: { name: string; kind: string; path: string; description: string };
  target: ClassScore;
  groundTruth?: GroundTruthScores;
  faithfulness: FaithfulnessSummary;
  timing: { totalMs: number; modelMs: number };
}

/** One method's line in a comparison. */
export interface ComparisonRow {
  method: ReportMethod;
  queries: number;
  /** Wall time of the explanation itself (not of measuring it). */
  totalMs: number;
  deletionAuc: number;
  insertionAuc: number;
  iouAt02?: number;
  bestIou?: number;
  pointingHit?: boolean;
  /** The method's own report file, when written. */
  report?: string;
  /** The method's grey map (`<stem>.<method>.saliency.png`), when written: a ground truth given later is scored on it. */
  saliency?: string;
}

/** `dax compare`: every method on one input at the same query budget. */
export interface ComparisonReport {
  schema: 1;
  input: { file: string; width: number; height: number };
  model: { name: string; kind: string; path: string; description: string };
  target: ClassScore;
  budget: number;
  seed: number;
  substrate: 'blur' | 'zero';
  steps: number;
  /** The mask the rows' IoU and pointing game were scored against (given to the comparison, or after it). */
  groundTruthFile?: string;
  backend: string;
  rows: ComparisonRow[];
}
