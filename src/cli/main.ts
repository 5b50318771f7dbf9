#!/usr/bin/env node
// `dax`: explain black-box image classifiers from the command line.
import { parseArgs } from 'node:util';
import path from 'node:path';
import { existsSync } from 'node:fs';
import type { ImageClassifier } from '../engine/blackbox/classifier';
import { loadModelConfig } from '../engine/blackbox/modelConfig';
import { openClassifier } from '../engine/blackbox/openClassifier';
import { DaxError, asDaxError } from '../engine/core/errors';
import { explainImage } from '../engine/explainImage';
import { outputPaths, writeExplanation } from '../engine/io/outputs';
import { PRESETS, type DaxSettings, type PresetName } from '../engine/methods/dax/presets';
import { initBackend, type BackendPreference } from '../engine/tf/runtime';
import { daxVersion } from '../engine/versions';
import type { ExplanationReport } from '../shared/report';
import { ProgressBar } from './progressBar';

const USAGE = `Usage: dax explain <image...> --model <config.json | model.onnx | model.json> [options]

Explains why a black-box image classifier gave each image its class, with DAX
(Distillation Aided eXplainability, arXiv 2409.11123). Writes, for each image,
<stem>.saliency.png, <stem>.overlay.png and <stem>.dax.json.

Options:
  --model FILE          model description (JSON) or model file (required)
  --out DIR             output folder (default: dax-out)
  --preset NAME         fast (500 queries) | balanced (1000) | thorough (3000); default balanced
  --samples N           black-box queries (overrides the preset)
  --epochs E            training epochs (overrides the preset)
  --seed S              random seed (default 0): the same seed repeats a run on the same backend
  --target T            class to explain: index or label (default: the top-1 class)
  --ground-truth FILE   mask image: report IoU at 0.2, best IoU and the pointing game
  --backend NAME        auto | tensorflow | wasm | cpu (default auto)
  --max-pixels N        refuse larger images (default 40000000)
  --json                print the results as JSON on stdout (no progress bar)
  -h, --help            this help
  --version             the version

Exit status: 0 success, 1 an explanation failed, 2 bad usage or input.`;

/** Exit codes. */
const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

interface FileResult {
  file: string;
  status: 'ok' | 'failed';
  report?: ExplanationReport;
  error?: string;
  exitCode: number;
}

