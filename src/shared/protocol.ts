// The messages between the extension host, the worker process and the panel. One file, so that each side
// changes in step with the others; imports nothing but the report's and the progress's value types.
import type { ProgressEvent } from './progress';
import type { ComparisonReport, ExplanationReport, GroundTruthScores, TimeInterval } from './report';

// ---------------------------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------------------------

/** Progress of a run, as the engine (and the worker) report it. */
export type RunProgress = ProgressEvent;

/** Why a run failed, in the engine's terms (see engine/core/errors.ts). */
export interface RunError {
  kind: 'usage' | 'input' | 'model' | 'explain' | 'cancelled' | 'crashed';
  message: string;
}

/** What the host asks the worker to explain. Paths are absolute; the model is a description object or a file. */
export interface ExplainJob {
  /** The input: an image, or an audio file (when the model is an audio model). */
  inputFile: string;
  /** A model description as in the `dax.models` setting (relative paths resolved against `modelBaseDir`), or the path of a description / model file. */
  model: Record<string, unknown> | string;
  modelBaseDir: string;
  method: 'dax' | 'rise' | 'lime' | 'occlusion';
  preset: 'fast' | 'balanced' | 'thorough';
  /** Overrides of the preset; absent keys keep the preset's value. */
  samples?: number;
  epochs?: number;
  lambda1?: number;
  lambda2?: number;
  seed: number;
  /** Class index or label; absent = top-1. */
  target?: number | string;
  backend: 'auto' | 'tensorflow' | 'wasm' | 'cpu';
  /** Where the worker writes `<stem>.saliency.png`, `.overlay.png`, `.dax.json`. */
  outDir: string;
  /** Also measure deletion/insertion AUC. */
  faithfulness?: boolean;
}

/** A finished explanation: the report (with `outputs` written in the job's `outDir`) and what the panel draws. */
export interface ExplainResult {
  report: ExplanationReport;
  display: DisplayPixels;
}

// ---------------------------------------------------------------------------------------------------------------
// Host ⇄ worker (child process, `serialization: 'advanced'`)
// ---------------------------------------------------------------------------------------------------------------

/** Host → worker: explain one image. Answered by exactly one `run/response` with the same id. */
export interface ExplainRequest {
  type: 'run/explainRequest';
  id: number;
  job: ExplainJob;
  /** Deadline of one call into the model, in ms (the `dax.modelTimeoutSeconds` setting); absent: the engine's default. */
  modelTimeoutMs?: number;
}

/** Host → worker: stop run `id` as soon as possible; its response then carries a `cancelled` error. */
export interface CancelCommand {
  type: 'run/cancelCommand';
  id: number;
}

/** Host → worker: every method on one image at the same query budget, measured alike (`dax compare`). */
export interface CompareRequest {
  type: 'run/compareRequest';
  id: number;
  job: ExplainJob;
  /** Queries per method, the input included. */
  budget: number;
  /** As in ExplainRequest. */
  modelTimeoutMs?: number;
}

/**
 * Host → worker: read a model file's image input (Select Model asks only for the sizes it leaves open). Answered by
 * one `run/response` with the same id: an inspection or an error.
 */
export interface InspectModelRequest {
  type: 'model/inspectRequest';
  id: number;
  model: ExplainJob['model'];
  modelBaseDir: string;
}

/** What a model file fixes about its image input, and which sizes a description must give. */
export interface ModelInspection {
  kind: 'onnx' | 'tfjs' | 'module' | 'kserve';
  inputName: string | undefined;
  /** As the runtime reports it: sizes, or names (−1 for TF.js) where dynamic; undefined for a predict module. */
  shape: (number | string)[] | undefined;
  layout?: 'NCHW' | 'NHWC';
  height?: number;
  width?: number;
  channels?: number;
  /** The sizes the file leaves open, which `input.height` / `input.width` must then give. */
  open: ('height' | 'width')[];
}

/**
 * Host → worker: score a result's saved map against a ground-truth mask image (the panel's Ground Truth…).
 * Answered by one `run/response` with the same id: the scores or an error.
 */
export interface ScoreMaskRequest {
  type: 'truth/scoreRequest';
  id: number;
  /** The result's grey map (its report's `outputs.saliency`). */
  saliencyFile: string;
  maskFile: string;
}

/**
 * Host → worker: score every method's saved map of a comparison against a ground-truth mask image (the comparison's
 * Ground truth…); nothing runs again and the black box is not asked. Answered by one `run/response` with the same id:
 * the comparison with its IoU columns filled, or an error.
 */
export interface ScoreComparisonRequest {
  type: 'truth/scoreComparisonRequest';
  id: number;
  /** The comparison as the host holds it: each row names its map (`saliency`). */
  comparison: ComparisonReport;
  maskFile: string;
}

export type HostToWorker =
  ExplainRequest | CompareRequest | InspectModelRequest | ScoreMaskRequest | ScoreComparisonRequest | CancelCommand;

/** Worker → host: the worker is up (sent once, before any response). */
export interface WorkerReadyNotification {
  type: 'worker/didStart';
  versions: Record<string, string>;
}

