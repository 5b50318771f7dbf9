// LIME for images (Ribeiro, Singh & Guestrin 2016, "Why Should I Trust You?"): a weighted ridge regression of
// the target probability on which superpixels were kept; the coefficients are the saliency. Same patterns,
// fill and kernel as DAX, so the two differ only in what they learn from the answers.
import type { BlackBox } from '../blackbox/classifier';
import type { ProgressListener } from '../core/progress';
import type { Rng } from '../core/rng';
import { samplePatterns } from '../perturbation/sampler';
import type { PerturbationOptions, PerturbationSpace } from '../perturbation/scene';
import { solveLinearSystem } from '../core/linearSystem';
import { queryPatterns } from './queryRunner';
import { methodInfo } from '../../shared/methods';
import { announceQuerying, baselineRun, type BaselineOutcome, type ExplanationMethod } from './contract';

/** LIME's knobs. */
export interface LimeSettings {
  samples: number;
  keepProbability: number;
  /** Ridge penalty (LIME's default is 1). */
  alpha: number;
  queryBatchSize: number;
}

export type LimeSpec = LimeSettings & { perturbation: PerturbationOptions };

export const limeMethod: ExplanationMethod<LimeSpec> = {
  info: methodInfo('lime')!,
  forBudget: (budget, preset) => ({
    samples: budget,
    keepProbability: 0.5,
    alpha: 1,
    queryBatchSize: preset.queryBatchSize,
    perturbation: preset.perturbation,
  }),
  async run(scene, blackBox, settings, context) {
    announceQuerying(this.info, context);
    return baselineRun(await runLime(scene, blackBox, settings, context.rng, context.chooseTarget, context), scene);
  },
};

/** Runs LIME over the scene's segments; the map is on the analysis image. */
export async function runLime(
  scene: PerturbationSpace,
  classifier: BlackBox,
  settings: LimeSettings,
  rng: Rng,
  chooseTarget: (probabilities: Float32Array) => number,
  hooks: { signal?: AbortSignal; onProgress?: ProgressListener } = {},
): Promise<BaselineOutcome> {
  const samples = samplePatterns(
    settings.samples,
    scene.segmentation.count,
    settings.keepProbability,
    rng.fork('patterns'),
  );
  const { rows, stats } = await queryPatterns(scene, classifier, samples, {
    batchSize: settings.queryBatchSize,
    signal: hooks.signal,
    onProgress: hooks.onProgress,
  });
  const target = chooseTarget(rows[0]!);
  const k = samples.segments;
  const d = k + 1;
  // Normal equations (XᵀWX + αI) β = XᵀWy, with an unpenalised intercept in the last column.
  const a = new Float64Array(d * d);
  const b = new Float64Array(d);
  const x = new Float64Array(d);
  for (let n = 0; n < samples.count; n++) {
    for (let j = 0; j < k; j++) x[j] = samples.keep[n * k + j]!;
    x[k] = 1;
    const w = samples.weights[n]!;
    const y = rows[n]![target]!;
    for (let i = 0; i < d; i++) {
      if (x[i] === 0) continue;
      b[i]! += w * x[i]! * y;
      for (let j = 0; j < d; j++) a[i * d + j]! += w * x[i]! * x[j]!;
    }
  }
  for (let i = 0; i < k; i++) a[i * d + i]! += settings.alpha;
  const beta = solveLinearSystem(a, b, d);
  const { labels, width, height } = scene.segmentation;
  const map = Float32Array.from(labels, (label) => beta[label]!);
  return { map, width, height, target, inputProbabilities: rows[0]!, query: stats };
}
