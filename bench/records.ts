// What one benchmark run writes per case (docs/benchmarks/*.json): enough to rebuild every table, and to compare
// two runs case by case (`npm run bench:diff`).

/** The scores of one method's map on one case at one budget and seed. */
export interface Metrics {
  /** Deletion/insertion AUC with a blurred substrate (images only). */
  deletionBlur?: number;
  insertionBlur?: number;
  /** With a zero substrate: black pixels, or silenced spectrogram cells for sounds. */
  deletionZero: number;
  insertionZero: number;
  /** Where a pixel mask exists: IoU of as many top pixels as the mask holds, best IoU over thresholds, IoU at 0.2, pointing (0/1). */
  topkIou?: number;
  bestIou?: number;
  iouAt02?: number;
  pointing?: number;
  /** Sounds: IoU of the map's top interval with the known interval. */
  timeIou?: number;
}

export interface CaseRecord {
  set: string;
  case: string;
  budget: number;
  seed: number;
  method: string;
  target: string;
  /** The target's probability on the unperturbed input. */
  probability: number;
  metrics: Metrics;
  queries: number;
  /** The explanation alone (not its deletion/insertion curves), and its parts. */
  wallMs: number;
  queryMs: number;
  modelMs: number;
  trainMs: number;
  trainingSteps: number;
  backend: string;
  /** Of the explanation's queries, how many the answer cache had (times of a cached run are not the model's). */
  cachedQueries: number;
  /** DAX with judging: the readout of its networks that the black box judged most faithful. */
  readout?: string;
}

/** How much the top of two seeds' maps agree (top-k pixels or cells, k as for top-k IoU, or 10 % without truth). */
export interface AgreementRecord {
  set: string;
  case: string;
  budget: number;
  method: string;
  seeds: [number, number];
  topIou: number;
}

export interface SkippedCase {
  set: string;
  case: string;
  reason: string;
}

export interface BenchRun {
  schema: 1;
  mode: 'full' | 'quick';
  date: string;
  machine: string;
  commit: string;
  /** DAX settings overridden for this run (DAX_BENCH_DAX), if any. */
  daxOverrides?: Record<string, unknown>;
  minutes: number;
  sets: {
    id: string;
    title: string;
    model: string;
    description: string;
    source: string;
    truth: string;
    runs: { budget: number; seeds: number[] }[];
    steps: number;
    cases: number;
  }[];
  records: CaseRecord[];
  agreements: AgreementRecord[];
  skipped: SkippedCase[];
}

/** Metric names with their direction: +1 when larger is better. */
export const METRICS: { key: keyof Metrics; label: string; better: 1 | -1 }[] = [
  { key: 'deletionBlur', label: 'deletion AUC, blur ↓', better: -1 },
  { key: 'deletionZero', label: 'deletion AUC, zero ↓', better: -1 },
  { key: 'insertionBlur', label: 'insertion AUC, blur ↑', better: 1 },
  { key: 'insertionZero', label: 'insertion AUC, zero ↑', better: 1 },
  { key: 'topkIou', label: 'top-k IoU ↑', better: 1 },
  { key: 'bestIou', label: 'best IoU ↑', better: 1 },
  { key: 'pointing', label: 'pointing ↑', better: 1 },
  { key: 'timeIou', label: 'time IoU ↑', better: 1 },
];
