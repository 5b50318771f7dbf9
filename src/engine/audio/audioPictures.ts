// Pictures of an audio explanation: the spectrogram as people read it (high frequencies at the top, time to the
// right, loud = bright) and the map drawn over it, at a size that can be seen.
import sharp from 'sharp';
import type { RgbImage } from '../io/image';

/** Height of a spectrogram picture: mel planes have 64 rows, too few to see a map's shape on. */
export const PICTURE_HEIGHT = 256;
/** Width bounds: one pixel per frame, but not narrower than 512 nor wider than 1024 pixels. */
const MIN_WIDTH = 512;
const MAX_WIDTH = 1024;

/** The picture size for a `frames`-frame spectrogram. */
export function pictureSize(frames: number): { width: number; height: number } {
  return { width: Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, frames)), height: PICTURE_HEIGHT };
}

/** A `rows x frames` plane (row 0 lowest frequency) turned upside down, so row 0 ends up at the bottom. */
export function flipRows(plane: Float32Array, rows: number, frames: number): Float32Array {
  const out = new Float32Array(plane.length);
  for (let r = 0; r < rows; r++) out.set(plane.subarray(r * frames, (r + 1) * frames), (rows - 1 - r) * frames);
  return out;
}

/**
 * The spectrogram picture (grey, [0, 1] → 0..255) and the map (in [0, 1]) at `size`, both flipped to have the
 * high frequencies on top, resized bilinearly.
 */
export async function spectrogramPictures(
  picture: Float32Array,
  map: Float32Array,
  rows: number,
  frames: number,
  size: { width: number; height: number } = pictureSize(frames),
): Promise<{ image: RgbImage; saliency: Float32Array }> {
  const grey = Uint8Array.from(flipRows(picture, rows, frames), (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));
  const mapBytes = Uint8Array.from(flipRows(map, rows, frames), (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));
  const resize = (bytes: Uint8Array): Promise<Buffer> =>
    sharp(bytes, { raw: { width: frames, height: rows, channels: 1 } })
      .resize(size.width, size.height, { fit: 'fill', kernel: 'linear' })
      .toColourspace('b-w')
      .raw()
      .toBuffer();
  const [greyBig, mapBig] = await Promise.all([resize(grey), resize(mapBytes)]);
  const data = new Uint8Array(size.width * size.height * 3);
  for (let p = 0; p < greyBig.length; p++) data[3 * p] = data[3 * p + 1] = data[3 * p + 2] = greyBig[p]!;
  return {
    image: { width: size.width, height: size.height, data },
    saliency: Float32Array.from(mapBig, (v) => v / 255),
  };
}
