// The units segment-space DAX switches: the perturbation's own segments plus, for images, a second partition
// of the same pixels (a grid, a coarser SLIC), so that no single segmentation decides what can be found. A
// copy keeps a pixel only when every layer keeps the unit that holds it; the map of a pixel is the sum of its
// units' scores, which is finer than any one layer (a SLIC segment that straddles the evidence is cut by the
// grid cells, and the other way round).
import type { PerturbationSpace } from '../../perturbation/scene';
import { gridSegmentation, slic, type Segmentation } from '../../perturbation/slic';
import type { RgbImage } from '../../io/image';

/**
 * `grid` and `slic-coarse` (SLIC at 2.5x larger segments) cut images; `time` cuts a sound's spectrogram into
 * full-height strips over its time windows, the shape the evidence of a spoken word has.
 */
export type LayerKind = 'grid' | 'slic-coarse' | 'time';

export interface UnitLayers {
  layers: Segmentation[];
  /** First unit of each layer in the keep vector. */
  offsets: number[];
  units: number;
}

/** The scene's segmentation, then each extra layer that applies to it (SLIC needs colour: images only). */
export function buildLayers(space: PerturbationSpace, extra: readonly LayerKind[], gridCells: number): UnitLayers {
  const own = space.segmentation;
  const layers: Segmentation[] = [own];
  const analysis = space.analysis as Partial<RgbImage> & { width: number; height: number };
  const isImage = analysis.data instanceof Float32Array || analysis.data instanceof Uint8Array;
  for (const kind of extra) {
    if (kind === 'time') {
      if (!isImage) layers.push(timeStrips(own));
    } else if (!isImage) continue;
    else if (kind === 'grid') {
      const cell = Math.sqrt((own.width * own.height) / gridCells);
      layers.push(
        gridSegmentation(
          own.width,
          own.height,
          Math.max(1, Math.round(own.height / cell)),
          Math.max(1, Math.round(own.width / cell)),
        ),
      );
    } else {
      layers.push(slic(analysis as RgbImage, { segments: Math.max(4, Math.round(own.count / 2.5)) }));
    }
  }
  const offsets: number[] = [];
  let units = 0;
  for (const layer of layers) {
    offsets.push(units);
    units += layer.count;
  }
  return { layers, offsets, units };
}

/**
 * The space seen through the layers: `compose` takes a keep vector over all units. With one layer it is the
 * space itself (its own compose, bit for bit); with more, a pixel mask goes through `blend`.
 */
export function layeredSpace(space: PerturbationSpace, units: UnitLayers): PerturbationSpace {
  if (units.layers.length === 1) return space;
  const { width, height } = space.segmentation;
  const mask = new Float32Array(width * height);
  return {
    ...space,
    segmentation: { ...space.segmentation, count: units.units },
    compose(keep, out = new Float32Array(space.model.original.length)) {
      return space.blend(keptPixels(units, keep, mask), out);
    },
  };
}

/** Into `out` (one value per pixel of the layers): 1 where every layer keeps the pixel's unit, else 0. */
export function keptPixels<T extends Float32Array | Uint8Array>(units: UnitLayers, keep: ArrayLike<number>, out: T): T {
  out.fill(1);
  units.layers.forEach((layer, l) => {
    const offset = units.offsets[l]!;
    for (let p = 0; p < out.length; p++) {
      const label = layer.labels[p]!;
      if (label >= 0 && keep[offset + label] === 0) out[p] = 0;
    }
  });
  return out;
}

/** Pairs of units of one layer that touch (4-connected), each weighted by its share of the layers' shared border. */
export interface UnitEdges {
  a: Int32Array;
  b: Int32Array;
  weight: Float64Array;
}

export function unitEdges(units: UnitLayers): UnitEdges {
  const border = new Map<number, number>();
  units.layers.forEach((layer, l) => {
    const { width, height, labels } = layer;
    const offset = units.offsets[l]!;
    const add = (p: number, q: number): void => {
      const i = labels[p]!;
      const j = labels[q]!;
      if (i < 0 || j < 0 || i === j) return;
      const key = (offset + Math.min(i, j)) * units.units + offset + Math.max(i, j);
      border.set(key, (border.get(key) ?? 0) + 1);
    };
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const p = y * width + x;
        if (x + 1 < width) add(p, p + 1);
        if (y + 1 < height) add(p, p + width);
      }
    }
  });
  const total = [...border.values()].reduce((sum, v) => sum + v, 0) || 1;
  const edges: UnitEdges = {
    a: new Int32Array(border.size),
    b: new Int32Array(border.size),
    weight: new Float64Array(border.size),
  };
  let e = 0;
  for (const [key, count] of border) {
    edges.a[e] = Math.floor(key / units.units);
    edges.b[e] = key % units.units;
    edges.weight[e++] = count / total;
  }
  return edges;
}

/** Each pixel's score: the mean of its units' scores over the layers. */
export function pixelMap(units: UnitLayers, scores: Float32Array): Float32Array {
  const { width, height } = units.layers[0]!;
  const map = new Float32Array(width * height);
  units.layers.forEach((layer, l) => {
    const offset = units.offsets[l]!;
    for (let p = 0; p < map.length; p++) {
      const label = layer.labels[p]!;
      if (label >= 0) map[p]! += scores[offset + label]! / units.layers.length;
    }
  });
  return map;
}

/** One unit per time window of a grid over a spectrogram (its columns), the full height of the plane. */
function timeStrips(own: Segmentation & { windowEdges?: Int32Array; windows?: number }): Segmentation {
  const { width, height } = own;
  const windows = own.windows ?? Math.max(1, Math.round(Math.sqrt(own.count)));
  const columnOf = new Int32Array(width);
  for (let x = 0; x < width; x++) {
    if (own.windowEdges) {
      let w = 0;
      while (w + 1 < windows && own.windowEdges[w + 1]! <= x) w++;
      columnOf[x] = w;
    } else columnOf[x] = Math.floor((x * windows) / width);
  }
  const labels = new Int32Array(width * height);
  for (let y = 0, i = 0; y < height; y++)
    for (let x = 0; x < width; x++, i++) labels[i] = own.labels[i]! < 0 ? -1 : columnOf[x]!;
  return { width, height, labels, count: windows };
}