/** Worker → host: progress of run `id`; `seq` increases per run; throttled at the source. */
export interface RunProgressNotification {
  type: 'run/didProgress';
  id: number;
  seq: number;
  progress: RunProgress;
}

/** What the panel draws for a comparison: each method's map over the same input, and its faithfulness curves. */
export interface ComparisonDetail {
  /** The input at display size (as in DisplayPixels). */
  width: number;
  height: number;
  rgb: Uint8Array;
  methods: {
    method: ExplainJob['method'];
    /** The method's saliency, 0..255, display size. */
    saliency: Uint8Array;
    /** Share of pixels removed (deletion) or restored (insertion) at each point. */
    fractions: number[];
    deletionCurve: number[];
    insertionCurve: number[];
  }[];
}

/** A finished comparison: the table and what the panel draws. */
export interface ComparisonResult {
  report: ComparisonReport;
  detail: ComparisonDetail;
}

/**
 * Worker → host: the outcome of request `id`, always sent: exactly one of a result, a comparison, an inspection,
 * scores, a scored comparison or an error.
 */
export type RunResponse = { type: 'run/response'; id: number } & (
  | { outcome: 'result'; result: ExplainResult }
  | { outcome: 'comparison'; comparison: ComparisonResult }
  | { outcome: 'inspection'; inspection: ModelInspection }
  | { outcome: 'groundTruth'; groundTruth: GroundTruthScores }
  | { outcome: 'scoredComparison'; comparison: ComparisonReport }
  | { outcome: 'error'; error: RunError }
);

export type WorkerToHost = WorkerReadyNotification | RunProgressNotification | RunResponse;

// ---------------------------------------------------------------------------------------------------------------
// Host ⇄ panel (webview)
// ---------------------------------------------------------------------------------------------------------------

/** One entry of the panel's history. */
export interface RunSummary {
  /** Stable key of the result (hash of input content, model and configuration). */
  key: string;
  inputName: string;
  modelName: string;
  method: ExplainJob['method'];
  targetLabel: string;
  probability: number;
  /** Epoch milliseconds. */
  finishedAt: number;
  cached: boolean;
}

/**
 * The pixels the panel draws, at display size (the input scaled to at most 1024 pixels on its longer side).
 * Sent as typed arrays: a canvas fed from webview resource URIs would be tainted and unreadable.
 */
export interface DisplayPixels {
  width: number;
  height: number;
  /** The input, RGB, 8 bits per channel, row-major. */
  rgb: Uint8Array;
  /** The saliency, 0..255, row-major, same size. */
  saliency: Uint8Array;
  /**
   * Audio inputs: `rgb` is then the spectrogram (high frequencies at the top, time to the right) and `saliency`
   * the map over it; these are the sounds and the curve that go with them.
   */
  audio?: DisplayAudio;
}

/** What the panel plays and plots for an audio result. */
export interface DisplayAudio {
  sampleRate: number;
  /** Mono samples at `sampleRate`, in [-1, 1]: the input, what the mask keeps (input × M), what it removes (× (1 − M)). */
  original: Float32Array;
  kept: Float32Array;
  removed: Float32Array;
  durationSeconds: number;
  /** The time saliency (see AudioFindings), one point per `frameSeconds`. */
  timeSaliency: Float32Array;
  frameSeconds: number;
  /** Most salient intervals, best first. */
  intervals: TimeInterval[];
  /** Ground-truth interval, when one was given. */
  truth?: TimeInterval;
  /** Frequency axis of the spectrogram picture: bottom and top in Hz, and whether rows are mel-spaced. */
  lowHz: number;
  highHz: number;
  scale: 'linear' | 'mel';
}

/** What the panel shows for one result. */
export interface RunView {
  summary: RunSummary;
  report: ExplanationReport;
  display: DisplayPixels;
}

/** A run in progress, for the live view (losses arrive as `panel/didProgress`). */
export interface ActiveRun {
  /** Unique per run in this window: progress and snapshots with the same id belong to the same run. */
  id: number;
  inputName: string;
  modelName: string;
  method: ExplainJob['method'];
  phase: string;
  queued: number;
  /**
   * How the step losses' terms enter the total (`total = Σ weight × term`; null: a weight that varies or is known
   * only at the end, so its term is the total minus the others). The live chart draws the terms that count, weighted.
   */
  lossWeights?: Record<string, number | null>;
  /** Compare Methods: which of the methods is running ("2/4 RISE"). */
  comparing?: { index: number; count: number; method: ExplainJob['method'] };
}

/** Where one file of a folder batch stands: waiting, running, explained, taken from the cache, failed or cancelled. */
export type FolderRowStatus = 'pending' | 'running' | 'ok' | 'cached' | 'failed' | 'cancelled';

