// Every method on one input at the same query budget, each map measured the same way: the comparison behind
// `dax compare`, the panel's "Compare methods" and the benchmark.
import type { ComparisonReport, ComparisonRow } from '../shared/report';
import type { ImageClassifier } from './blackbox/classifier';
import type { ProgressListener } from './core/progress';
import { explainImage, type ImageExplanation } from './explainImage';
import type { DaxSettings } from './methods/dax/presets';
import { methodForBudget, type MethodName } from './methods/registry';
import type { FaithfulnessOptions } from './metrics/faithfulness';
import type { BackendPreference } from './tf/runtime';
import { methodTrains } from '../shared/methods';

export interface CompareImageRequest {
  imageFile: string;
  classifier: ImageClassifier;
  methods: readonly MethodName[];
  /** Black-box queries each method may make, the input itself included. */
  budget: number;
  /** DAX's settings (a preset); its perturbation is the baselines' too, so fills and segments match. */
  dax: DaxSettings;
  preset: string;
  seed: number;
  target?: number | string;
  groundTruthFile?: string;
  faithfulness: FaithfulnessOptions;
  maxPixels?: number;
  backend?: BackendPreference;
  signal?: AbortSignal;
  onProgress?: (method: MethodName, event: Parameters<ProgressListener>[0]) => void;
  /**
   * Called with each method's explanation as soon as it is ready (to write it out, or show it); returns the files
   * written, which the method's row names.
   */
  onExplained?: (
    method: MethodName,
    explanation: ImageExplanation,
  ) => Promise<{ report: string; saliency: string } | undefined>;
}

/** Runs the methods one after the other (they share the cores) and tabulates their metrics. */
export async function compareImage(request: CompareImageRequest): Promise<ComparisonReport> {
  const rows: ComparisonRow[] = [];
  let first: ImageExplanation | undefined;
  for (const method of request.methods) {
    const explanation = await explainImage({
      imageFile: request.imageFile,
      classifier: request.classifier,
      method: methodForBudget(method, request.budget, request.dax),
      preset: methodTrains(method) ? request.preset : 'custom',
      seed: request.seed,
      // Every method explains the class the first one settled on, even when the request said "top-1".
      target: first ? first.report.target.index : request.target,
      groundTruthFile: request.groundTruthFile,
      faithfulness: request.faithfulness,
      maxPixels: request.maxPixels,
      backend: request.backend,
      signal: request.signal,
      onProgress: request.onProgress && ((event) => request.onProgress!(method, event)),
    });
    first ??= explanation;
    const files = await request.onExplained?.(method, explanation);
    const { report } = explanation;
    rows.push({
      method,
      queries: report.queries,
      totalMs: report.timing.totalMs - report.timing.finishMs,
      deletionAuc: report.faithfulness!.deletionAuc,
      insertionAuc: report.faithfulness!.insertionAuc,
      iouAt02: report.groundTruth?.iouAt02,
      bestIou: report.groundTruth?.bestIou,
      pointingHit: report.groundTruth?.pointingHit,
      report: files?.report,
      saliency: files?.saliency,
    });
  }
  if (!first) throw new Error('no method to compare');
  const { report } = first;
  return {
    schema: 1,
    input: report.input,
    model: report.model,
    target: report.target,
    budget: request.budget,
    seed: request.seed,
    substrate: request.faithfulness.substrate,
    steps: request.faithfulness.steps,
    groundTruthFile: request.groundTruthFile,
    backend: report.backend.name,
    rows,
  };
}

/** The comparison as a Markdown table (what `dax compare` prints and writes next to the JSON). */
export function comparisonMarkdown(comparison: ComparisonReport): string {
  const hasTruth = comparison.rows.some((row) => row.bestIou !== undefined);
  const head = [
    'method',
    'queries',
    'time (s)',
    'deletion AUC ↓',
    'insertion AUC ↑',
    ...(hasTruth ? ['IoU@0.2 ↑', 'best IoU ↑', 'pointing'] : []),
  ];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const row of comparison.rows) {
    const cells = [
      row.method,
      String(row.queries),
      (row.totalMs / 1000).toFixed(1),
      row.deletionAuc.toFixed(3),
      row.insertionAuc.toFixed(3),
    ];
    if (hasTruth)
      cells.push(
        row.iouAt02?.toFixed(3) ?? '',
        row.bestIou?.toFixed(3) ?? '',
        row.pointingHit === undefined ? '' : row.pointingHit ? 'hit' : 'miss',
      );
    lines.push(`| ${cells.join(' | ')} |`);
  }
  const label =
    comparison.target.label !== undefined ? `"${comparison.target.label}"` : `class ${comparison.target.index}`;
  return (
    `${comparison.input.file}: ${label}, p = ${comparison.target.probability.toFixed(3)}; budget ${comparison.budget} queries per method, ` +
    `${comparison.substrate} substrate, ${comparison.steps} steps, seed ${comparison.seed}, ${comparison.backend}\n\n${lines.join('\n')}\n`
  );
}
