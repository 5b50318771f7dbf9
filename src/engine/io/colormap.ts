// Colour lookup tables for saliency, from d3-scale-chromatic's perceptual maps, sampled once to 256 entries.
import { interpolateInferno, interpolateTurbo, interpolateViridis } from 'd3-scale-chromatic';

/** Colormaps offered for overlays. */
export type ColormapName = 'turbo' | 'inferno' | 'viridis';

const interpolators: Record<ColormapName, (t: number) => string> = {
  turbo: interpolateTurbo,
  inferno: interpolateInferno,
  viridis: interpolateViridis,
};

const cache = new Map<ColormapName, Uint8Array>();

/** 256 RGB triples, index = round(value × 255). */
export function colormapTable(name: ColormapName): Uint8Array {
  let table = cache.get(name);
  if (!table) {
    table = new Uint8Array(256 * 3);
    for (let i = 0; i < 256; i++) {
      const colour = parseColour(interpolators[name](i / 255));
      table.set(colour, i * 3);
    }
    cache.set(name, table);
  }
  return table;
}

function parseColour(text: string): [number, number, number] {
  const rgb = /rgb\((\d+),\s*(\d+),\s*(\d+)\)/.exec(text);
  if (rgb) return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])];
  const hex = /^#([0-9a-f]{6})$/i.exec(text);
  if (hex) {
    const value = parseInt(hex[1]!, 16);
    return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
  }
  throw new Error(`unexpected colour ${text}`);
}
