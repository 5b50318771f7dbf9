// One explanation job in the worker: open (or reuse) the black box, run the engine, write the files, and shrink
// the result to what the panel draws.
import sharp from 'sharp';
import type { AudioClassifier, ImageClassifier } from '../engine/blackbox/classifier';
import { spectrogramPictures } from '../engine/audio/audioPictures';
import { openAudioClassifier } from '../engine/blackbox/openAudioClassifier';
import { DaxError } from '../engine/core/errors';
import { explainAudio, type AudioExplanation } from '../engine/explainAudio';
import { audioOutputPaths, keptAndRemoved, writeAudioExplanation } from '../engine/io/audioOutputs';
import type { ModelConfig } from '../engine/blackbox/modelConfig';
import { inspectModel } from '../engine/blackbox/inspectModel';
import { resolveModelSetting } from '../engine/blackbox/modelFiles';
import { openClassifier } from '../engine/blackbox/openClassifier';
import type { ProgressListener } from '../engine/core/progress';
import { compareImage } from '../engine/compareImage';
import { explainImage } from '../engine/explainImage';
import { outputPaths, removeStalePartials, saliencyBytes, writeExplanation } from '../engine/io/outputs';
import { resolveSettings } from '../engine/methods/dax/presets';
import { methodForBudget } from '../engine/methods/registry';
import { DEFAULT_FAITHFULNESS_STEPS, type FaithfulnessOptions } from '../engine/metrics/faithfulness';
import { initBackend } from '../engine/tf/runtime';
import type {
  ComparisonDetail,
  ComparisonResult,
  DisplayPixels,
  ExplainJob,
  ExplainResult,
  ModelInspection,
} from '../shared/protocol';
import { METHOD_NAMES } from '../engine/methods/registry';
import { checkExplainJob } from '../shared/jobCheck';
import { mapPreview } from './mapPreview';

/** Longest side of the pixels sent to the panel: enough for a side panel, small enough to post at once. */
const DISPLAY_MAX_SIDE = 1024;

/** The black box of the previous job, kept open while jobs keep naming the same model. */
let cached: { key: string; classifier: ImageClassifier | AudioClassifier } | undefined;

export async function runJob(
  job: ExplainJob,
  signal: AbortSignal,
  onProgress: ProgressListener,
  modelTimeoutMs?: number,
): Promise<ExplainResult> {
  const { config, classifier, settings, backend } = await prepare(job, modelTimeoutMs);
  onProgress({ type: 'started', backend, budget: settings.samples });
  const audio = classifier.modality === 'audio';
  const listener: ProgressListener = (event) => onProgress(event.type === 'map' ? mapPreview(event, audio) : event);
  // A worker killed while writing (a Cancel it did not answer) left temporary files: gone before this run writes.
  await removeStalePartials(job.outDir);
  if (classifier.modality === 'audio') {
    const explanation = await explainAudio({
      audioFile: job.inputFile,
      classifier,
      method: methodForBudget(job.method, settings.samples, settings),
      preset: job.preset,
      seed: job.seed,
      target: job.target ?? config.target,
      faithfulness: job.faithfulness
        ? { steps: DEFAULT_FAITHFULNESS_STEPS, queryBatchSize: settings.queryBatchSize }
        : undefined,
      backend: job.backend,
      signal,
      onProgress: listener,
    });
    const paths = audioOutputPaths(job.outDir, job.inputFile, job.method);
    await writeAudioExplanation(paths, explanation.scene, explanation.saliency, explanation.report);
    return { report: { ...explanation.report, outputs: paths }, display: await audioDisplay(explanation) };
  }
  const explanation = await explainImage({
    imageFile: job.inputFile,
    classifier,
    method: methodForBudget(job.method, settings.samples, settings),
    preset: job.preset,
    seed: job.seed,
    target: job.target ?? config.target,
    faithfulness: job.faithfulness ? faithfulnessFor(settings.queryBatchSize) : undefined,
    backend: job.backend,
    signal,
    onProgress: listener,
  });
  const paths = outputPaths(job.outDir, job.inputFile, job.method);
  await writeExplanation(paths, explanation.image, explanation.saliency, explanation.report);
  return {
    report: { ...explanation.report, outputs: paths },
    display: await displayPixels(explanation.image, explanation.saliency),
  };
}

/** Every method at `budget` queries on the job's image; each method's files go to the job's `outDir`. */
export async function runComparison(
  job: ExplainJob,
  budget: number,
  signal: AbortSignal,
  onProgress: ProgressListener,
  modelTimeoutMs?: number,
): Promise<ComparisonResult> {
  const { config, classifier, settings, backend } = await prepare(job, modelTimeoutMs);
  if (classifier.modality === 'audio') {
    throw new DaxError(
      'usage',
      'Compare Methods draws images only so far; for a sound, run Explain with each method (setting dax.method) or `dax explain --method`.',
      job.inputFile,
    );
  }
  const detail: ComparisonDetail = { width: 0, height: 0, rgb: new Uint8Array(0), methods: [] };
  let started: string | undefined;
  const report = await compareImage({
    imageFile: job.inputFile,
    classifier,
    methods: METHOD_NAMES,
    budget,
    dax: settings,
    preset: job.preset,
    seed: job.seed,
    target: job.target ?? config.target,
    faithfulness: faithfulnessFor(settings.queryBatchSize),
    backend: job.backend,
    signal,
    // Each method spends the budget afresh: its first event says so.
    onProgress: (method, event) => {
      if (method !== started) {
        started = method;
        onProgress({ type: 'started', backend, budget });
      }
      onProgress(event.type === 'map' ? mapPreview(event, false) : event);
    },
    onExplained: async (method, explanation) => {
      const paths = outputPaths(job.outDir, job.inputFile, method);
      await writeExplanation(paths, explanation.image, explanation.saliency, explanation.report);
      const display = await displayPixels(explanation.image, explanation.saliency);
      Object.assign(detail, { width: display.width, height: display.height, rgb: display.rgb });
      const curves = explanation.report.faithfulness!;
      detail.methods.push({
        method,
        saliency: display.saliency,
        fractions: curves.fractions,
        deletionCurve: curves.deletionCurve,
        insertionCurve: curves.insertionCurve,
      });
      return paths;
    },
  });
  return { report, detail };
}

