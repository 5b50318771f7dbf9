// `dax explain`: one explanation per input (image, or sound for an audio model), with DAX or a baseline, written
// as files next to each other in the output folder; folders and globs run as a resumable batch with a summary.
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import type { AudioClassifier, ImageClassifier } from '../engine/blackbox/classifier';
import { AUDIO_EXTENSIONS } from '../engine/audio/decodeAudio';
import { parseTimeInterval } from '../engine/audio/timeSaliency';
import { explainAudio } from '../engine/explainAudio';
import { audioOutputPaths, writeAudioExplanation } from '../engine/io/audioOutputs';
import { DaxError, asDaxError } from '../engine/core/errors';
import { explainImage } from '../engine/explainImage';
import { IMAGE_EXTENSIONS } from '../engine/io/image';
import { outputPaths, removeStalePartials, writeExplanation } from '../engine/io/outputs';
import { initBackend, tf } from '../engine/tf/runtime';
import { resolveSettings, type PresetName } from '../engine/methods/dax/presets';
import { METHOD_NAMES, methodForBudget, type MethodName, type MethodSpec } from '../engine/methods/registry';
import type { FaithfulnessOptions } from '../engine/metrics/faithfulness';
import { checkChoice, PRESET_NAMES } from '../shared/jobCheck';
import type { ExplanationReport, TimeInterval } from '../shared/report';
import {
  EXIT,
  RUN_OPTIONS,
  checkWritableFolder,
  existingFile,
  exitCodeOf,
  faithfulnessOptions,
  integerOption,
  modelChoices,
  numberOption,
  openAnyModel,
  parseModelCommand,
  seconds,
  usageError,
  withInterrupt,
  type ModelChoices,
} from './common';
import { expandInputs, outputLocations, type ExpandedInputs, type OutputLocation } from './inputs';
import { ProgressBar } from './progressBar';
import { summaryMarkdown, writeSummary, type SummaryRow } from './summary';
import { MODEL_SHA256_KEY, fileSha256, modelSha256, upToDateReport, type RunIdentity } from './upToDate';
import { DEFAULT_METHOD, methodLabel, methodTrains } from '../shared/methods';
import { PRESET_QUERIES } from '../shared/presets';

export const EXPLAIN_USAGE = `dax explain <input...> --model <config.json | model.onnx | model.json> [options]

  Explains why the model gave each input its class. Images: writes <stem>.saliency.png,
  <stem>.overlay.png and <stem>.dax.json. Sounds (the model description has an "audio"
  object): writes <stem>.saliency.png (the spectrogram with the map), <stem>.mask.png,
  <stem>.kept.wav, <stem>.removed.wav and <stem>.dax.json (with the saliency over time
  and the top intervals). With --method other than dax: <stem>.<method>.saliency.png and so on.

  An input may be a folder (its images, or sounds for an audio model; --recursive for
  subfolders too) or a quoted glob ('photos/**/*.jpg': *, ?, **). Such a batch mirrors
  the folders under --out, skips inputs whose results are there and up to date (same input
  content, model, method, settings, seed; --force redoes them), keeps going past failures
  and ends with <out>/summary.md and <out>/summary.csv.

  --model FILE          model description (JSON) or model file (required)
  --method NAME         ${METHOD_NAMES.join(' | ')} (default ${DEFAULT_METHOD})
  --out DIR             output folder (default: dax-out)
  --preset NAME         fast (${PRESET_QUERIES.fast} queries) | balanced (${PRESET_QUERIES.balanced}) | thorough (${PRESET_QUERIES.thorough}); default balanced
  --samples N           black-box queries (overrides the preset; the budget of a baseline)
  --network NAME        segments | pixels: DAX's networks over the perturbation's units
                        (default; README "How DAX is done here") or the paper's convolutional
                        networks over the pixels of a working copy (20-40x slower)
  --epochs E            training epochs (overrides the preset; DAX's pixel networks only)
  --lambda1 L           weight of the mask's L1 norm, relative to the variance of the answers
                        (DAX's pixel networks only; default 2.3)
  --lambda2 L           weight of the KL term between answer histograms (DAX's pixel networks only;
                        default 0)
  --seed S              random seed (default 0): the same seed repeats a run on the same backend
  --target T            class to explain: index or label (default: the top-1 class)
  --ground-truth GT     images: a mask image (IoU at 0.2, best IoU, pointing game);
                        sounds: START-END in seconds (time IoU of the top interval)
  --faithfulness        also measure deletion and insertion AUC (2·(steps+1) more queries)
  --substrate NAME      blur | zero: what deleted pixels become (default blur)
  --steps N             points on the deletion/insertion curves (default 32)
  --backend NAME        auto | tensorflow | wasm | cpu (default auto)
  --max-pixels N        refuse larger images (default 40000000)
  --max-seconds S       refuse longer sounds (default 60)
  --model-timeout S     fail a call into the model (one predict, one session run) that takes
                        longer than S seconds (default 120); a served model's requests are
                        bounded by its "endpoint.timeoutMs"
  --recursive           a folder's subfolders too (dot-folders and the output folder never)
  --force               in a batch, explain inputs whose results are up to date too
  --json                print the results as JSON on stdout (no progress bar)`;

