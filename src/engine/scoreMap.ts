// A saved map scored against a ground-truth mask after the fact (the panel's Ground Truth…): the map as it was
// written (8-bit grey), the mask resized to it. No model is needed, so it takes a fraction of a second.
import type { GroundTruthScores } from '../shared/report';
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
