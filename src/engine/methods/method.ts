// The explanation methods behind one interface, so the CLI, the comparison and the extension treat them alike:
// each takes a scene and a black box, makes its queries through the same runner, and returns a map.
import type { BlackBox } from '../blackbox/classifier';
import type { ProgressListener } from '../core/progress';
import type { Rng } from '../core/rng';
import type { PerturbationOptions, PerturbationSpace } from '../perturbation/scene';
import { poolOverSegments } from '../perturbation/segmentPooling';
import { runDax } from './dax/daxMethod';
import { PRESETS, type DaxSettings } from './dax/presets';
import type { TrainingResult } from './dax/trainDax';
import { runLime, type LimeSettings } from './lime';
import { occlusionForBudget, runOcclusion, timeSegmentsForBudget, type OcclusionSettings } from './occlusion';
import type { QueryStats } from './queryRunner';
import { runRise, type RiseSettings } from './rise';
import { tf } from '../tf/runtime';

/** The methods, DAX first. */
export const METHOD_NAMES = ['dax', 'rise', 'lime', 'occlusion'] as const;
export type MethodName = (typeof METHOD_NAMES)[number];

/** A method with its settings; every method perturbs through a scene built with `perturbation`. */
export type MethodSpec =
  | { method: 'dax'; settings: DaxSettings }
  | { method: 'rise'; settings: RiseSettings & { perturbation: PerturbationOptions } }
  | { method: 'lime'; settings: LimeSettings & { perturbation: PerturbationOptions } }
  | { method: 'occlusion'; settings: OcclusionSpec };

/**
 * Occlusion's window and stride depend on the analysis image, which exists only once the scene is built: they
 * are derived there from the query budget unless given.
 */
export interface OcclusionSpec extends Partial<Pick<OcclusionSettings, 'window' | 'stride'>> {
  budget: number;
  queryBatchSize: number;
  perturbation: PerturbationOptions;
}

/** What a method found: a map at the image's resolution (not yet normalised) and how it got there. */
export interface MethodRun {
  map: Float32Array;
  target: number;
  inputProbabilities: Float32Array;
  query: QueryStats;
  /** DAX only: the training of its networks. */
  training?: TrainingResult;
  /** Resolution the method worked at (DAX's working copy, or the analysis image for the baselines). */
  working: { width: number; height: number };
}

/**
 * Settings of each method for a query budget (the input itself included), so that a comparison spends the same
 * number of black-box calls on every method. The baselines keep their authors' defaults otherwise.
 */
export function methodForBudget(method: MethodName, budget: number, dax: DaxSettings = PRESETS.balanced): MethodSpec {
  const queryBatchSize = dax.queryBatchSize;
  switch (method) {
    case 'dax':
      return { method, settings: { ...dax, samples: budget } };
    case 'rise':
      // RISE's paper: a 7x7 grid and p = 0.5 for ImageNet-sized inputs.
      return { method, settings: { masks: Math.max(1, budget - 1), grid: 7, keepProbability: 0.5, queryBatchSize, perturbation: dax.perturbation } };
    case 'lime':
      return { method, settings: { samples: budget, keepProbability: 0.5, alpha: 1, queryBatchSize, perturbation: dax.perturbation } };
    case 'occlusion':
      return { method, settings: { budget, queryBatchSize, perturbation: dax.perturbation } };
  }
}

/** Runs one method on the scene; `chooseTarget` sees the black box's answer on the input and picks the class. */
export async function runMethod(
  spec: MethodSpec,
  scene: PerturbationSpace,
  classifier: BlackBox,
  rng: Rng,
  chooseTarget: (probabilities: Float32Array) => number,
  hooks: { signal?: AbortSignal; onProgress?: ProgressListener } = {},
): Promise<MethodRun> {
  const { width, height } = scene.image;
  if (spec.method === 'dax') {
    const outcome = await runDax(scene, classifier, spec.settings, rng, chooseTarget, hooks);
    const { training } = outcome;
    // The map is the mask of the input, brought to the image and averaged within each segment: the queries only
    // ever switched whole segments, so finer detail inside one would be the networks' guess, not evidence.
    const upsampled = upsample(training.mask, training.gridWidth, training.gridHeight, width, height);
    // Segment-space DAX's map is already made of the units it switched, which may cut the segments finer.
    const map = spec.settings.network === 'segments' ? upsampled : poolOverSegments(upsampled, width, height, scene.segmentation, spec.settings.segmentPooling);
    return { map, target: outcome.target, inputProbabilities: outcome.inputProbabilities, query: outcome.query, training, working: outcome.working };
  }
  hooks.onProgress?.({ type: 'phase', phase: 'querying', message: `querying the model for ${spec.method.toUpperCase()}` });
  const outcome =
    spec.method === 'rise'
      ? await runRise(scene, classifier, spec.settings, rng, chooseTarget, hooks)
      : spec.method === 'lime'
        ? await runLime(scene, classifier, spec.settings, rng, chooseTarget, hooks)
        : await runOcclusion(scene, classifier, occlusionSettings(spec.settings, scene), rng, chooseTarget, hooks);
  return {
    map: upsample(outcome.map, outcome.width, outcome.height, width, height),
    target: outcome.target,
    inputProbabilities: outcome.inputProbabilities,
    query: outcome.query,
    working: { width: outcome.width, height: outcome.height },
  };
}

function occlusionSettings(spec: OcclusionSpec, scene: PerturbationSpace): OcclusionSettings {
  const { width, height } = scene.analysis;
  const derived = scene.occlusion === 'time-segments' ? timeSegmentsForBudget(width, height, spec.budget) : occlusionForBudget(width, height, spec.budget);
  return { ...derived, window: spec.window ?? derived.window, stride: spec.stride ?? derived.stride, queryBatchSize: spec.queryBatchSize };
}

/** Bilinear resampling of a map to the image. */
export function upsample(map: Float32Array, mapWidth: number, mapHeight: number, width: number, height: number): Float32Array {
  if (mapWidth === width && mapHeight === height) return map;
  return tf.tidy(() => {
    const grid = tf.tensor4d(map, [1, mapHeight, mapWidth, 1]);
    return tf.image.resizeBilinear(grid, [height, width], false, true).dataSync() as Float32Array;
  });
}
