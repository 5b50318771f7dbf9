// Maps are computed at a method's own resolution and shown at the image's.
import { tf } from '../tf/runtime';

/** Bilinear resampling of a map to the image. */
export function upsample(
  map: Float32Array,
  mapWidth: number,
  mapHeight: number,
  width: number,
  height: number,
): Float32Array {
  if (mapWidth === width && mapHeight === height) return map;
  return tf.tidy(() => {
    const grid = tf.tensor4d(map, [1, mapHeight, mapWidth, 1]);
    return tf.image.resizeBilinear(grid, [height, width], false, true).dataSync() as Float32Array;
  });
}
