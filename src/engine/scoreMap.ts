// A saved map scored against a ground-truth mask after the fact (the panel's Ground Truth…): the map as it was
// written (8-bit grey), the mask resized to it. No model is needed, so it takes a fraction of a second.
import type { ComparisonReport, GroundTruthScores } from '../shared/report';
import { DaxError } from './core/errors';
import { scoreAgainstMask } from './explainImage';
import { decodeImage, greyLevels } from './io/image';

/** Scores the grey map in `saliencyFile`; a mask that cannot be read fails as an input error naming it. */
export async function scoreSavedMap(saliencyFile: string, maskFile: string): Promise<GroundTruthScores> {
  const picture = await decodeImage(saliencyFile, { background: { r: 0, g: 0, b: 0 } }).catch((error: Error) => {
    throw new DaxError('input', `the result's map cannot be read (${error.message}); explain the input again.`);
  });
  return scoreAgainstMask(greyLevels(picture), maskFile, picture.width, picture.height);
}

/**
 * A comparison with every row scored against `maskFile` on the map its method saved (the row's `saliency`), each as
 * scoreSavedMap scores a single result: IoU at 0.2, the best IoU and the pointing game. No method runs again and the
 * black box is not asked. All rows or none: a mask that cannot be read fails as an input error naming it, and the
 * comparison passed in is left as it was.
 */
export async function scoreComparisonMaps(comparison: ComparisonReport, maskFile: string): Promise<ComparisonReport> {
  const rows: ComparisonReport['rows'] = [];
  for (const row of comparison.rows) {
    if (!row.saliency)
      throw new DaxError(
        'input',
        `the map of ${row.method} in this comparison was not saved; compare the methods again.`,
      );
    const scores = await scoreSavedMap(row.saliency, maskFile);
    rows.push({ ...row, iouAt02: scores.iouAt02, bestIou: scores.bestIou, pointingHit: scores.pointingHit });
  }
  return { ...comparison, groundTruthFile: maskFile, rows };
}
