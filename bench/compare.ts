// The benchmark's method comparison: every method on a set of real cases with ground truth, measured alike
// (deletion and insertion AUC through the black box, IoU, pointing game, queries, time), as Markdown tables.
import type { ImageClassifier } from '../src/engine/blackbox/classifier';
import { compareImage } from '../src/engine/compareImage';
import { decodeImage, decodeMask } from '../src/engine/io/image';
import { PRESETS } from '../src/engine/methods/dax/presets';
import type { MethodName } from '../src/engine/methods/method';
import { iouOfTopFraction } from '../src/engine/metrics/groundTruth';

/** One input with its ground-truth mask and the class to explain (default: top-1). */
export interface BenchCase {
  file: string;
  maskFile: string;
  target?: string;
}

/** A group of methods run at one budget; `suffix` tells its rows apart (e.g. RISE at 4000 masks). */
export interface BenchRun {
  suffix: string;
  methods: readonly MethodName[];
  budget: number;
}

interface Row {
  deletion: number[];
  insertion: number[];
  topk: number[];
  at02: number[];
  best: number[];
  pointing: number[];
  ms: number[];
  queries: number[];
}

const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);

/** Runs every case x seed x run and returns the table rows keyed by method name (+ suffix), DAX first. */
export async function compareOnCases(
  classifier: ImageClassifier,
  cases: readonly BenchCase[],
  seeds: readonly number[],
  runs: readonly BenchRun[],
  faithfulness: { steps: number; substrate: 'blur' | 'zero'; queryBatchSize: number },
  log: (line: string) => void = () => undefined,
): Promise<Map<string, Row>> {
  const rows = new Map<string, Row>();
  for (const seed of seeds) {
    for (const testCase of cases) {
      const image = await decodeImage(testCase.file);
      const mask = await decodeMask(testCase.maskFile, image.width, image.height);
      const share = mask.reduce((a, b) => a + b, 0) / mask.length;
      for (const run of runs) {
        const topk = new Map<string, number>();
        const comparison = await compareImage({
          imageFile: testCase.file,
          classifier,
          methods: run.methods,
          budget: run.budget,
          dax: PRESETS.balanced,
          preset: 'balanced',
          seed,
          target: testCase.target,
          groundTruthFile: testCase.maskFile,
          faithfulness,
          onExplained: async (method, explanation) => {
            topk.set(method, iouOfTopFraction(explanation.saliency, mask, share));
            return undefined;
          },
        });
        for (const result of comparison.rows) {
          const name = `${result.method}${run.suffix}`;
          const row = rows.get(name) ?? { deletion: [], insertion: [], topk: [], at02: [], best: [], pointing: [], ms: [], queries: [] };
          row.deletion.push(result.deletionAuc);
          row.insertion.push(result.insertionAuc);
          row.topk.push(topk.get(result.method)!);
          row.at02.push(result.iouAt02!);
          row.best.push(result.bestIou!);
          row.pointing.push(result.pointingHit ? 1 : 0);
          row.ms.push(result.totalMs);
          row.queries.push(result.queries);
          rows.set(name, row);
          log(`  ${testCase.file.split('/').pop()}${testCase.target ? ` (${testCase.target})` : ''} seed ${seed} ${name}: deletion ${result.deletionAuc.toFixed(3)}, insertion ${result.insertionAuc.toFixed(3)}, top-k IoU ${topk.get(result.method)!.toFixed(3)}, ${(result.totalMs / 1000).toFixed(1)} s`);
        }
      }
    }
  }
  return rows;
}

/** The means table and the DAX / baseline ratios, as Markdown. */
export function tabulate(rows: Map<string, Row>, title: string, about: string): string {
  const lines = [
    `## ${title}`,
    '',
    about,
    '',
    '| method | queries | deletion AUC ↓ | insertion AUC ↑ | top-k IoU ↑ | IoU@0.2 ↑ | best IoU ↑ | pointing ↑ | s per explanation |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const [name, row] of rows) {
    lines.push(
      `| ${name} | ${Math.round(mean(row.queries))} | ${mean(row.deletion).toFixed(3)} | ${mean(row.insertion).toFixed(3)} | ${mean(row.topk).toFixed(3)} | ${mean(row.at02).toFixed(3)} | ${mean(row.best).toFixed(3)} | ${mean(row.pointing).toFixed(2)} | ${(mean(row.ms) / 1000).toFixed(2)} |`,
    );
  }
  const dax = rows.get('dax');
  if (dax) {
    lines.push('', 'DAX / baseline (deletion and time: below 1 favours DAX; the others: above 1 favours DAX):', '');
    lines.push('| baseline | deletion AUC | insertion AUC | top-k IoU | best IoU | pointing | time |', '|---|---|---|---|---|---|---|');
    const ratio = (a: number[], b: number[]): string => (mean(b) === 0 ? '–' : (mean(a) / mean(b)).toFixed(2));
    for (const [name, row] of rows) {
      if (name === 'dax') continue;
      lines.push(`| ${name} | ${ratio(dax.deletion, row.deletion)} | ${ratio(dax.insertion, row.insertion)} | ${ratio(dax.topk, row.topk)} | ${ratio(dax.best, row.best)} | ${ratio(dax.pointing, row.pointing)} | ${ratio(dax.ms, row.ms)} |`);
    }
  }
  return lines.join('\n') + '\n';
}
