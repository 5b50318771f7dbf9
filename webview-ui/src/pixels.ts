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
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0)
    return `invalid size ${width}×${height}`;
  if (display.rgb.length !== width * height * 3)
    return `the image has ${display.rgb.length} bytes, expected ${width * height * 3}`;
  if (display.saliency.length !== width * height)
    return `the saliency has ${display.saliency.length} values, expected ${width * height}`;
  return undefined;
}

/** How bright a pixel left out by the top-k threshold stays (its view's colour times this), so the kept ones stand out. */
export const DIMMED = 0.3;

/** What `composeView` needs besides the pixels. */
export interface ComposeOptions {
  /** A single view; side by side is composed of two by `composeSideBySide`. */
  view: Exclude<ViewMode, 'side-by-side'>;
  /** 0..1, the colormap's weight in the overlay view. */
  opacity: number;
  /** 768-byte colormap table (see `colormapLut`). */
  lut: Uint8Array;
  /** From `topShareMask`; absent = every pixel kept. Pixels not kept are dimmed (masked: black). */
  keep?: Uint8Array;
  /** The values the colours and the masked view come from (the clipped map, see `clipSaliency`); absent = `display.saliency`. */
  values?: Uint8Array;
}

/**
 * The RGBA pixels of one view (v = `values`, the clipped map):
 * - original: the input;
 * - saliency: the colormap of v;
 * - overlay: input × (1 − opacity) + colormap(v) × opacity (as the exported overlay);
 * - masked: input × v / 255.
 * Pixels outside the top share keep a `DIMMED` share of the view's colour (the input's, in the overlay view); in
 * the masked view they are black.
 */
export function composeView(
  display: DisplayPixels,
  options: ComposeOptions,
  out: Uint8ClampedArray<ArrayBuffer> = new Uint8ClampedArray(display.width * display.height * 4),
): Uint8ClampedArray<ArrayBuffer> {
  const { rgb } = display;
  const { view, lut, keep } = options;
  const values = options.values ?? display.saliency;
  const opacity = Math.min(1, Math.max(0, options.opacity));
  const n = display.width * display.height;
  for (let p = 0; p < n; p++) {
    const i = 3 * p;
    const o = 4 * p;
    const kept = keep === undefined || keep[p] === 1;
    const s = values[p]!;
    const r = rgb[i]!;
    const g = rgb[i + 1]!;
    const b = rgb[i + 2]!;
    let [R, G, B] = [r, g, b];
    switch (view) {
      case 'original':
        break;
      case 'saliency':
        [R, G, B] = [lut[3 * s]!, lut[3 * s + 1]!, lut[3 * s + 2]!];
        break;
      case 'overlay':
        if (kept)
          [R, G, B] = [
            r * (1 - opacity) + lut[3 * s]! * opacity,
            g * (1 - opacity) + lut[3 * s + 1]! * opacity,
            b * (1 - opacity) + lut[3 * s + 2]! * opacity,
          ];
        break;
      case 'masked':
        [R, G, B] = kept ? [(r * s) / 255, (g * s) / 255, (b * s) / 255] : [0, 0, 0];
        break;
    }
    const dim = kept || view === 'original' ? 1 : DIMMED;
    out[o] = Math.round(R * dim);
    out[o + 1] = Math.round(G * dim);
    out[o + 2] = Math.round(B * dim);
    out[o + 3] = 255;
  }
  return out;
}

/** Transparent columns between the two halves of the side-by-side view. */
export const SIDE_GAP = 8;

/** Width of the canvas of a view of a `width`-wide input: twice it and the gap side by side. */
export function viewWidth(width: number, sideBySide: boolean): number {
  return sideBySide ? 2 * width + SIDE_GAP : width;
}

/**
 * The input on the left and the overlay on the right, in one (2W + SIDE_GAP) × H picture; the threshold dims only
 * the overlay, so the left half is always the input as it is.
 */
export function composeSideBySide(
  display: DisplayPixels,
  options: Omit<ComposeOptions, 'view'>,
  out: Uint8ClampedArray<ArrayBuffer> = new Uint8ClampedArray(viewWidth(display.width, true) * display.height * 4),
): Uint8ClampedArray<ArrayBuffer> {
  const { width, height } = display;
  const total = viewWidth(width, true);
  const left = composeView(display, { ...options, view: 'original' });
  const right = composeView(display, { ...options, view: 'overlay' });
  out.fill(0);
  for (let y = 0; y < height; y++) {
    out.set(left.subarray(4 * y * width, 4 * (y + 1) * width), 4 * y * total);
    out.set(right.subarray(4 * y * width, 4 * (y + 1) * width), 4 * (y * total + width + SIDE_GAP));
  }
  return out;
}