/** One input's outcome: its summary row, the exit code it calls for, and (with --json) the whole report. */
interface FileResult extends SummaryRow {
  exitCode: number;
  full?: ExplanationReport;
}

export async function explainCommand(argv: string[]): Promise<number> {
  const parsed = parseModelCommand(argv, {
    ...RUN_OPTIONS,
    method: { type: 'string' },
    samples: { type: 'string' },
    epochs: { type: 'string' },
    lambda1: { type: 'string' },
    lambda2: { type: 'string' },
    network: { type: 'string' },
    faithfulness: { type: 'boolean', default: false },
    'max-seconds': { type: 'string' },
    recursive: { type: 'boolean', default: false },
    force: { type: 'boolean', default: false },
  });
  if (!parsed) return EXIT.usage;
  const { values, positionals: inputs } = parsed;
  if (inputs.length === 0) return usageError('no input image given.');
  if (!values.model) return usageError('--model is required.');

  let spec: MethodSpec;
  let seed: number;
  let maxSeconds: number | undefined;
  let faithfulness: FaithfulnessOptions | undefined;
  const presetName = (values.preset ?? 'balanced') as PresetName;
  let choices: ModelChoices;
  try {
    const method = (values.method ?? DEFAULT_METHOD) as MethodName;
    // The same checks as every extension job's (shared/jobCheck.ts), named as options.
    checkChoice('method', '--method', method, METHOD_NAMES);
    checkChoice('preset', '--preset', presetName, PRESET_NAMES);
    for (const option of ['epochs', 'lambda1', 'lambda2', 'network'] as const) {
      if (values[option] !== undefined && !methodTrains(method))
        throw new DaxError('usage', `--${option} applies to DAX only; ${methodLabel(method)} trains nothing.`);
    }
    choices = modelChoices(values);
    if (values.network !== undefined && values.network !== 'segments' && values.network !== 'pixels')
      throw new DaxError('usage', `--network must be segments or pixels (got "${values.network}").`);
    const settings = resolveSettings(presetName, {
      samples: values.samples === undefined ? undefined : integerOption('--samples', values.samples, 2),
      epochs: values.epochs === undefined ? undefined : integerOption('--epochs', values.epochs, 1),
      lambda1: values.lambda1 === undefined ? undefined : numberOption('--lambda1', values.lambda1),
      lambda2: values.lambda2 === undefined ? undefined : numberOption('--lambda2', values.lambda2),
      network: values.network,
    });
    spec = methodForBudget(method, settings.samples, settings);
    seed = values.seed === undefined ? 0 : integerOption('--seed', values.seed, 0);
    if (values['max-seconds'] !== undefined) maxSeconds = numberOption('--max-seconds', values['max-seconds'], 0.01);
    if (values['ground-truth'] && inputs.length > 1)
      throw new DaxError('usage', '--ground-truth applies to a single input.');
    if (values.faithfulness) faithfulness = faithfulnessOptions(values, settings.queryBatchSize);
    else if (values.substrate !== undefined || values.steps !== undefined)
      throw new DaxError('usage', '--substrate and --steps go with --faithfulness.');
  } catch (error) {
    return usageError((error as Error).message);
  }
  const { backend, maxPixels } = choices;

  const outDir = path.resolve(values.out ?? 'dax-out');
  const results: FileResult[] = [];
  let classifier: ImageClassifier | AudioClassifier;
  try {
    classifier = await openAnyModel(values.model, values.target, choices);
  } catch (error) {
    return usageError((error as Error).message);
  }
  // The ground truth is a mask file for images and an interval for sounds; both are checked before any work.
  let truthInterval: TimeInterval | undefined;
  try {
    const truth = values['ground-truth'];
    if (classifier.modality === 'audio') {
      if (truth !== undefined) truthInterval = parseTimeInterval(truth);
      const imageInput = inputs.find((input) =>
        (IMAGE_EXTENSIONS as readonly string[]).includes(path.extname(input).slice(1).toLowerCase()),
      );
      if (imageInput)
        throw new DaxError(
          'usage',
          `is an image, but ${classifier.config.name} is an audio model; give an image model description (with "input", not "audio").`,
          imageInput,
        );
    } else {
      existingFile('--ground-truth', truth);
      const audioInput = inputs.find((input) => isAudioFile(input));
      if (audioInput)
        throw new DaxError(
          'usage',
          `is a sound, but ${classifier.config.name} is an image model; give a model description with an "audio" object.`,
          audioInput,
        );
    }
  } catch (error) {
    await classifier.dispose();
    return usageError(error instanceof RangeError ? `--ground-truth: ${error.message}.` : (error as Error).message);
  }

  // Folders and globs become their supported files (the model decides which: images or sounds).
  let expanded: ExpandedInputs;
  try {
    const extensions: readonly string[] = classifier.modality === 'audio' ? AUDIO_EXTENSIONS : IMAGE_EXTENSIONS;
    expanded = await expandInputs(inputs, { extensions, recursive: values.recursive === true, outDir });
    if (expanded.batch && values['ground-truth'] !== undefined)
      throw new DaxError('usage', '--ground-truth applies to a single input, not to a folder or a glob.');
    if (expanded.files.length === 0)
      throw new DaxError(
        'usage',
        `no ${classifier.modality === 'audio' ? 'sound' : 'image'} file (${extensions.join(', ')}) found${values.recursive ? '' : ' (--recursive searches subfolders too)'}.`,
        expanded.empty.join(', '),
      );
  } catch (error) {
    await classifier.dispose();
    return usageError((error as Error).message);
  }
  for (const positional of expanded.empty) {
    const message = `${positional}: no ${classifier.modality === 'audio' ? 'sound' : 'image'} file found.`;
    results.push({ file: positional, status: 'failed', error: message, exitCode: EXIT.usage });
    process.stderr.write(`dax: ${message}\n`);
  }
  const batch = expanded.batch;
  const files = expanded.files;
  const locations = outputLocations(files, outDir, batch);
  // The output folder is checked before any work: one that cannot be written fails now, not after the first
  // explanation. Temporary files a killed run left there (*.partial-<pid> of a process that is gone) are removed.
  try {
    await checkWritableFolder('--out', outDir);
  } catch (error) {
    await classifier.dispose();
    return usageError((error as Error).message);
  }
  for (const dir of new Set([outDir, ...locations.map((location) => location.dir)])) await removeStalePartials(dir);
  const preset = methodTrains(spec.method) ? presetName : 'custom';
  const modelHash = await modelSha256(classifier.config);
  // What a report on disk must have been made with for a batch to skip its input.
  const identity: RunIdentity = {
    method: spec.method,
    preset,
    seed,
    settings: classifier.modality === 'audio' ? withoutKeys(spec.settings, ['perturbation', 'grid']) : spec.settings,
    model: classifier.config,
    modelSha256: modelHash,
    backend: (await initBackend(backend)).name,
    faithfulness: faithfulness && {
      substrate: classifier.modality === 'audio' ? undefined : faithfulness.substrate,
      steps: faithfulness.steps,
    },
  };

  let interrupted = false;
  try {
    interrupted = await withInterrupt(async (signal) => {
      for (const [i, { file: input }] of files.entries()) {
        if (signal.aborted) {
          results.push(
            ...files.slice(i).map(({ file }): FileResult => ({ file, status: 'not run', exitCode: EXIT.ok })),
          );
          return true;
        }
        const started = performance.now();
        const location = locations[i]!;
        const paths =
          classifier.modality === 'audio'
            ? audioOutputPaths(location.dir, nameFor(location), spec.method)
            : outputPaths(location.dir, nameFor(location), spec.method);
        const label = batch ? `[${i + 1}/${files.length}] ${path.basename(input)}` : path.basename(input);
        const bar = new ProgressBar(label, !values.json && process.stderr.isTTY === true);
        try {
          // Hashed once, and only when needed: to compare with a report already there, or for the new report once the
          // input has been read (a file refused from its header is never read whole). Unreadable here: the
          // explanation reports why, in its own words.
          let hashed: Promise<string | undefined> | undefined;
          const inputSha256 = (): Promise<string | undefined> =>
            (hashed ??= fileSha256(path.resolve(input)).catch(() => undefined));
          const existing =
            batch && !values.force
              ? await upToDateReport(paths.report, { ...paths }, inputSha256, identity)
              : undefined;
          if (existing) {
            results.push(resultOf(input, 'skipped', existing, values.json === true));
            if (!values.json) process.stdout.write(`${input}: up to date, skipped (${paths.report})\n`);
            continue;
          }
          const made = await explainOne(input, location, signal, bar);
          const report: ExplanationReport = {
            ...made.report,
            input: { ...made.report.input, sha256: await inputSha256() },
            config: { ...made.report.config, [MODEL_SHA256_KEY]: modelHash },
            outputs: paths,
          };
          await made.write(report);
          results.push(resultOf(input, 'ok', report, values.json === true));
          if (!values.json) process.stdout.write(describe(input, report));
        } catch (error) {
          bar.stop();
          const daxError = asDaxError(error, 'explain', input);
          if (daxError.kind === 'cancelled') {
            process.stderr.write(`dax: cancelled; no files were written for ${input}.\n`);
            results.push({
              file: input,
              status: 'cancelled',
              exitCode: EXIT.interrupted,
              elapsedMs: performance.now() - started,
            });
            results.push(
              ...files.slice(i + 1).map(({ file }): FileResult => ({ file, status: 'not run', exitCode: EXIT.ok })),
            );
            return true;
          }
          results.push({
            file: input,
            status: 'failed',
            error: daxError.message,
            exitCode: exitCodeOf(daxError),
            elapsedMs: performance.now() - started,
          });
          process.stderr.write(`dax: ${daxError.message}\n`);
        } finally {
          logMemory(i + 1, input);
        }
      }
      return false;
    });
  } finally {
    await classifier.dispose();
  }

  // Explicitly named files alone: no summary, and Ctrl-C leaves nothing behind (as always).
  if (!batch && interrupted) return EXIT.interrupted;
  let summary: { markdown: string; csv: string } | undefined;
  let summaryFailed = false;
  if (batch) {
    try {
      summary = await writeSummary(outDir, results);
    } catch (error) {
      summaryFailed = true;
      process.stderr.write(`dax: ${outDir}: cannot write the summary (${(error as Error).message}).\n`);
    }
    if (!values.json)
      process.stdout.write(
        `\n${summaryMarkdown(results)}${summary ? `\nsummary: ${summary.markdown}, ${summary.csv}\n` : ''}`,
      );
  }
  if (values.json) {
    const rows = results.map(({ file, status, full, error }) => ({
      file,
      status,
      ...(full ? { report: full } : {}),
      ...(error !== undefined ? { error } : {}),
    }));
    process.stdout.write(JSON.stringify({ results: rows, ...(summary ? { summary } : {}) }, null, 2) + '\n');
  }
  if (interrupted) return EXIT.interrupted;
  return Math.max(EXIT.ok, summaryFailed ? EXIT.failed : EXIT.ok, ...results.map((r) => r.exitCode));

  /** Explains one input; `write` puts its files (all or nothing) where `location` says. */
  async function explainOne(
    input: string,
    location: OutputLocation,
    signal: AbortSignal,
    bar: ProgressBar,
  ): Promise<{ report: ExplanationReport; write: (report: ExplanationReport) => Promise<void> }> {
    try {
      if (classifier.modality === 'audio') {
        const explanation = await explainAudio({
          audioFile: path.resolve(input),
          classifier,
          method: spec,
          preset,
          seed,
          target: classifier.config.target,
          groundTruth: truthInterval,
          faithfulness: faithfulness && { steps: faithfulness.steps, queryBatchSize: faithfulness.queryBatchSize },
          maxSeconds,
          backend,
          signal,
          onProgress: bar.onProgress,
        });
        const paths = audioOutputPaths(location.dir, nameFor(location), spec.method);
        return {
          report: explanation.report,
          write: (report) => writeAudioExplanation(paths, explanation.scene, explanation.saliency, report),
        };
      }
      const explanation = await explainImage({
        imageFile: path.resolve(input),
        classifier,
        method: spec,
        preset,
        seed,
        target: classifier.config.target,
        groundTruthFile: values['ground-truth'] ? path.resolve(values['ground-truth']) : undefined,
        faithfulness,
        maxPixels,
        backend,
        signal,
        onProgress: bar.onProgress,
      });
      const paths = outputPaths(location.dir, nameFor(location), spec.method);
      return {
        report: explanation.report,
        write: (report) => writeExplanation(paths, explanation.image, explanation.saliency, report),
      };
    } finally {
      bar.stop();
    }
  }
}

