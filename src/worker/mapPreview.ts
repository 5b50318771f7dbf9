// The live map as the panel gets it: small (a preview beside the loss curves, posted a few times per run through
// two process boundaries), and a spectrogram's high frequencies on top, as the result's pictures have them.
import type { ProgressEvent } from '../engine/core/progress';

/** Longest side of a preview: enough to see where the map goes, small enough to post at every epoch. */
export const PREVIEW_MAX_SIDE = 192;

type MapEvent = Extract<ProgressEvent, { type: 'map' }>;

/** `event` shrunk to at most PREVIEW_MAX_SIDE a side by averaging boxes, and flipped upside down when `flip`. */
export function mapPreview(event: MapEvent, flip: boolean, maxSide = PREVIEW_MAX_SIDE): MapEvent {
  const { width, height, values } = event;
  const scale = Math.min(1, maxSide / Math.max(width, height, 1));
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const y0 = Math.floor((y * height) / h);
    const y1 = Math.max(y0 + 1, Math.floor(((y + 1) * height) / h));
    const row = flip ? h - 1 - y : y;
    for (let x = 0; x < w; x++) {
      const x0 = Math.floor((x * width) / w);
      const x1 = Math.max(x0 + 1, Math.floor(((x + 1) * width) / w));
      let sum = 0;
      for (let sy = y0; sy < y1; sy++) for (let sx = x0; sx < x1; sx++) sum += values[sy * width + sx]!;
      out[row * w + x] = Math.round(sum / ((y1 - y0) * (x1 - x0)));
    }
  }
  return { ...event, width: w, height: h, values: out };
}