/** The CLI's defaults: the blurred substrate (RISE's evaluation) and the default number of steps. */
function faithfulnessFor(queryBatchSize: number): FaithfulnessOptions {
  return { steps: DEFAULT_FAITHFULNESS_STEPS, substrate: 'blur', queryBatchSize };
}

async function prepare(unchecked: ExplainJob, modelTimeoutMs: number | undefined) {
  // The host checks a job before it sends it; the worker checks again, with the same code, whatever sent it.
  let job: ExplainJob;
  try {
    job = checkExplainJob(unchecked);
  } catch (error) {
    throw new DaxError('usage', (error as Error).message);
  }
  // TF.js black boxes run on the engine's backend, so it must be up before the model loads.
  const backend = await initBackend(job.backend);
  const config = await resolveModelSetting(job.model, job.modelBaseDir);
  const classifier = await classifierFor(config, modelTimeoutMs);
  const settings = resolveSettings(job.preset, {
    samples: job.samples,
    epochs: job.epochs,
    lambda1: job.lambda1,
    lambda2: job.lambda2,
  });
  return { config, classifier, settings, backend: backend.name };
}

export async function disposeCachedModel(): Promise<void> {
  const previous = cached;
  cached = undefined;
  await previous?.classifier.dispose();
}

async function classifierFor(
  config: ModelConfig,
  callTimeoutMs: number | undefined,
): Promise<ImageClassifier | AudioClassifier> {
  const key = JSON.stringify({ config, callTimeoutMs });
  if (cached?.key === key) return cached.classifier;
  await disposeCachedModel();
  const classifier = config.audio
    ? await openAudioClassifier(config, { callTimeoutMs })
    : await openClassifier(config, { callTimeoutMs });
  cached = { key, classifier };
  return classifier;
}

async function displayPixels(
  image: { width: number; height: number; data: Uint8Array },
  saliency: Float32Array,
): Promise<DisplayPixels> {
  const ratio = Math.min(1, DISPLAY_MAX_SIDE / Math.max(image.width, image.height));
  const width = Math.max(1, Math.round(image.width * ratio));
  const height = Math.max(1, Math.round(image.height * ratio));
  if (ratio === 1) return { width, height, rgb: image.data, saliency: saliencyBytes(saliency) };
  const rgb = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(width, height, { fit: 'fill' })
    .raw()
    .toBuffer();
  const grey = await sharp(saliencyBytes(saliency), { raw: { width: image.width, height: image.height, channels: 1 } })
    .resize(width, height, { fit: 'fill' })
    .raw()
    .toBuffer();
  return {
    width,
    height,
    rgb: new Uint8Array(rgb.buffer, rgb.byteOffset, rgb.length),
    saliency: new Uint8Array(grey.buffer, grey.byteOffset, grey.length),
  };
}

/** The spectrogram and the map as pictures, and the sounds and the time curve the panel plays and plots. */
async function audioDisplay(explanation: AudioExplanation): Promise<DisplayPixels> {
  const { scene, saliency, findings } = explanation;
  const { rows, frames } = scene.spectrogram;
  const { image, saliency: map } = await spectrogramPictures(scene.picture, saliency, rows, frames);
  const { kept, removed } = keptAndRemoved(scene, saliency);
  return {
    width: image.width,
    height: image.height,
    rgb: image.data,
    saliency: saliencyBytes(map),
    audio: {
      sampleRate: scene.sampleRate,
      original: scene.samples,
      kept,
      removed,
      durationSeconds: findings.durationSeconds,
      timeSaliency: Float32Array.from(findings.timeSaliency),
      frameSeconds: findings.frameSeconds,
      intervals: findings.intervals.map(({ start, end }) => ({ start, end })),
      truth: findings.groundTruth && { start: findings.groundTruth.start, end: findings.groundTruth.end },
      lowHz: findings.spectrogram.lowHz,
      highHz: findings.spectrogram.highHz,
      scale: findings.spectrogram.scale,
    },
  };
}

/** What the model a setting names fixes about its input (Select Model's questions); it is not kept open. */
export async function inspectModelSetting(model: ExplainJob['model'], baseDir: string): Promise<ModelInspection> {
  const config = await resolveModelSetting(model, baseDir);
  if (config.kind === 'tfjs') await initBackend('auto');
  return inspectModel(config);
}