/** A file name whose stem is the location's (outputPaths and audioOutputPaths drop the last extension). */
function nameFor(location: OutputLocation): string {
  return `${location.stem}.input`;
}

/** A result row; the full report is kept only when it is printed (--json), so a long batch holds little. */
function resultOf(file: string, status: 'ok' | 'skipped', report: ExplanationReport, keepFull: boolean): FileResult {
  const { target, queries, timing } = report;
  return {
    file,
    status,
    report: { target, queries, timing },
    ...(keepFull ? { full: report } : {}),
    exitCode: EXIT.ok,
  };
}

function withoutKeys(settings: object, keys: string[]): object {
  return Object.fromEntries(Object.entries(settings).filter(([key]) => !keys.includes(key)));
}

/**
 * DAX_MEMORY_LOG=FILE: one JSON line per input with the process's memory and TF.js's live tensors, to check that a
 * long batch stays flat (bench/folderMemory.ts reads it).
 */
function logMemory(index: number, file: string): void {
  const logFile = process.env.DAX_MEMORY_LOG;
  if (!logFile) return;
  const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
  const { numTensors, numBytes } = tf.memory();
  appendFileSync(
    logFile,
    JSON.stringify({ index, file, rss, heapUsed, external, arrayBuffers, numTensors, numBytes }) + '\n',
  );
}

