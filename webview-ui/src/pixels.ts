// The pixels of the image canvas: threshold to the top-k share, colormap, blend and mask. No DOM, so Node tests run it.
import type { DisplayPixels } from '../../src/shared/protocol';
import type { ViewMode } from './preferences';

/** How many of `count` pixels the top `percent` % are: round(count × percent / 100), within [0, count]. */
export function keptCount(count: number, percent: number): number {
  return Math.min(count, Math.max(0, Math.round((count * percent) / 100)));
}

/**
 * 1 for the `keptCount(n, percent)` most salient pixels, 0 elsewhere: exactly that many, whatever the ties.
 * Pixels above the cut-off value are all kept; of the pixels at the cut-off value, the share still needed is taken
 * evenly spread over the image (a Bresenham pattern in row-major order) rather than from the top rows, so that a
 * large flat region is thinned uniformly instead of cut in two. Linear time: a 256-bin histogram, then one pass.
 */
export function topShareMask(saliency: Uint8Array, percent: number): Uint8Array {
  const n = saliency.length;
  const keep = new Uint8Array(n);
  const k = keptCount(n, percent);
  if (k === 0) return keep;
  if (k === n) return keep.fill(1);
  const histogram = new Uint32Array(256);
  for (let i = 0; i < n; i++) histogram[saliency[i]!]!++;
  let above = 0;
  let cutoff = 255;
  while (above + histogram[cutoff]! < k) above += histogram[cutoff--]!;
  const ties = histogram[cutoff]!;
  const needed = k - above;
  let tie = 0;
  for (let i = 0; i < n; i++) {
    const value = saliency[i]!;
    if (value > cutoff) keep[i] = 1;
    else if (value === cutoff) {
      // The j-th tied pixel is kept when floor((j+1)·needed/ties) steps up: exactly `needed` of `ties`, evenly spaced.
      if (Math.floor(((tie + 1) * needed) / ties) > Math.floor((tie * needed) / ties)) keep[i] = 1;
      tie++;
    }
  }
  return keep;
}

/** Why a display cannot be drawn (array sizes that do not match its dimensions), or undefined when it can. */
export function displayProblem(display: DisplayPixels): string | undefined {
  const { width, height } = display;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) return `invalid size ${width}×${height}`;
  if (display.rgb.length !== width * height * 3) return `the image has ${display.rgb.length} bytes, expected ${width * height * 3}`;
  if (display.saliency.length !== width * height) return `the saliency has ${display.saliency.length} values, expected ${width * height}`;
  return undefined;
}

/** What `composeView` needs besides the pixels. */
export interface ComposeOptions {
  view: ViewMode;
  /** 0..1, the colormap's weight in the overlay view. */
  opacity: number;
  /** 768-byte colormap table (see `colormapLut`). */
  lut: Uint8Array;
  /** From `topShareMask`; absent = every pixel kept. Pixels not kept show as unsalient. */
  keep?: Uint8Array;
}

/**
 * The RGBA pixels of one view:
 * - original: the input;
 * - saliency: the colormap of the saliency; pixels outside the top share take the colour of 0;
 * - overlay: input × (1 − opacity) + colormap × opacity on kept pixels, the input elsewhere (as the exported overlay);
 * - masked: input × saliency / 255 on kept pixels, black elsewhere.
 */
export function composeView(
  display: DisplayPixels,
  options: ComposeOptions,
  out: Uint8ClampedArray<ArrayBuffer> = new Uint8ClampedArray(display.width * display.height * 4),
): Uint8ClampedArray<ArrayBuffer> {
  const { rgb, saliency } = display;
  const { view, lut, keep } = options;
  const opacity = Math.min(1, Math.max(0, options.opacity));
  const n = display.width * display.height;
  for (let p = 0; p < n; p++) {
    const i = 3 * p;
    const o = 4 * p;
    const kept = keep === undefined || keep[p] === 1;
    const s = kept ? saliency[p]! : 0;
    const r = rgb[i]!;
    const g = rgb[i + 1]!;
    const b = rgb[i + 2]!;
    switch (view) {
      case 'original':
        out[o] = r;
        out[o + 1] = g;
        out[o + 2] = b;
        break;
      case 'saliency':
        out[o] = lut[3 * s]!;
        out[o + 1] = lut[3 * s + 1]!;
        out[o + 2] = lut[3 * s + 2]!;
        break;
      case 'overlay':
        if (kept) {
          out[o] = Math.round(r * (1 - opacity) + lut[3 * s]! * opacity);
          out[o + 1] = Math.round(g * (1 - opacity) + lut[3 * s + 1]! * opacity);
          out[o + 2] = Math.round(b * (1 - opacity) + lut[3 * s + 2]! * opacity);
        } else {
          out[o] = r;
          out[o + 1] = g;
          out[o + 2] = b;
        }
        break;
      case 'masked':
        out[o] = Math.round((r * s) / 255);
        out[o + 1] = Math.round((g * s) / 255);
        out[o + 2] = Math.round((b * s) / 255);
        break;
    }
    out[o + 3] = 255;
  }
  return out;
}

/** Share of the image's saliency mass inside the kept pixels (0..1), to say what a threshold keeps. */
export function keptMass(saliency: Uint8Array, keep: Uint8Array): number {
  let total = 0;
  let kept = 0;
  for (let i = 0; i < saliency.length; i++) {
    total += saliency[i]!;
    if (keep[i] === 1) kept += saliency[i]!;
  }
  return total > 0 ? kept / total : 0;
}
