// Colour lookup tables for the saliency: 256 RGB entries per colormap, sampled once from d3-scale-chromatic. No DOM.
import { interpolateInferno, interpolateTurbo, interpolateViridis } from 'd3-scale-chromatic';
import type { ColormapName } from './preferences';

/** Human-readable names for the colormap choice. */
export const COLORMAP_LABELS: Record<ColormapName, string> = {
  turbo: 'Turbo',
  viridis: 'Viridis',
  inferno: 'Inferno',
  greys: 'Greys',
};

/**
 * Greys is a straight ramp from black (0) to white (most salient), exactly the exported saliency PNG's bytes;
 * d3's `interpolateGreys` runs the other way (white at 0) and is not linear.
 */
const interpolators: Record<ColormapName, (t: number) => string> = {
  turbo: interpolateTurbo,
  viridis: interpolateViridis,
  inferno: interpolateInferno,
  greys: (t) => {
    const v = Math.round(t * 255);
    return `rgb(${v}, ${v}, ${v})`;
  },
};

const cache = new Map<ColormapName, Uint8Array>();

/** 256 RGB triples (768 bytes); entry i is the colour of saliency i / 255. */
export function colormapLut(name: ColormapName): Uint8Array {
  let lut = cache.get(name);
  if (!lut) {
    lut = new Uint8Array(256 * 3);
    for (let i = 0; i < 256; i++) lut.set(parseColour(interpolators[name](i / 255)), i * 3);
    cache.set(name, lut);
  }
  return lut;
}

/** The colour bar of a colormap: 256 × 1 RGBA pixels, low saliency on the left. */
export function colourBarPixels(lut: Uint8Array): Uint8ClampedArray<ArrayBuffer> {
  const pixels = new Uint8ClampedArray(256 * 4);
  for (let i = 0; i < 256; i++) pixels.set([lut[3 * i]!, lut[3 * i + 1]!, lut[3 * i + 2]!, 255], 4 * i);
  return pixels;
}

/** Parses the two forms d3 produces: `rgb(r, g, b)` and `#rrggbb`. */
export function parseColour(text: string): [number, number, number] {
  const rgb = /^rgb\((\d+),\s*(\d+),\s*(\d+)\)$/.exec(text.trim());
  if (rgb) return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])];
  const hex = /^#([0-9a-f]{6})$/i.exec(text.trim());
  if (hex) {
    const value = parseInt(hex[1]!, 16);
    return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
  }
  throw new Error(`unexpected colour ${text}`);
}
