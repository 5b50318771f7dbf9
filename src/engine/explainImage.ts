// Explains why a black box gave an image its class: decode, query, train, and return the saliency with a report.
import path from 'node:path';
import type { ExplanationReport, ClassScore } from '../shared/report';
import type { ImageClassifier } from './blackbox/classifier';
import { resolveTarget } from './blackbox/modelConfig';
import { DaxError, asDaxError } from './core/errors';
import type { ProgressListener } from './core/progress';
import { createRng } from './core/rng';
import { decodeImage, decodeMask, DEFAULT_MAX_PIXELS, type RgbImage } from './io/image';
import { runDax } from './methods/dax/daxMethod';
import type { DaxSettings } from './methods/dax/presets';
import { bestIou, iouAtThreshold, pointingHit } from './metrics/groundTruth';
import { buildScene } from './perturbation/scene';
import { poolOverSegments } from './perturbation/segmentPooling';
import { initBackend, tf, type BackendPreference } from './tf/runtime';
import { versions } from './versions';

/** One explanation request. */
export interface ExplainImageRequest {
  imageFile: string;
  classifier: ImageClassifier;
  settings: DaxSettings;
  /** Name of the preset the settings came from (for the report). */
  preset: string;
  seed: number;
  /** Class to explain (index or label); default the top-1 class on the input. */
  target?: number | string;
  groundTruthFile?: string;
  maxPixels?: number;
  backend?: BackendPreference;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

/** A saliency map at the input's resolution (row-major, min-max normalised to [0, 1]) and its report. */
export interface ImageExplanation {
  image: RgbImage;
  saliency: Float32Array;
  report: ExplanationReport;
}

/** Runs DAX on one image file. Errors are DaxErrors whose kind says whose fault it was. */
export async function explainImage(request: ExplainImageRequest): Promise<ImageExplanation> {
  const started = performance.now();
  const { classifier, settings, signal, onProgress } = request;
  onProgress?.({ type: 'phase', phase: 'loading', message: `reading ${path.basename(request.imageFile)}` });
  const backend = await initBackend(request.backend ?? 'auto');
  const image = await decodeImage(request.imageFile, { maxPixels: request.maxPixels ?? DEFAULT_MAX_PIXELS });
  const scene = await buildScene(image, classifier, settings.perturbation);
  const loadMs = performance.now() - started;
  const labels = classifier.labels;

  let outcome;
  try {
    outcome = await runDax(scene, classifier, settings, createRng(request.seed), (probabilities) => {
      if (labels && labels.length !== probabilities.length) {
        throw new DaxError('usage', `has ${labels.length} labels but the model returns ${probabilities.length} classes.`, classifier.config.path);
      }
      return resolveTarget(request.target, labels, probabilities.length, classifier.config.path) ?? argmax(probabilities);
    }, { signal, onProgress });
  } catch (error) {
    throw asDaxError(error, 'explain', request.imageFile);
  }

  onProgress?.({ type: 'phase', phase: 'finishing', message: 'upsampling the mask to the input resolution' });
  const finishStarted = performance.now();
  const { training } = outcome;
  const saliency = normalise(
    poolOverSegments(upsampleMask(training.mask, training.gridWidth, training.gridHeight, image.width, image.height), image.width, image.height, scene.segmentation, settings.segmentPooling),
  );
  const score = (index: number): ClassScore => ({ index, label: labels?.[index], probability: outcome.inputProbabilities[index]! });
  const top = Array.from(outcome.inputProbabilities.keys()).sort((a, b) => outcome.inputProbabilities[b]! - outcome.inputProbabilities[a]!).slice(0, 5).map(score);

  let groundTruth: ExplanationReport['groundTruth'];
  if (request.groundTruthFile) {
    const mask = await decodeMask(request.groundTruthFile, image.width, image.height);
    const best = bestIou(saliency, mask);
    groundTruth = { file: request.groundTruthFile, iouAt02: iouAtThreshold(saliency, mask, 0.2), bestIou: best.iou, bestThreshold: best.threshold, pointingHit: pointingHit(saliency, mask) };
  }
  const finishMs = performance.now() - finishStarted;
  const report: ExplanationReport = {
    schema: 1,
    method: 'dax',
    input: { file: request.imageFile, width: image.width, height: image.height },
    model: { name: classifier.config.name, kind: classifier.config.kind, path: classifier.config.path, description: classifier.description },
    target: score(outcome.target),
    top,
    queries: outcome.query.queries,
    trainingSteps: training.steps,
    epochs: training.epochs,
    stoppedEarly: training.stoppedEarly,
    timing: {
      totalMs: performance.now() - started,
      loadMs,
      queryMs: outcome.query.totalMs,
      modelMs: outcome.query.modelMs,
      trainMs: training.trainMs,
      finishMs,
    },
    backend: { name: backend.name, notes: backend.notes },
    workingSize: outcome.working,
    maskGrid: { width: training.gridWidth, height: training.gridHeight },
    segments: scene.segmentation.count,
    losses: training.history,
    validation: training.validation,
    config: { ...settings, target: request.target ?? 'top1', maxPixels: request.maxPixels ?? DEFAULT_MAX_PIXELS, model: classifier.config },
    preset: request.preset,
    seed: request.seed,
    versions: versions(backend.name),
    groundTruth,
  };
  return { image, saliency, report };
}

function argmax(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/** Bilinear upsampling of the coarse mask to the image. */
export function upsampleMask(mask: Float32Array, gridWidth: number, gridHeight: number, width: number, height: number): Float32Array {
  return tf.tidy(() => {
    const grid = tf.tensor4d(mask, [1, gridHeight, gridWidth, 1]);
    return tf.image.resizeBilinear(grid, [height, width], false, true).dataSync() as Float32Array;
  });
}

/** Min-max normalisation to [0, 1]; a constant map becomes all zeros. */
export function normalise(full: Float32Array): Float32Array {
  let min = Infinity;
  let max = -Infinity;
  for (const value of full) {
    min = Math.min(min, value);
    max = Math.max(max, value);
  }
  const range = max - min;
  const out = new Float32Array(full.length);
  if (range <= 1e-12) return out;
  for (let i = 0; i < full.length; i++) out[i] = (full[i]! - min) / range;
  return out;
}