/** Runs the CLI with `argv` (without node and the script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        model: { type: 'string' },
        out: { type: 'string' },
        preset: { type: 'string' },
        samples: { type: 'string' },
        epochs: { type: 'string' },
        seed: { type: 'string' },
        target: { type: 'string' },
        'ground-truth': { type: 'string' },
        backend: { type: 'string' },
        'max-pixels': { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    return usageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return EXIT.ok;
  }
  if (values.version) {
    process.stdout.write(`${daxVersion()}\n`);
    return EXIT.ok;
  }
  const [command, ...inputs] = positionals;
  if (command !== 'explain') return usageError(command ? `unknown command "${command}".` : 'no command given.');
  if (inputs.length === 0) return usageError('no input image given.');
  if (!values.model) return usageError('--model is required.');

  let settings: DaxSettings;
  let seed: number;
  let maxPixels: number | undefined;
  const presetName = (values.preset ?? 'balanced') as PresetName;
  const backend = (values.backend ?? 'auto') as BackendPreference;
  try {
    if (!(presetName in PRESETS)) throw new DaxError('usage', `--preset must be fast, balanced or thorough (got "${values.preset}").`);
    if (!['auto', 'tensorflow', 'wasm', 'cpu'].includes(backend)) throw new DaxError('usage', `--backend must be auto, tensorflow, wasm or cpu (got "${backend}").`);
    settings = { ...PRESETS[presetName] };
    if (values.samples !== undefined) settings.samples = integerOption('--samples', values.samples, 2);
    if (values.epochs !== undefined) settings.epochs = integerOption('--epochs', values.epochs, 1);
    seed = values.seed === undefined ? 0 : integerOption('--seed', values.seed, 0);
    if (values['max-pixels'] !== undefined) maxPixels = integerOption('--max-pixels', values['max-pixels'], 1);
    if (values['ground-truth'] && inputs.length > 1) throw new DaxError('usage', '--ground-truth applies to a single input image.');
    if (values['ground-truth'] && !existsSync(values['ground-truth'])) throw new DaxError('input', 'the ground-truth mask does not exist.', values['ground-truth']);
  } catch (error) {
    return usageError((error as Error).message);
  }

  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const outDir = path.resolve(values.out ?? 'dax-out');
  const results: FileResult[] = [];
  let classifier: ImageClassifier | undefined;
  try {
    try {
      const config = await loadModelConfig(values.model, { target: values.target });
      // TF.js black boxes run on the engine's backend, so it must be up before the model loads.
      await initBackend(backend);
      classifier = await openClassifier(config);
    } catch (error) {
      return usageError(asDaxError(error, 'model', values.model).message);
    }
    for (const input of inputs) {
      const bar = new ProgressBar(path.basename(input), !values.json && process.stderr.isTTY === true);
      try {
        const explanation = await explainImage({
          imageFile: path.resolve(input),
          classifier,
          settings,
          preset: presetName,
          seed,
          target: classifier.config.target,
          groundTruthFile: values['ground-truth'] ? path.resolve(values['ground-truth']) : undefined,
          maxPixels,
          backend,
          signal: controller.signal,
          onProgress: bar.onProgress,
        });
        bar.stop();
        const paths = outputPaths(outDir, input);
        await writeExplanation(paths, explanation.image, explanation.saliency, explanation.report);
        const report = { ...explanation.report, outputs: paths };
        results.push({ file: input, status: 'ok', report, exitCode: EXIT.ok });
        if (!values.json) process.stdout.write(describe(input, report));
      } catch (error) {
        bar.stop();
        const daxError = asDaxError(error, 'explain', input);
        if (daxError.kind === 'cancelled') {
          process.stderr.write(`dax: cancelled; no files were written for ${input}.\n`);
          return EXIT.interrupted;
        }
        const exitCode = daxError.kind === 'input' || daxError.kind === 'usage' ? EXIT.usage : EXIT.failed;
        results.push({ file: input, status: 'failed', error: daxError.message, exitCode });
        process.stderr.write(`dax: ${daxError.message}\n`);
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await classifier?.dispose();
  }
  if (values.json) {
    process.stdout.write(JSON.stringify({ results: results.map(({ exitCode: _code, ...rest }) => rest) }, null, 2) + '\n');
  }
  return Math.max(EXIT.ok, ...results.map((r) => r.exitCode));
}

function describe(input: string, report: ExplanationReport): string {
  const target = report.target;
  const label = target.label !== undefined ? `"${target.label}" (class ${target.index})` : `class ${target.index}`;
  const seconds = (ms: number): string => (ms / 1000).toFixed(1);
  return (
    `${input}: ${label}, p = ${target.probability.toFixed(3)}\n` +
    `  ${report.queries} queries in ${seconds(report.timing.queryMs)} s, ${report.trainingSteps} training steps in ${seconds(report.timing.trainMs)} s on ${report.backend.name}\n` +
    (report.groundTruth
      ? `  ground truth: IoU@0.2 = ${report.groundTruth.iouAt02.toFixed(3)}, best IoU = ${report.groundTruth.bestIou.toFixed(3)} at ${report.groundTruth.bestThreshold.toFixed(2)}, pointing ${report.groundTruth.pointingHit ? 'hit' : 'miss'}\n`
      : '') +
    `  saliency: ${report.outputs!.saliency}\n  overlay:  ${report.outputs!.overlay}\n  report:   ${report.outputs!.report}\n`
  );
}

function integerOption(name: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new DaxError('usage', `${name} must be an integer ≥ ${min} (got "${text}").`);
  return value;
}

function usageError(message: string): number {
  process.stderr.write(`dax: ${message}\nRun "dax --help" for usage.\n`);
  return EXIT.usage;
}


if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`dax: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exitCode = EXIT.failed;
    },
  );
}