/** The map column a canvas column shows in the side-by-side view (either half), or undefined in the gap. */
export function sideBySideColumn(x: number, width: number): number | undefined {
  if (x < width) return x;
  if (x < width + SIDE_GAP) return undefined;
  return x - width - SIDE_GAP < width ? x - width - SIDE_GAP : undefined;
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

/** The values of a histogram's pixels at percentile `p` (0..100): the smallest value with at least p % of the pixels at or below it. */
export function percentileValue(histogram: ArrayLike<number>, total: number, p: number): number {
  if (total <= 0) return 0;
  const wanted = Math.min(total, Math.max(1, Math.ceil((total * Math.min(100, Math.max(0, p))) / 100)));
  let seen = 0;
  for (let value = 0; value < histogram.length; value++) {
    seen += histogram[value]!;
    if (seen >= wanted) return value;
  }
  return histogram.length - 1;
}

/** The 256-bin histogram of a saliency map. */
export function saliencyHistogram(saliency: Uint8Array): Uint32Array {
  const histogram = new Uint32Array(256);
  for (let i = 0; i < saliency.length; i++) histogram[saliency[i]!]!++;
  return histogram;
}

/** The range of saliency values that the colormap spans after clipping (0..255 units; `low` < `high` unless the map is flat). */
export interface ClipRange {
  low: number;
  high: number;
  /** The percentile asked for (100 = no clipping). */
  percentile: number;
}

/**
 * Xplique's `clip_percentile`: values above the `percentile`-th percentile of the map and below the
 * (100 − `percentile`)-th take the ends of the colormap, and what lies between is stretched over all of it. One
 * bright block no longer takes the top of the scale and leaves the rest dark. 100 = the map's own minimum to maximum.
 */
export function clipRange(
  saliency: Uint8Array,
  percentile: number,
  histogram = saliencyHistogram(saliency),
): ClipRange {
  const p = Math.min(100, Math.max(50, percentile));
  const n = saliency.length;
  return { low: percentileValue(histogram, n, 100 - p), high: percentileValue(histogram, n, p), percentile: p };
}

/** The map with `range` stretched to 0..255 (values outside it saturate); the map itself when the range is the full one or empty. */
export function clipSaliency(saliency: Uint8Array, range: ClipRange, out?: Uint8Array): Uint8Array {
  const { low, high } = range;
  if (!(high > low) || (low === 0 && high === 255)) return saliency;
  const table = new Uint8Array(256);
  for (let v = 0; v < 256; v++)
    table[v] = v <= low ? 0 : v >= high ? 255 : Math.round(((v - low) * 255) / (high - low));
  const result = out && out.length === saliency.length ? out : new Uint8Array(saliency.length);
  for (let i = 0; i < saliency.length; i++) result[i] = table[saliency[i]!]!;
  return result;
}

/** A labelled point of the colour bar: `position` 0..1 from its left end, the saliency value there (0..1 of the map's maximum). */
export interface ColourTick {
  position: number;
  value: number;
  label: string;
}

/**
 * The colour bar's numbers: `count` evenly spaced values of the clipped range, in the map's own units (0..1). An end
 * that clipping saturates says so ("≥ 0.62"), since every value beyond it has that colour.
 */
export function colourTicks(range: ClipRange, count = 5): ColourTick[] {
  const low = range.high > range.low ? range.low : 0;
  const high = range.high > range.low ? range.high : 255;
  return Array.from({ length: count }, (_, i) => {
    const position = count > 1 ? i / (count - 1) : 0;
    const value = (low + position * (high - low)) / 255;
    const prefix = i === 0 && low > 0 ? '≤ ' : i === count - 1 && high < 255 ? '≥ ' : '';
    return { position, value, label: `${prefix}${value.toFixed(2)}` };
  });
}

/**
 * How many times a display is enlarged on screen: an input smaller than `target` pixels on its longer side is shown
 * at the largest whole multiple that fits (a 128×128 image at 4×, so 512 pixels), with crisp pixels; others at 1×.
 */
export function displayScale(width: number, height: number, target = 512): number {
  const longer = Math.max(width, height);
  return longer > 0 ? Math.max(1, Math.floor(target / longer)) : 1;
}

/** The display pixel under a point of the canvas as laid out (`clientWidth` × `clientHeight` CSS pixels), or undefined outside it. */
export function pixelAt(
  offsetX: number,
  offsetY: number,
  clientWidth: number,
  clientHeight: number,
  width: number,
  height: number,
): { x: number; y: number } | undefined {
  if (!(clientWidth > 0 && clientHeight > 0)) return undefined;
  const x = Math.floor((offsetX / clientWidth) * width);
  const y = Math.floor((offsetY / clientHeight) * height);
  return x >= 0 && y >= 0 && x < width && y < height ? { x, y } : undefined;
}

/** The share of the map's pixels more salient than `value` (0 for the most salient), from its histogram. */
export function shareAbove(histogram: ArrayLike<number>, total: number, value: number): number {
  let above = 0;
  for (let v = value + 1; v < histogram.length; v++) above += histogram[v]!;
  return total > 0 ? above / total : 0;
}
