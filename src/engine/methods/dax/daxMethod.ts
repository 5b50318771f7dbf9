// DAX end to end on one scene: sample patterns, query the black box, train the networks, return the input's mask.
import type { BlackBox } from '../../blackbox/classifier';
import type { ProgressListener } from '../../core/progress';
import type { Rng } from '../../core/rng';
import { samplePatterns } from '../../perturbation/sampler';
import type { PerturbationSpace } from '../../perturbation/scene';
import { queryPatterns, type QueryStats } from '../queryRunner';
import type { DaxSettings } from './presets';
import { workingSize } from './presets';
import { runSegmentDax } from './segmentDax';
import { trainDax, type TrainingResult } from './trainDax';
import { methodInfo } from '../../../shared/methods';
import { poolOverSegments } from '../../perturbation/segmentPooling';
import type { ExplanationMethod } from '../contract';
import { upsample } from '../upsample';

/** What DAX produced for one input. */
export interface DaxOutcome {
  /** Probabilities of every class on the unperturbed input. */
  inputProbabilities: Float32Array;
  target: number;
  query: QueryStats;
  training: TrainingResult;
  working: { width: number; height: number };
}

export const daxMethod: ExplanationMethod<DaxSettings> = {
  info: methodInfo('dax')!,
  forBudget: (budget, preset) => ({ ...preset, samples: budget }),
  async run(scene, blackBox, settings, context) {
    const outcome = await runDax(scene, blackBox, settings, context.rng, context.chooseTarget, context);
    const { training } = outcome;
    const { width, height } = scene.image;
    // The map is the mask of the input, brought to the image and averaged within each segment: the queries only
    // ever switched whole segments, so finer detail inside one would be the networks' guess, not evidence.
    const upsampled = upsample(training.mask, training.gridWidth, training.gridHeight, width, height);
    // Segment-space DAX's map is already made of the units it switched, which may cut the segments finer.
    const map =
      settings.network === 'segments'
        ? upsampled
        : poolOverSegments(upsampled, width, height, scene.segmentation, settings.segmentPooling);
    return {
      map,
      target: outcome.target,
      inputProbabilities: outcome.inputProbabilities,
      query: outcome.query,
      training,
      working: outcome.working,
    };
  },
};

/**
 * Runs DAX. `chooseTarget` sees the black box's answer on the input (sample 0) and picks the class to explain.
 */
export async function runDax(
  scene: PerturbationSpace,
  classifier: BlackBox,
  settings: DaxSettings,
  rng: Rng,
  chooseTarget: (probabilities: Float32Array) => number,
  hooks: { signal?: AbortSignal; onProgress?: ProgressListener } = {},
): Promise<DaxOutcome> {
  if (settings.network === 'segments') return runSegmentDax(scene, classifier, settings, rng, chooseTarget, hooks);
  const samples = samplePatterns(
    settings.samples,
    scene.segmentation.count,
    settings.keepProbability,
    rng.fork('patterns'),
  );
  hooks.onProgress?.({
    type: 'phase',
    phase: 'querying',
    message: `querying the model on ${settings.samples} perturbed copies`,
  });
  const { rows, stats } = await queryPatterns(scene, classifier, samples, {
    batchSize: settings.queryBatchSize,
    signal: hooks.signal,
    onProgress: hooks.onProgress,
  });
  const inputProbabilities = rows[0]!;
  const target = chooseTarget(inputProbabilities);
  const targets = Float32Array.from(rows, (row) => row[target]!);

  const working =
    scene.workingSize?.(settings.cell) ?? workingSize(scene.image.width, scene.image.height, settings.workingArea);
  const view = await scene.view(working.width, working.height);
  hooks.onProgress?.({
    type: 'phase',
    phase: 'training',
    message: `training the mask and student networks at ${working.width}x${working.height}`,
  });
  const training = await trainDax(
    view,
    samples,
    targets,
    { width: working.width, height: working.height, cell: settings.cell, channels: settings.channels },
    settings,
    rng.fork('training'),
    hooks,
  );
  return { inputProbabilities, target, query: stats, training, working };
}
