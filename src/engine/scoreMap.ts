// A saved map scored against a ground-truth mask after the fact (the panel's Ground Truth…): the map as it was
// written (8-bit grey), the mask resized to it. No model is needed, so it takes a fraction of a second.
import type { GroundTruthScores } from '../shared/report';
import { DaxError } from './core/errors';
import { scoreAgainstMask } from './explainImage';
import { decodeImage } from './io/image';

/** Scores the grey map in `saliencyFile`; a mask that cannot be read fails as an input error naming it. */
export async function scoreSavedMap(saliencyFile: string, maskFile: string): Promise<GroundTruthScores> {
  const picture = await decodeImage(saliencyFile, { background: { r: 0, g: 0, b: 0 } }).catch((error: Error) => {
    throw new DaxError('input', `the result's map cannot be read (${error.message}); explain the input again.`);
  });
  const map = new Float32Array(picture.width * picture.height);
  for (let i = 0; i < map.length; i++)
    map[i] = (picture.data[3 * i]! + picture.data[3 * i + 1]! + picture.data[3 * i + 2]!) / (3 * 255);
  return scoreAgainstMask(map, maskFile, picture.width, picture.height);
}
