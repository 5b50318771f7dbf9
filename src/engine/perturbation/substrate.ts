// What removed pixels show when a map is judged (deletion and insertion) and when DAX asks the black box about
// copies made to match: a strongly blurred copy of the image, or black.
import { renderPlaced } from '../io/geometry';
import { blurRgb } from '../io/image';
import type { Scene } from './scene';

/** The canvas that removed pixels show, at the model's input size. */
export async function substrateCanvas(scene: Scene, kind: 'blur' | 'zero'): Promise<Float32Array> {
  if (kind === 'zero') return new Float32Array(scene.model.original.length);
  // σ = side/50: RISE's own evaluation blurs 224-pixel inputs with a Gaussian of σ 5 cut to 11 taps (side/45,
  // a little weaker for the cut), and the scene's blur fill uses side/50 too. It removes the detail a class rests
  // on while keeping colours and layout, so insertion starts from a plausible image, not an out-of-range black one.
  // Blurred at the analysis copy (≤ 256 px a side): the result is band-limited far below that resolution, so
  // upsampling it loses nothing, while blurring the full image costs ~0.6 s at 12 megapixels (σ 80) on one core.
  const { analysis } = scene;
  const blurred = await blurRgb(analysis, Math.max(analysis.width, analysis.height) / 50);
  return (await renderPlaced(blurred, scene.placement)).data;
}
