// What every explanation method is to the rest of the engine: it spends a query budget on perturbed copies of one
// input, asked through the same runner, and returns a map at the image's resolution. The registry holds one per
// method; a new method is one file implementing this and one registry line.
import type { BlackBox } from '../blackbox/classifier';
import type { ProgressListener } from '../core/progress';
import type { Rng } from '../core/rng';
import type { PerturbationSpace } from '../perturbation/scene';
import type { MethodInfo } from '../../shared/methods';
import type { DaxSettings } from './dax/presets';
import type { TrainingResult } from './dax/trainDax';
import type { QueryStats } from './queryRunner';
import { upsample } from './upsample';

/** What a run of a method gets besides the scene, the black box and its settings. */
export interface MethodContext {
  rng: Rng;
  /** Sees the black box's answer on the input and picks the class to explain. */
  chooseTarget: (probabilities: Float32Array) => number;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

/** What a method found: a map at the image's resolution (not yet normalised) and how it got there. */
export interface MethodRun {
  map: Float32Array;
  target: number;
  inputProbabilities: Float32Array;
  query: QueryStats;
  /** Methods that train: the training of their networks. */
  training?: TrainingResult;
  /** Resolution the method worked at (DAX's working copy, or the analysis image for the baselines). */
  working: { width: number; height: number };
}

export interface ExplanationMethod<Settings> {
  info: MethodInfo;
  /**
   * The settings that spend `budget` black-box queries (the input itself included), so that a comparison gives
   * every method the same number of calls. `preset` holds what all methods share: the query batch size and the
   * perturbation (segmentation and fill); a method keeps its authors' defaults otherwise.
   */
  forBudget(budget: number, preset: DaxSettings): Settings;
  run(scene: PerturbationSpace, blackBox: BlackBox, settings: Settings, context: MethodContext): Promise<MethodRun>;
}

/** A baseline's map over the scene's analysis image (row-major), with the target and the queries it took. */
export interface BaselineOutcome {
  map: Float32Array;
  width: number;
  height: number;
  target: number;
  inputProbabilities: Float32Array;
  query: QueryStats;
}

/** A baseline's outcome as a method's run: its map brought from the analysis image to the image. */
export function baselineRun(outcome: BaselineOutcome, scene: PerturbationSpace): MethodRun {
  const { width, height } = scene.image;
  return {
    map: upsample(outcome.map, outcome.width, outcome.height, width, height),
    target: outcome.target,
    inputProbabilities: outcome.inputProbabilities,
    query: outcome.query,
    working: { width: outcome.width, height: outcome.height },
  };
}

/** The phase event a baseline announces before it queries (it has no other phase). */
export function announceQuerying(info: MethodInfo, context: MethodContext): void {
  context.onProgress?.({ type: 'phase', phase: 'querying', message: `querying the model for ${info.label}` });
}
