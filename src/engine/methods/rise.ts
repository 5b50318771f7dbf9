// RISE (Petsiuk, Das & Saenko 2018, "RISE: Randomized Input Sampling for Explanation of Black-box Models"):
// saliency = E[f(x ⊙ M) · M] / p over smooth random masks. A baseline that shares DAX's queries and accounting.
import type { BlackBox } from '../blackbox/classifier';
import type { ProgressListener } from '../core/progress';
import type { Rng } from '../core/rng';
import type { PerturbationOptions, PerturbationSpace } from '../perturbation/scene';
import { methodInfo } from '../../shared/methods';
import { announceQuerying, baselineRun, type BaselineOutcome, type ExplanationMethod } from './contract';
import { runQueries } from './queryRunner';

/** RISE's knobs. */
export interface RiseSettings {
  masks: number;
  /** Cells per side of the random binary grid before upsampling. */
  grid: number;
  keepProbability: number;
  queryBatchSize: number;
}

/** Runs RISE; the input itself is query 0 (to pick the target), then `masks` masked copies. */
export async function runRise(
  scene: PerturbationSpace,
  classifier: BlackBox,
  settings: RiseSettings,
  rng: Rng,
  chooseTarget: (probabilities: Float32Array) => number,
  hooks: { signal?: AbortSignal; onProgress?: ProgressListener } = {},
): Promise<BaselineOutcome> {
  const { width, height } = scene.analysis;
  const masks = Array.from({ length: settings.masks }, () =>
    smoothMask(width, height, settings.grid, settings.keepProbability, rng),
  );
  const { rows, stats } = await runQueries(
    classifier,
    settings.masks + 1,
    (i, out) => (i === 0 ? out.set(scene.model.original) : scene.blend(masks[i - 1]!, out)),
    {
      batchSize: settings.queryBatchSize,
      inputLength: scene.model.original.length,
      padding: scene.model.padding,
      signal: hooks.signal,
      onProgress: hooks.onProgress,
    },
  );
  const target = chooseTarget(rows[0]!);
  const map = new Float32Array(width * height);
  masks.forEach((mask, i) => {
    const score = rows[i + 1]![target]!;
    for (let p = 0; p < map.length; p++) map[p]! += score * mask[p]!;
  });
  for (let p = 0; p < map.length; p++) map[p]! /= settings.masks * settings.keepProbability;
  return { map, width, height, target, inputProbabilities: rows[0]!, query: stats };
}

export type RiseSpec = RiseSettings & { perturbation: PerturbationOptions };

export const riseMethod: ExplanationMethod<RiseSpec> = {
  info: methodInfo('rise')!,
  // RISE's paper: a 7x7 grid and p = 0.5 for ImageNet-sized inputs; the input itself is one query of the budget.
  forBudget: (budget, preset) => ({
    masks: Math.max(1, budget - 1),
    grid: 7,
    keepProbability: 0.5,
    queryBatchSize: preset.queryBatchSize,
    perturbation: preset.perturbation,
  }),
  async run(scene, blackBox, settings, context) {
    announceQuerying(this.info, context);
    return baselineRun(await runRise(scene, blackBox, settings, context.rng, context.chooseTarget, context), scene);
  },
};

/** A binary grid, upsampled bilinearly to one cell larger than the image and shifted at random (RISE §3.2). */
function smoothMask(width: number, height: number, grid: number, keep: number, rng: Rng): Float32Array {
  const cells = new Float32Array((grid + 1) * (grid + 1));
  for (let i = 0; i < cells.length; i++) cells[i] = rng.next() < keep ? 1 : 0;
  const cellW = width / grid;
  const cellH = height / grid;
  const shiftX = rng.next() * cellW;
  const shiftY = rng.next() * cellH;
  const mask = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const gy = (y + shiftY) / cellH;
    const y0 = Math.min(grid - 1, Math.floor(gy));
    const fy = gy - y0;
    for (let x = 0; x < width; x++) {
      const gx = (x + shiftX) / cellW;
      const x0 = Math.min(grid - 1, Math.floor(gx));
      const fx = gx - x0;
      const a = cells[y0 * (grid + 1) + x0]!;
      const b = cells[y0 * (grid + 1) + x0 + 1]!;
      const c = cells[(y0 + 1) * (grid + 1) + x0]!;
      const d = cells[(y0 + 1) * (grid + 1) + x0 + 1]!;
      mask[y * width + x] = (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy;
    }
  }
  return mask;
}
