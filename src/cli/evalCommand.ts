// `dax eval`: deletion/insertion AUC and ground-truth agreement of a saliency map that already exists.
import path from 'node:path';
import { asDaxError } from '../engine/core/errors';
import { evaluateImage } from '../engine/evaluateImage';
import { PRESETS } from '../engine/methods/dax/presets';
import type { FaithfulnessOptions } from '../engine/metrics/faithfulness';
import type { ImageClassifier } from '../engine/blackbox/classifier';
import {
  EXIT,
  existingFile,
  exitCodeOf,
  faithfulnessOptions,
  modelChoices,
  openModel,
  parseModelCommand,
  usageError,
  withInterrupt,
  type ModelChoices,
} from './common';

export const EVAL_USAGE = `dax eval <image> --saliency MAP.png --model <model> [options]

  Measures a saliency map (from dax or any other tool; brighter = more salient):
  deletion and insertion AUC through the model, and with --ground-truth the IoU
  at 0.2, the best IoU and the pointing game.

  --saliency FILE       the map (grey image; resampled to the input's size)
  --model FILE          model description (JSON) or model file (required)
  --target T            class to measure (default: the top-1 class)
  --ground-truth FILE   mask image
  --substrate NAME      blur | zero (default blur)
  --steps N             points on the curves (default 32)
  --backend, --max-pixels, --model-timeout, --json as for explain`;

export async function evalCommand(argv: string[]): Promise<number> {
  const parsed = parseModelCommand(argv, {
    saliency: { type: 'string' },
    'ground-truth': { type: 'string' },
  });
  if (!parsed) return EXIT.usage;
  const { values, positionals } = parsed;
  if (positionals.length !== 1)
    return usageError(positionals.length === 0 ? 'no input image given.' : 'eval takes one input image.');
  if (!values.model) return usageError('--model is required.');
  if (!values.saliency) return usageError('--saliency is required.');
  const input = positionals[0]!;
  let faithfulness: FaithfulnessOptions;
  let choices: ModelChoices;
  try {
    choices = modelChoices(values);
    faithfulness = faithfulnessOptions(values, PRESETS.balanced.queryBatchSize);
    existingFile('--saliency', values.saliency);
    existingFile('--ground-truth', values['ground-truth']);
  } catch (error) {
    return usageError((error as Error).message);
  }
  let classifier: ImageClassifier;
  try {
    classifier = await openModel(values.model, values.target, choices);
  } catch (error) {
    return usageError((error as Error).message);
  }
  try {
    const report = await withInterrupt((signal) =>
      evaluateImage({
        imageFile: path.resolve(input),
        saliencyFile: path.resolve(values.saliency!),
        classifier,
        target: classifier.config.target,
        groundTruthFile: values['ground-truth'] ? path.resolve(values['ground-truth']) : undefined,
        faithfulness,
        maxPixels: choices.maxPixels,
        signal,
      }),
    );
    if (values.json) {
      process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    } else {
      const { target, faithfulness: f, groundTruth: truth } = report;
      process.stdout.write(
        `${input}: ${target.label !== undefined ? `"${target.label}" (class ${target.index})` : `class ${target.index}`}, p = ${target.probability.toFixed(3)}\n` +
          `  ${values.saliency}: deletion AUC = ${f.deletionAuc.toFixed(3)} (lower is better), insertion AUC = ${f.insertionAuc.toFixed(3)} (higher is better); ${f.substrate} substrate, ${f.steps} steps, ${f.queries} queries\n` +
          (truth
            ? `  ground truth: IoU@0.2 = ${truth.iouAt02.toFixed(3)}, best IoU = ${truth.bestIou.toFixed(3)} at ${truth.bestThreshold.toFixed(2)}, pointing ${truth.pointingHit ? 'hit' : 'miss'}\n`
            : ''),
      );
    }
    return EXIT.ok;
  } catch (error) {
    const daxError = asDaxError(error, 'explain', input);
    process.stderr.write(daxError.kind === 'cancelled' ? 'dax: cancelled.\n' : `dax: ${daxError.message}\n`);
    return exitCodeOf(daxError);
  } finally {
    await classifier.dispose();
  }
}
