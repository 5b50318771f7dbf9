// Explains why a black box gave an image its class: decode, query, train, and return the saliency with a report.
import path from 'node:path';
import { REPORT_SCHEMA, type ExplanationReport, type GroundTruthScores } from '../shared/report';
import { checkingProbabilities, type ImageClassifier } from './blackbox/classifier';
import { asDaxError } from './core/errors';
import type { ProgressListener } from './core/progress';
import { decodeImage, decodeMask, DEFAULT_MAX_PIXELS, WORKING_MAX_PIXELS, type RgbImage } from './io/image';
import type { MethodSpec } from './methods/registry';
import { explainScene } from './explainScene';
import { measureFaithfulness, type FaithfulnessOptions } from './metrics/faithfulness';
import { bestIou, iouAtThreshold, pointingHit } from './metrics/groundTruth';
import { buildScene, type Scene } from './perturbation/scene';
import { initBackend, type BackendPreference } from './tf/runtime';
import { runFacts, trainingFacts } from './runReport';
import { minMaxNormalise } from './core/minMax';

/** One explanation request. */
export interface ExplainImageRequest {
  imageFile: string;
  classifier: ImageClassifier;
  /** The method and its settings. */
  method: MethodSpec;
  /** Name of the preset the settings came from (for the report), or `custom`. */
  preset: string;
  seed: number;
  /** Class to explain (index or label); default the top-1 class on the input. */
  target?: number | string;
  groundTruthFile?: string;
  /** Also measure deletion and insertion AUC through the black box (2·(steps+1) more queries). */
  faithfulness?: FaithfulnessOptions;
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
  /** The perturbation space the run used (for metrics that query the black box again). */
  scene: Scene;
}

/** Explains one image file with the requested method. Errors are DaxErrors whose kind says whose fault it was. */
export async function explainImage(request: ExplainImageRequest): Promise<ImageExplanation> {
  const started = performance.now();
  const { method, signal, onProgress } = request;
  // Every answer the run uses must be a probability (the method, the report and the metrics read them as such).
  const classifier = checkingProbabilities(request.classifier);
  onProgress?.({ type: 'phase', phase: 'loading', message: `reading ${path.basename(request.imageFile)}` });
  const backend = await initBackend(request.backend ?? 'auto');
  // A large input is decoded straight to the working size; the files are brought back to its size when written.
  const image = await decodeImage(request.imageFile, {
    maxPixels: request.maxPixels ?? DEFAULT_MAX_PIXELS,
    fitPixels: WORKING_MAX_PIXELS,
  });
  const scene = await buildScene(image, classifier, method.settings.perturbation);
  const loadMs = performance.now() - started;

  const run = await explainScene(method, scene, classifier, {
    file: request.imageFile,
    seed: request.seed,
    target: request.target,
    signal,
    onProgress,
  });

  onProgress?.({ type: 'phase', phase: 'finishing', message: 'bringing the map to the input resolution' });
  const finishStarted = performance.now();
  const saliency = minMaxNormalise(run.map);
  const groundTruth = request.groundTruthFile
    ? await scoreAgainstMask(saliency, request.groundTruthFile, image.width, image.height)
    : undefined;
  let faithfulness: ExplanationReport['faithfulness'];
  if (request.faithfulness) {
    try {
      faithfulness = await measureFaithfulness(scene, classifier, saliency, run.target, {
        ...request.faithfulness,
        signal,
        onProgress,
      });
    } catch (error) {
      throw asDaxError(error, 'explain', request.imageFile);
    }
  }
  const finishMs = performance.now() - finishStarted;
  const report: ExplanationReport = {
    schema: REPORT_SCHEMA,
    method: method.method,
    input: {
      file: request.imageFile,
      width: image.source?.width ?? image.width,
      height: image.source?.height ?? image.height,
    },
    ...runFacts(run, classifier, backend, { started, loadMs, finishMs }),
    segments: scene.segmentation.count,
    config: {
      ...method.settings,
      ...trainingFacts(run),
      target: request.target ?? 'top1',
      maxPixels: request.maxPixels ?? DEFAULT_MAX_PIXELS,
      model: classifier.config,
    },
    preset: request.preset,
    seed: request.seed,
    groundTruth,
    faithfulness,
  };
  return { image, saliency, report, scene };
}

/** IoU at 0.2 (the DAX paper's threshold), the best IoU over thresholds and the pointing game. */
export async function scoreAgainstMask(
  saliency: Float32Array,
  maskFile: string,
  width: number,
  height: number,
): Promise<GroundTruthScores> {
  const mask = await decodeMask(maskFile, width, height);
  const best = bestIou(saliency, mask);
  return {
    file: maskFile,
    iouAt02: iouAtThreshold(saliency, mask, 0.2),
    bestIou: best.iou,
    bestThreshold: best.threshold,
    pointingHit: pointingHit(saliency, mask),
  };
}
