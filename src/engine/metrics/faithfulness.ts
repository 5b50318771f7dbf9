// Deletion and insertion (Petsiuk, Das & Saenko 2018, RISE §4.1): a map is faithful when taking away its most
// salient pixels first makes the black box lose the target quickly, and putting them back first restores it
// quickly. Measured through the black box on the classifier's canvas, so no ground truth is needed.
import type { BlackBox, ImageClassifier } from '../blackbox/classifier';
import { DaxError } from '../core/errors';
import type { ProgressListener } from '../core/progress';
import { canvasToSource } from '../io/geometry';
import { runQueries } from '../methods/queryRunner';
import type { PerturbationSpace, Scene } from '../perturbation/scene';
import { substrateCanvas } from '../perturbation/substrate';

/** Options of {@link measureFaithfulness}. */
export interface FaithfulnessOptions {
  /** Points per curve minus one: step k removes (or restores) the top k/steps share of pixels; 32 by default. */
  steps: number;
  /** What removed pixels show: a strongly blurred copy of the image, or black. */
  substrate: 'blur' | 'zero';
  queryBatchSize: number;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

/** Both curves (target probability per step) and their areas; lower deletion and higher insertion are better. */
export interface FaithfulnessScores {
  deletionAuc: number;
  insertionAuc: number;
  deletionCurve: number[];
  insertionCurve: number[];
  /** Share of the canvas's image pixels removed (deletion) or restored (insertion) at each point: k/steps. */
  fractions: number[];
  substrate: 'blur' | 'zero';
  steps: number;
  queries: number;
}

/** Default steps: RISE's own evaluation takes 224 steps on 224² inputs; 32 keep the cost at 66 queries. */
export const DEFAULT_FAITHFULNESS_STEPS = 32;

/**
 * Deletion and insertion curves of `saliency` (at `scene.image`'s resolution, row-major, any range; larger is
 * more salient) for class `target`. Makes 2·(steps + 1) queries: deletion steps 0..steps, then insertion.
 */
export async function measureFaithfulness(
  scene: Scene,
  classifier: ImageClassifier,
  saliency: Float32Array,
  target: number,
  options: FaithfulnessOptions,
): Promise<FaithfulnessScores> {
  const { steps, substrate: substrateKind } = options;
  const { image, model, placement } = scene;
  if (saliency.length !== image.width * image.height) {
    throw new DaxError(
      'usage',
      `the saliency map has ${saliency.length} values; the image has ${image.width}x${image.height} pixels.`,
    );
  }
  if (!Number.isInteger(steps) || steps < 1)
    throw new DaxError('usage', `faithfulness steps must be a positive integer, not ${steps}.`);
  if (!Number.isInteger(target) || target < 0)
    throw new DaxError('usage', `the target class must be a class index, not ${target}.`);

  const { rankOf, imagePixels } = rankCanvasPixels(canvasToSource(placement, image.width, image.height), saliency);
  const substrate = await substrateCanvas(scene, substrateKind);
  const { original } = model;
  // Deletion at `cut` shows the substrate on the `cut` top-ranked pixels; insertion at `cut` shows the original
  // there and the substrate on the rest. One pass per query over a precomputed rank, no sort per step.
  const compose = (cut: number, deleting: boolean, out: Float32Array): void => {
    for (let p = 0, i = 0; p < rankOf.length; p++, i += 3) {
      const r = rankOf[p]!;
      const useSubstrate = r >= 0 && (deleting ? r < cut : r >= cut);
      const source = useSubstrate ? substrate : original;
      out[i] = source[i]!;
      out[i + 1] = source[i + 1]!;
      out[i + 2] = source[i + 2]!;
    }
  };
  const cutAt = (k: number): number => Math.round((k / steps) * imagePixels);

  const { rows, stats } = await runQueries(
    classifier,
    2 * (steps + 1),
    (i, out) => (i <= steps ? compose(cutAt(i), true, out) : compose(cutAt(i - steps - 1), false, out)),
    {
      batchSize: options.queryBatchSize,
      inputLength: model.original.length,
      padding: model.padding,
      signal: options.signal,
      onProgress: options.onProgress,
    },
  );
  return scoresFrom(rows, target, steps, substrateKind, stats.queries);
}

/** The two curves of the target's probability (deletion queries first, then insertion) and their areas. */
function scoresFrom(
  rows: Float32Array[],
  target: number,
  steps: number,
  substrate: 'blur' | 'zero',
  queries: number,
): FaithfulnessScores {
  if (target >= rows[0]!.length) {
    throw new DaxError(
      'usage',
      `the target class ${target} is out of range: the model gives ${rows[0]!.length} classes.`,
    );
  }
  const curve = rows.map((row) => row[target]!);
  const deletionCurve = curve.slice(0, steps + 1);
  const insertionCurve = curve.slice(steps + 1);
  return {
    deletionAuc: trapezoidAuc(deletionCurve),
    insertionAuc: trapezoidAuc(insertionCurve),
    deletionCurve,
    insertionCurve,
    fractions: Array.from({ length: steps + 1 }, (_, k) => k / steps),
    substrate,
    steps,
    queries,
  };
}

/** Area under a curve sampled at evenly spaced points of [0, 1] (trapezoid rule); values in [0, 1] give [0, 1]. */
export function trapezoidAuc(values: readonly number[]): number {
  if (values.length < 2) throw new RangeError(`an area needs at least two points, got ${values.length}.`);
  let sum = 0;
  for (let i = 1; i < values.length; i++) sum += (values[i - 1]! + values[i]!) / 2;
  return sum / (values.length - 1);
}

/**
 * Rank of every canvas pixel by the saliency of the source pixel it shows, most salient first; -1 for padding,
 * which is never removed (the classifier fills it with its pad value anyway). Ties go by canvas index, so the
 * curves of a flat map are reproducible. NaN counts as least salient.
 */
function rankCanvasPixels(toSource: Int32Array, saliency: Float32Array): { rankOf: Int32Array; imagePixels: number } {
  const score = (p: number): number => {
    const value = saliency[toSource[p]!]!;
    return Number.isNaN(value) ? -Infinity : value;
  };
  const inside: number[] = [];
  for (let p = 0; p < toSource.length; p++) if (toSource[p]! >= 0) inside.push(p);
  inside.sort((a, b) => score(b) - score(a) || a - b);
  const rankOf = new Int32Array(toSource.length).fill(-1);
  inside.forEach((p, r) => (rankOf[p] = r));
  return { rankOf, imagePixels: inside.length };
}

/**
 * Deletion and insertion over the cells of a perturbation space's analysis grid, through its `blend`: for a
 * sound, the spectrogram's cells are silenced (deletion) or let through (insertion) in saliency order, and the
 * substrate is silence. `saliency` is at the space's `image` size, which for audio is the analysis grid itself.
 */
export async function measureCellFaithfulness(
  space: PerturbationSpace,
  blackBox: BlackBox,
  saliency: Float32Array,
  target: number,
  options: Omit<FaithfulnessOptions, 'substrate'>,
): Promise<FaithfulnessScores> {
  const { steps } = options;
  const { width, height } = space.analysis;
  const cells = width * height;
  if (saliency.length !== cells)
    throw new DaxError(
      'usage',
      `the saliency map has ${saliency.length} values; the spectrogram has ${width}x${height} cells.`,
    );
  if (!Number.isInteger(steps) || steps < 1)
    throw new DaxError('usage', `faithfulness steps must be a positive integer, not ${steps}.`);
  const order = Array.from({ length: cells }, (_, i) => i).sort(
    (a, b) =>
      (Number.isNaN(saliency[b]!) ? -Infinity : saliency[b]!) -
        (Number.isNaN(saliency[a]!) ? -Infinity : saliency[a]!) || a - b,
  );
  const rankOf = new Int32Array(cells);
  order.forEach((cell, rank) => (rankOf[cell] = rank));
  const mask = new Float32Array(cells);
  const cutAt = (k: number): number => Math.round((k / steps) * cells);
  const { rows, stats } = await runQueries(
    blackBox,
    2 * (steps + 1),
    (i, out) => {
      const deleting = i <= steps;
      const cut = cutAt(deleting ? i : i - steps - 1);
      for (let c = 0; c < cells; c++) {
        const top = rankOf[c]! < cut;
        mask[c] = (deleting ? !top : top) ? 1 : 0;
      }
      space.blend(mask, out);
    },
    {
      batchSize: options.queryBatchSize,
      inputLength: space.model.original.length,
      signal: options.signal,
      onProgress: options.onProgress,
    },
  );
  return scoresFrom(rows, target, steps, 'zero', stats.queries);
}
