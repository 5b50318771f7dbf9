// `dax compare`: DAX and the baselines on one input at the same query budget, as a table (Markdown and JSON).
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ImageClassifier } from '../engine/blackbox/classifier';
import { DaxError, asDaxError } from '../engine/core/errors';
import { compareImage, comparisonMarkdown } from '../engine/compareImage';
import { outputPaths, removeStalePartials, stageExplanation, type StagedFiles } from '../engine/io/outputs';
import { PRESETS, type PresetName } from '../engine/methods/dax/presets';
import { METHOD_NAMES, type MethodName } from '../engine/methods/registry';
import type { FaithfulnessOptions } from '../engine/metrics/faithfulness';
import {
  EXIT,
  RUN_OPTIONS,
  checkWritableFolder,
  existingFile,
  exitCodeOf,
  faithfulnessOptions,
  integerOption,
  modelChoices,
  openModel,
  parseModelCommand,
  usageError,
  withInterrupt,
  type ModelChoices,
} from './common';
import { ProgressBar } from './progressBar';
import { checkChoice, PRESET_NAMES } from '../shared/jobCheck';

export const COMPARE_USAGE = `dax compare <image> --model <model> [options]

  Runs every method at the same query budget and measures each map the same way.
  Writes each method's files, <stem>.compare.json and <stem>.compare.md to --out.

  --budget N            queries per method, the input included (default: the preset's)
  --methods LIST        comma-separated subset of ${METHOD_NAMES.join(',')} (default all)
  --preset NAME         DAX's preset (default balanced)
  --ground-truth FILE   mask image: adds IoU at 0.2, best IoU and the pointing game
  --out DIR             output folder (default: dax-out)
  --seed, --target, --substrate, --steps, --backend, --max-pixels, --model-timeout, --json as for explain`;

export async function compareCommand(argv: string[]): Promise<number> {
  const parsed = parseModelCommand(argv, {
    ...RUN_OPTIONS,
    budget: { type: 'string' },
    methods: { type: 'string' },
  });
  if (!parsed) return EXIT.usage;
  const { values, positionals } = parsed;
  if (positionals.length !== 1)
    return usageError(positionals.length === 0 ? 'no input image given.' : 'compare takes one input image.');
  if (!values.model) return usageError('--model is required.');
  const input = positionals[0]!;
  const presetName = (values.preset ?? 'balanced') as PresetName;
  let budget: number;
  let seed: number;
  let methods: MethodName[];
  let faithfulness: FaithfulnessOptions;
  let choices: ModelChoices;
  try {
    checkChoice('preset', '--preset', presetName, PRESET_NAMES);
    choices = modelChoices(values);
    budget = values.budget === undefined ? PRESETS[presetName].samples : integerOption('--budget', values.budget, 3);
    seed = values.seed === undefined ? 0 : integerOption('--seed', values.seed, 0);
    methods = (values.methods ?? METHOD_NAMES.join(',')).split(',').map((name) => name.trim()) as MethodName[];
    const unknown = methods.filter((name) => !METHOD_NAMES.includes(name));
    if (unknown.length > 0 || methods.length === 0)
      throw new DaxError(
        'usage',
        `--methods takes a comma-separated subset of ${METHOD_NAMES.join(',')} (got "${values.methods}").`,
      );
    faithfulness = faithfulnessOptions(values, PRESETS[presetName].queryBatchSize);
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
  const outDir = path.resolve(values.out ?? 'dax-out');
  // As for explain: an output folder that cannot be written fails before any work, and a killed run's temporary files go.
  try {
    await checkWritableFolder('--out', outDir);
  } catch (error) {
    await classifier.dispose();
    return usageError((error as Error).message);
  }
  await removeStalePartials(outDir);
  const bar = new ProgressBar(path.basename(input), !values.json && process.stderr.isTTY === true);
  // All or nothing, as explain: each method's files are staged as it finishes and put in place only when every
  // method has finished; a failure or Ctrl-C on the way leaves none of them.
  const staged: StagedFiles[] = [];
  try {
    const comparison = await withInterrupt((signal) =>
      compareImage({
        imageFile: path.resolve(input),
        classifier,
        methods,
        budget,
        dax: PRESETS[presetName],
        preset: presetName,
        seed,
        target: classifier.config.target,
        groundTruthFile: values['ground-truth'] ? path.resolve(values['ground-truth']) : undefined,
        faithfulness,
        maxPixels: choices.maxPixels,
        backend: choices.backend,
        signal,
        onProgress: (_method, event) => bar.onProgress(event),
        onExplained: async (method, explanation) => {
          const paths = outputPaths(outDir, input, method);
          staged.push(await stageExplanation(paths, explanation.image, explanation.saliency, explanation.report));
          return paths;
        },
      }),
    );
    bar.stop();
    for (const files of staged.splice(0)) await files.commit();
    const stem = path.basename(input).replace(/\.[^.]+$/, '');
    const markdown = comparisonMarkdown(comparison);
    await mkdir(outDir, { recursive: true });
    await writeFile(path.join(outDir, `${stem}.compare.json`), JSON.stringify(comparison, null, 2) + '\n');
    await writeFile(path.join(outDir, `${stem}.compare.md`), markdown);
    process.stdout.write(
      values.json ? JSON.stringify(comparison, null, 2) + '\n' : markdown + `\nwritten to ${outDir}\n`,
    );
    return EXIT.ok;
  } catch (error) {
    bar.stop();
    await Promise.all(staged.map((files) => files.discard()));
    const daxError = asDaxError(error, 'explain', input);
    process.stderr.write(daxError.kind === 'cancelled' ? 'dax: cancelled.\n' : `dax: ${daxError.message}\n`);
    return exitCodeOf(daxError);
  } finally {
    await classifier.dispose();
  }
}