/** One file of a folder batch. */
export interface FolderRow {
  /** The file's path below the folder, with `/` between folders (the file name for a top-level file). */
  file: string;
  /** The key of its result (status ok or cached): `panel/selectRunCommand` with it opens the result. */
  key?: string;
  status: FolderRowStatus;
  /** The explained class's label (or "class 3"), probability and the queries made, when there is a result. */
  classLabel?: string;
  probability?: number;
  queries?: number;
  /** The explanation's time in seconds (for a cached result, the time it took when it was made). */
  seconds?: number;
  /** Why it failed (status failed). */
  error?: string;
}

/** A folder explained file by file (**Explain Folder with DAX**): one row per file, in the order they run. */
export interface FolderSummary {
  /** Unique per batch in this window. */
  id: number;
  /** The folder's name, and its path. */
  folder: string;
  folderPath: string;
  rows: FolderRow[];
  /** Files finished (explained, cached, failed or cancelled) and files in the batch. */
  done: number;
  total: number;
  /** Running, finished, or stopped by Cancel (then the rows not run are `cancelled`). */
  state: 'running' | 'done' | 'cancelled';
}

/** Host → panel: everything the panel shows (sent on `panel/ready` and after each change; never a delta). */
export interface PanelStateNotification {
  type: 'panel/didChangeState';
  history: RunSummary[];
  current?: RunView;
  active?: ActiveRun;
  /** Last error, shown until it is dismissed, the next run starts or a result is shown. */
  error?: RunError & { file?: string };
  comparison?: ComparisonReport;
  /** The maps and curves of `comparison`, when the panel should draw them. */
  comparisonDetail?: ComparisonDetail;
  /** The last (or running) folder batch. */
  folder?: FolderSummary;
  /**
   * Pixels left out because this panel got them in an earlier snapshot and they have not changed: `display`, the
   * current result's (`current.display` is then absent), and `comparisonDetail`. A panel that lacks them asks for a
   * whole snapshot (`panel/readyCommand`).
   */
  omitted?: { display?: boolean; comparisonDetail?: boolean };
}

/** Host → panel: live progress of the active run (loss points for the chart). */
export interface PanelProgressNotification {
  type: 'panel/didProgress';
  seq: number;
  progress: RunProgress;
  /** When the host received it (ms since the epoch): the panel's estimate of the time left comes from these. */
  at: number;
}

export type HostToPanel = PanelStateNotification | PanelProgressNotification;

/** Panel → host: the panel (re)loaded and wants a complete state. */
export interface PanelReadyCommand {
  type: 'panel/readyCommand';
}

/** Panel → host: explain another class of the current result's input. */
export interface ExplainClassCommand {
  type: 'panel/explainClassCommand';
  key: string;
  classIndex: number;
}

/** Panel → host: show a result from the history. */
export interface SelectRunCommand {
  type: 'panel/selectRunCommand';
  key: string;
}

/** Panel → host: run the current result again, ignoring the cache. */
export interface RerunCommand {
  type: 'panel/rerunCommand';
  key: string;
}

/** Panel → host: save a file of the current result (one its report's `outputs` names). */
export interface ExportCommand {
  type: 'panel/exportCommand';
  key: string;
  what: keyof NonNullable<ExplanationReport['outputs']>;
}

/**
 * Panel → host: save the map as the panel shows it (its view, colormap, opacity, threshold and clipping), at display
 * size, as a PNG the panel drew: base64, without the `data:` prefix.
 */
export interface ExportViewCommand {
  type: 'panel/exportViewCommand';
  key: string;
  png: string;
  /** How it was drawn, for the message, e.g. "overlay · viridis · 60 % · top 10 %". */
  shown: string;
}

/** Panel → host: save the folder summary's table as CSV (the host's summary: the panel's may be older). */
export interface ExportFolderCommand {
  type: 'panel/exportFolderCommand';
}

/** Panel → host: score result `key` against a ground truth the user is asked for (a mask image; an interval). */
export interface GroundTruthCommand {
  type: 'panel/groundTruthCommand';
  key: string;
}

/**
 * Panel → host: score the comparison the panel shows against a ground-truth mask the user is asked for (images only:
 * Compare Methods takes no sounds). The host holds one comparison, so the message names none.
 */
export interface ComparisonGroundTruthCommand {
  type: 'panel/comparisonGroundTruthCommand';
}

/** Panel → host: cancel the active run. */
export interface CancelRunCommand {
  type: 'panel/cancelCommand';
}

/** Panel → host: the user dismissed the error banner (the host forgets the error; a later result clears it too). */
export interface DismissErrorCommand {
  type: 'panel/dismissErrorCommand';
}

/** Panel → host: run one of the extension's commands from the panel's welcome view (only these). */
export interface RunCommandCommand {
  type: 'panel/runCommandCommand';
  command:
    'dax.selectModel' | 'dax.explainActiveFile' | 'dax.compareMethods' | 'dax.explainFolder' | 'dax.openWalkthrough';
}

export type PanelToHost =
  | PanelReadyCommand
  | ExplainClassCommand
  | SelectRunCommand
  | RerunCommand
  | ExportCommand
  | ExportViewCommand
  | ExportFolderCommand
  | GroundTruthCommand
  | ComparisonGroundTruthCommand
  | CancelRunCommand
  | DismissErrorCommand
  | RunCommandCommand;
