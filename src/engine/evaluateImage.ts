// Measures an existing saliency map (DAX's or any other tool's) for one image and one black box.
import path from 'node:path';
import type { EvaluationReport } from '../shared/report';
import { checkingProbabilities, type ImageClassifier } from './blackbox/classifier';
import { asDaxError } from './core/errors';
import type { ProgressListener } from './core/progress';
import { chooseTarget } from './explainScene';
import { scoreAgainstMask } from './explainImage';
import { decodeImage, decodeSaliency, DEFAULT_MAX_PIXELS, WORKING_MAX_PIXELS } from './io/image';
import { runQueries } from './methods/queryRunner';
import { measureFaithfulness, type FaithfulnessOptions } from './metrics/faithfulness';
import { buildScene } from './perturbation/scene';

export interface EvaluateImageRequest {
  imageFile: string;
  /** A grey image; brighter is more salient. Resampled to the input's size when it differs. */
  saliencyFile: string;
  classifier: ImageClassifier;
  target?: number | string;
  groundTruthFile?: string;
  faithfulness: FaithfulnessOptions;
  maxPixels?: number;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

/** Deletion and insertion AUC of the map, and its agreement with a ground-truth mask when one is given. */
export async function evaluateImage(request: EvaluateImageRequest): Promise<EvaluationReport> {
  const started = performance.now();
  const { signal, onProgress } = request;
  // Every answer the run uses must be a probability (the method, the report and the metrics read them as such).
  const classifier = checkingProbabilities(request.classifier);
  onProgress?.({ type: 'phase', phase: 'loading', message: `reading ${path.basename(request.imageFile)}` });
  const image = await decodeImage(request.imageFile, {
    maxPixels: request.maxPixels ?? DEFAULT_MAX_PIXELS,
    fitPixels: WORKING_MAX_PIXELS,
  });
  const saliency = await decodeSaliency(request.saliencyFile, image.width, image.height);
  // Only the placement at the model's input matters here; the segmentation is never used, so keep it trivial.
  const scene = await buildScene(image, classifier, { segmentation: 'grid', segments: 1, fill: 'zero' });
  try {
    const input = await runQueries(classifier, 1, (_i, out) => out.set(scene.model.original), {
      batchSize: 1,
      inputLength: scene.model.original.length,
      padding: scene.model.padding,
      signal,
    });
    const probabilities = input.rows[0]!;
    const target = chooseTarget(request.target, classifier, probabilities);
    onProgress?.({ type: 'phase', phase: 'measuring', message: 'deleting and inserting pixels in saliency order' });
    const faithfulness = await measureFaithfulness(scene, classifier, saliency, target, {
      ...request.faithfulness,
      signal,
      onProgress,
    });
    const groundTruth = request.groundTruthFile
      ? await scoreAgainstMask(saliency, request.groundTruthFile, image.width, image.height)
      : undefined;
    return {
      schema: 1,
      input: {
        file: request.imageFile,
        width: image.source?.width ?? image.width,
        height: image.source?.height ?? image.height,
      },
      saliencyFile: request.saliencyFile,
      model: {
        name: classifier.config.name,
        kind: classifier.config.kind,
        path: classifier.config.path,
        description: classifier.description,
      },
      target: { index: target, label: classifier.labels?.[target], probability: probabilities[target]! },
      groundTruth,
      faithfulness,
      timing: { totalMs: performance.now() - started, modelMs: input.stats.modelMs },
    };
  } catch (error) {
    throw asDaxError(error, 'explain', request.imageFile);
  }
}
