// Occlusion (Zeiler & Fergus 2014, "Visualizing and Understanding Convolutional Networks" §4.2): slide a patch
// of the fill over the image; a pixel's saliency is how much the target's probability drops, on average, when
// a patch covers it. The simplest query-only baseline, deterministic, with the same fill and accounting as DAX.
import type { BlackBox } from '../blackbox/classifier';
import { DaxError } from '../core/errors';
import type { ProgressListener } from '../core/progress';
import type { PerturbationOptions, PerturbationSpace } from '../perturbation/scene';
import { runQueries } from './queryRunner';
import { methodInfo } from '../../shared/methods';
import { announceQuerying, baselineRun, type BaselineOutcome, type ExplanationMethod } from './contract';

/** Occlusion's knobs, in pixels of the scene's analysis image. */
export interface OcclusionSettings {
  /** Side of the square patch (cut to the image on an axis shorter than it). */
  window: number;
  stride: number;
  /** Height of the patch when it is not square: a sound's time segments cover every frequency. Default `window`. */
  windowHeight?: number;
  queryBatchSize: number;
}

/**
 * Occlusion's window and stride depend on the analysis image, which exists only once the scene is built: they
 * are derived there from the query budget unless given.
 */
export interface OcclusionSpec extends Partial<Pick<OcclusionSettings, 'window' | 'stride'>> {
  budget: number;
  queryBatchSize: number;
  perturbation: PerturbationOptions;
}

export const occlusionMethod: ExplanationMethod<OcclusionSpec> = {
  info: methodInfo('occlusion')!,
  forBudget: (budget, preset) => ({ budget, queryBatchSize: preset.queryBatchSize, perturbation: preset.perturbation }),
  async run(scene, blackBox, spec, context) {
    announceQuerying(this.info, context);
    // Deterministic: the context's rng is not used.
    return baselineRun(
      await runOcclusion(scene, blackBox, occlusionSettings(spec, scene), context.chooseTarget, context),
      scene,
    );
  },
};

function occlusionSettings(spec: OcclusionSpec, scene: PerturbationSpace): OcclusionSettings {
  const { width, height } = scene.analysis;
  const derived =
    scene.occlusion === 'time-segments'
      ? timeSegmentsForBudget(width, height, spec.budget)
      : occlusionForBudget(width, height, spec.budget);
  return {
    ...derived,
    window: spec.window ?? derived.window,
    stride: spec.stride ?? derived.stride,
    queryBatchSize: spec.queryBatchSize,
  };
}

/** Runs occlusion; the input itself is query 0 (to pick the target), then one query per window position. */
export async function runOcclusion(
  scene: PerturbationSpace,
  classifier: BlackBox,
  settings: OcclusionSettings,
  chooseTarget: (probabilities: Float32Array) => number,
  hooks: { signal?: AbortSignal; onProgress?: ProgressListener } = {},
): Promise<BaselineOutcome> {
  for (const key of ['window', 'stride'] as const) {
    const value = settings[key];
    if (!Number.isInteger(value) || value < 1)
      throw new DaxError('usage', `the occlusion ${key} must be a positive whole number of pixels, not ${value}.`);
  }
  const { width, height } = scene.analysis;
  const windowX = Math.min(width, settings.window);
  const windowY = Math.min(height, settings.windowHeight ?? settings.window);
  const xs = windowOrigins(width, windowX, settings.stride);
  const ys = windowOrigins(height, windowY, settings.stride);
  const windows = ys.flatMap((y) => xs.map((x) => ({ x, y })));
  // One mask, patched and restored around each blend: blend reads it synchronously, so no copy per query.
  const mask = new Float32Array(width * height).fill(1);
  const paint = (index: number, value: number): void => {
    const { x, y } = windows[index]!;
    for (let v = y; v < y + windowY; v++) mask.fill(value, v * width + x, v * width + x + windowX);
  };
  const { rows, stats } = await runQueries(
    classifier,
    windows.length + 1,
    (i, out) => {
      if (i === 0) return out.set(scene.model.original);
      paint(i - 1, 0);
      scene.blend(mask, out);
      paint(i - 1, 1);
    },
    {
      batchSize: settings.queryBatchSize,
      inputLength: scene.model.original.length,
      padding: scene.model.padding,
      signal: hooks.signal,
      onProgress: hooks.onProgress,
    },
  );
  const target = chooseTarget(rows[0]!);
  const base = rows[0]![target]!;
  const sum = new Float64Array(width * height);
  const covered = new Uint32Array(width * height);
  windows.forEach(({ x, y }, i) => {
    const drop = base - rows[i + 1]![target]!;
    for (let v = y; v < y + windowY; v++) {
      for (let p = v * width + x; p < v * width + x + windowX; p++) {
        sum[p]! += drop;
        covered[p]!++;
      }
    }
  });
  // A mean, not a sum: pixels near the edges are covered by fewer windows and would otherwise look less salient.
  const map = Float32Array.from(sum, (s, p) => (covered[p]! > 0 ? s / covered[p]! : 0));
  return { map, width, height, target, inputProbabilities: rows[0]!, query: stats };
}

/**
 * A window and the smallest stride whose windows, plus the input's own query, fit in `budget` queries, so
 * occlusion can be compared with other methods at an equal number of queries. The window is a fifth of the
 * shorter side (Zeiler & Fergus's patches are about that share of the object), at least 4 pixels; when the
 * budget forces a stride longer than the window, the window grows to the stride so no pixel is left uncovered.
 */
export function occlusionForBudget(width: number, height: number, budget: number): { window: number; stride: number } {
  if (!(budget >= 2))
    throw new RangeError(`occlusion needs a budget of at least 2 queries (the input and one window), not ${budget}.`);
  const preferred = Math.min(Math.max(width, height), Math.max(4, Math.round(Math.min(width, height) / 5)));
  // The count only falls as the stride grows (the window growing with it included), so the first fit is the smallest.
  for (let stride = 1; ; stride++) {
    const window = Math.max(preferred, stride);
    if (windowCount(width, height, window, stride) + 1 <= budget) return { window, stride };
  }
}

/**
 * Occlusion of a sound as it is usually done: full-band time segments (all rows of the spectrogram) a fifteenth
 * of the clip long (0.2 s of a 3-second clip, about a syllable), at the smallest stride the budget allows.
 */
export function timeSegmentsForBudget(
  frames: number,
  rows: number,
  budget: number,
): { window: number; windowHeight: number; stride: number } {
  if (!(budget >= 2))
    throw new RangeError(`occlusion needs a budget of at least 2 queries (the input and one window), not ${budget}.`);
  const preferred = Math.min(frames, Math.max(2, Math.round(frames / 15)));
  for (let stride = 1; ; stride++) {
    const window = Math.max(preferred, stride);
    if (windowOrigins(frames, Math.min(frames, window), stride).length + 1 <= budget)
      return { window, windowHeight: rows, stride };
  }
}

/** Number of windows {@link runOcclusion} queries for these settings. */
export function windowCount(width: number, height: number, window: number, stride: number): number {
  return (
    windowOrigins(width, Math.min(width, window), stride).length *
    windowOrigins(height, Math.min(height, window), stride).length
  );
}

/** Window starts along one axis: every `stride`, plus one flush with the far edge so the edge is covered too. */
function windowOrigins(size: number, window: number, stride: number): number[] {
  const last = size - window;
  const origins: number[] = [];
  for (let o = 0; o < last; o += stride) origins.push(o);
  origins.push(last);
  return origins;
}
