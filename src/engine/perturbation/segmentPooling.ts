// Projects a pixel map onto the segments it was learned from: the perturbations switch whole segments, so no
// query can tell one part of a segment from another, and a mask that kept only part of one says "this segment".
import type { Segmentation } from './slic';

/** How a segment's value is taken from its pixels. */
export type SegmentPooling = 'none' | 'mean' | 'max';

/**
 * Replaces each pixel of `map` (at `width` x `height`, the image's size) by the mean or max of the map over its
 * segment. The segmentation may be smaller than the map (same aspect ratio); pixels are matched by position.
 */
export function poolOverSegments(
  map: Float32Array,
  width: number,
  height: number,
  segmentation: Segmentation,
  pooling: SegmentPooling,
): Float32Array {
  if (pooling === 'none') return map;
  const labelOf = new Int32Array(width * height);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(segmentation.height - 1, Math.floor(((y + 0.5) * segmentation.height) / height));
    for (let x = 0; x < width; x++) {
      const sx = Math.min(segmentation.width - 1, Math.floor(((x + 0.5) * segmentation.width) / width));
      labelOf[y * width + x] = segmentation.labels[sy * segmentation.width + sx]!;
    }
  }
  const value = new Float64Array(segmentation.count).fill(pooling === 'max' ? -Infinity : 0);
  const count = new Float64Array(segmentation.count);
  for (let p = 0; p < map.length; p++) {
    const s = labelOf[p]!;
    value[s] = pooling === 'max' ? Math.max(value[s]!, map[p]!) : value[s]! + map[p]!;
    count[s]!++;
  }
  const out = new Float32Array(map.length);
  for (let p = 0; p < map.length; p++) {
    const s = labelOf[p]!;
    out[p] = pooling === 'max' ? value[s]! : value[s]! / count[s]!;
  }
  return out;
}