function describe(input: string, report: ExplanationReport): string {
  const target = report.target;
  const label = target.label !== undefined ? `"${target.label}" (class ${target.index})` : `class ${target.index}`;
  const training = report.training;
  const work = training
    ? `${report.queries} queries in ${seconds(report.timing.queryMs)} s, ${training.steps} training steps in ${seconds(training.ms)} s on ${report.backend.name}`
    : `${methodLabel(report.method)}: ${report.queries} queries in ${seconds(report.timing.queryMs)} s`;
  const truth = report.groundTruth;
  const faithful = report.faithfulness;
  const audio = report.audio;
  const top = audio?.intervals[0];
  const files = Object.entries(report.outputs!)
    .map(([key, file]) => `  ${`${key}:`.padEnd(10)}${file}\n`)
    .join('');
  return (
    `${input}: ${label}, p = ${target.probability.toFixed(3)}\n` +
    `  ${work}\n` +
    (audio
      ? `  top interval: ${top ? `${top.start.toFixed(2)}-${top.end.toFixed(2)} s` : 'none (flat map)'} of ${audio.durationSeconds.toFixed(2)} s\n`
      : '') +
    (audio?.groundTruth
      ? `  ground truth ${audio.groundTruth.start}-${audio.groundTruth.end} s: time IoU = ${audio.groundTruth.timeIou.toFixed(3)}\n`
      : '') +
    (truth
      ? `  ground truth: IoU@0.2 = ${truth.iouAt02.toFixed(3)}, best IoU = ${truth.bestIou.toFixed(3)} at ${truth.bestThreshold.toFixed(2)}, pointing ${truth.pointingHit ? 'hit' : 'miss'}\n`
      : '') +
    (faithful
      ? `  deletion AUC = ${faithful.deletionAuc.toFixed(3)} (lower is better), insertion AUC = ${faithful.insertionAuc.toFixed(3)} (higher is better), ${faithful.substrate} substrate\n`
      : '') +
    files
  );
}

function isAudioFile(file: string): boolean {
  const extension = path.extname(file).slice(1).toLowerCase();
  return (AUDIO_EXTENSIONS as readonly string[]).includes(extension);
}
