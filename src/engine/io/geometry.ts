// Where an image lands inside a model's input (stretch, centre-crop, letterbox) and how pixels map back.
import sharp from 'sharp';
import type { ResizeMode } from '../blackbox/modelConfig';
import type { RgbImage } from './image';

/** The scaled image's rectangle inside the model's input canvas (offsets are negative when cropping). */
export interface Placement {
  width: number;
  height: number;
  scaledWidth: number;
  scaledHeight: number;
  offsetX: number;
  offsetY: number;
}

/** Computes where a `sourceWidth` x `sourceHeight` image goes in a `width` x `height` input. */
export function placeImage(
  sourceWidth: number,
  sourceHeight: number,
  width: number,
  height: number,
  resize: ResizeMode,
  align: 'center' | 'top-left',
): Placement {
  if (resize === 'stretch') return { width, height, scaledWidth: width, scaledHeight: height, offsetX: 0, offsetY: 0 };
  const scale =
    resize === 'crop'
      ? Math.max(width / sourceWidth, height / sourceHeight)
      : Math.min(width / sourceWidth, height / sourceHeight);
  // Letterboxing rounds up (as PaddleOCR's ceil) but never past the canvas; cropping must cover the canvas.
  const scaledWidth = Math.max(
    1,
    resize === 'crop'
      ? Math.max(width, Math.round(sourceWidth * scale))
      : Math.min(width, Math.ceil(sourceWidth * scale - 1e-6)),
  );
  const scaledHeight = Math.max(
    1,
    resize === 'crop'
      ? Math.max(height, Math.round(sourceHeight * scale))
      : Math.min(height, Math.ceil(sourceHeight * scale - 1e-6)),
  );
  const centred = resize === 'crop' || align === 'center';
  return {
    width,
    height,
    scaledWidth,
    scaledHeight,
    offsetX: centred ? Math.floor((width - scaledWidth) / 2) : 0,
    offsetY: centred ? Math.floor((height - scaledHeight) / 2) : 0,
  };
}

/**
 * For every canvas pixel, the index of the source pixel it shows (nearest), or -1 for padding. The source may
 * be a smaller copy of the image (same aspect), so one placement serves every resolution.
 */
export function canvasToSource(placement: Placement, sourceWidth: number, sourceHeight: number): Int32Array {
  const { width, height, scaledWidth, scaledHeight, offsetX, offsetY } = placement;
  const map = new Int32Array(width * height);
  for (let v = 0; v < height; v++) {
    const sy = Math.floor(((v - offsetY + 0.5) / scaledHeight) * sourceHeight);
    for (let u = 0; u < width; u++) {
      const sx = Math.floor(((u - offsetX + 0.5) / scaledWidth) * sourceWidth);
      map[v * width + u] = sx < 0 || sy < 0 || sx >= sourceWidth || sy >= sourceHeight ? -1 : sy * sourceWidth + sx;
    }
  }
  return map;
}

/** Renders an image into the canvas with sharp's resampling; padding pixels are 0 and flagged in `padding`. */
export async function renderPlaced(
  image: RgbImage,
  placement: Placement,
): Promise<{ data: Float32Array; padding?: Uint8Array }> {
  const { width, height, scaledWidth, scaledHeight, offsetX, offsetY } = placement;
  const scaled = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(scaledWidth, scaledHeight, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer();
  const data = new Float32Array(width * height * 3);
  let padding: Uint8Array | undefined;
  for (let v = 0; v < height; v++) {
    const sy = v - offsetY;
    for (let u = 0; u < width; u++) {
      const sx = u - offsetX;
      const p = v * width + u;
      if (sx < 0 || sy < 0 || sx >= scaledWidth || sy >= scaledHeight) {
        padding ??= new Uint8Array(width * height);
        padding[p] = 1;
        continue;
      }
      const s = (sy * scaledWidth + sx) * 3;
      data[3 * p] = scaled[s]!;
      data[3 * p + 1] = scaled[s + 1]!;
      data[3 * p + 2] = scaled[s + 2]!;
    }
  }
  return { data, padding };
}
