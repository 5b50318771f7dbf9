// The part of an explanation that is the same for an image and a sound: the method runs on the input's
// perturbation space against the black box, explaining the requested class (or the top-1), and its failures are
// the explanation's, naming the input.
import type { BlackBox } from './blackbox/classifier';
import { resolveTarget } from './blackbox/modelConfig';
import { asDaxError, DaxError } from './core/errors';
import type { ProgressListener } from './core/progress';
import { createRng } from './core/rng';
import { runMethod, type MethodSpec } from './methods/registry';
import type { PerturbationSpace } from './perturbation/scene';

/** Runs `method` on `space` with the run's seed; a failure is a DaxError naming `file`. */
export async function explainScene(
  method: MethodSpec,
  space: PerturbationSpace,
  classifier: BlackBox,
  request: {
    file: string;
    seed: number;
    target?: number | string;
    signal?: AbortSignal;
    onProgress?: ProgressListener;
  },
): ReturnType<typeof runMethod> {
  try {
    return await runMethod(
      method,
      space,
      classifier,
      createRng(request.seed),
      (probabilities) => chooseTarget(request.target, classifier, probabilities),
      { signal: request.signal, onProgress: request.onProgress },
    );
  } catch (error) {
    throw asDaxError(error, 'explain', request.file);
  }
}

/** The class to explain: the requested one (index or label), or the top-1 class on the input. */
export function chooseTarget(
  requested: number | string | undefined,
  classifier: BlackBox,
  probabilities: Float32Array,
): number {
  const labels = classifier.labels;
  if (labels && labels.length !== probabilities.length) {
    throw new DaxError(
      'usage',
      `has ${labels.length} labels but the model returns ${probabilities.length} classes.`,
      classifier.config.path,
    );
  }
  return resolveTarget(requested, labels, probabilities.length, classifier.config.path) ?? argmax(probabilities);
}

function argmax(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}
