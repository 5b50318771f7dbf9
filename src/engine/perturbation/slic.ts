// SLIC superpixels (and a regular grid fallback): the segments that LIME-style perturbations switch on and off.
//
// Algorithm: Achanta, Shaji, Smith, Lucchi, Fua and Süsstrunk, "SLIC Superpixels Compared to State-of-the-Art
// Superpixel Methods", IEEE TPAMI 34(11):2274–2282, 2012, doi:10.1109/TPAMI.2012.120 — local k-means in
// (L, a, b, x, y) followed by a connectivity repair pass.

/** RGB image, 8-bit values stored interleaved (r,g,b per pixel), row-major. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray | Float32Array;
}

/** Parameters of {@link slic}. */
export interface SlicOptions {
  /** Approximate number of superpixels; clamped to the number of pixels. Must be > 0. */
  segments: number;
  /** Weight m of spatial against colour distance: higher gives squarer, less edge-hugging superpixels. Default 10. */
  compactness?: number;
  /** Number of assignment/update rounds; fixed so the result never depends on a convergence test. Default 10. */
  iterations?: number;
}

/** Result: a label per pixel, labels 0..count-1, each label a 4-connected region. */
export interface Segmentation {
  width: number;
  height: number;
  /** Row-major label per pixel, numbered in raster order of first appearance. */
  labels: Int32Array;
  count: number;
}

/**
 * Segments an RGB image into roughly `options.segments` superpixels with SLIC (Achanta et al. 2012).
 *
 * Deterministic: the same input always yields identical labels. Every label is a single 4-connected region and
 * labels are numbered 0..count-1 in raster order of their first pixel.
 *
 * @throws RangeError if `segments` is not a positive number, if the image size or data length is invalid, or if
 * `compactness` / `iterations` are out of range.
 */
export function slic(image: RgbImage, options: SlicOptions): Segmentation {
  const { width, height, data } = image;
  checkSize(width, height, 'slic');
  const pixels = width * height;
  if (data.length < pixels * 3) {
    throw new RangeError(
      `slic: image data holds ${data.length} values, but a ${width}x${height} RGB image needs ${pixels * 3}`,
    );
  }
  const requested = options.segments;
  if (typeof requested !== 'number' || !Number.isFinite(requested) || requested <= 0) {
    throw new RangeError(`slic: segments must be a positive finite number, got ${String(requested)}`);
  }
  const compactness = options.compactness ?? 10;
  if (!Number.isFinite(compactness) || compactness < 0) {
    throw new RangeError(`slic: compactness must be a finite number >= 0, got ${String(compactness)}`);
  }
  const iterations = options.iterations ?? 10;
  if (!Number.isInteger(iterations) || iterations < 0) {
    throw new RangeError(`slic: iterations must be an integer >= 0, got ${String(iterations)}`);
  }

  const target = Math.min(pixels, Math.max(1, Math.round(requested)));
  const lab = toLab(data, pixels);

  // Seed grid. Columns follow the paper's step S = sqrt(N/K); rows are derived from the column count rather than
  // from S as well, so that strip-shaped images (1 pixel wide or high) still get about K seeds instead of K·aspect.
  const step = Math.sqrt(pixels / target);
  const cols = clamp(Math.round(width / step), 1, Math.min(width, target));
  const rows = clamp(Math.round(target / cols), 1, height);
  const k = rows * cols;
  const cellWidth = width / cols;
  const cellHeight = height / rows;
  // S for the distance normalisation is the actual seed spacing, so compactness means the same at any seed count.
  const spacing = Math.sqrt(pixels / k);
  const spatialWeight = (compactness * compactness) / (spacing * spacing);
  // Search half-window ≈ S (the paper's 2S x 2S) per axis; per-axis so uneven cells are still covered.
  const radiusX = Math.ceil(cellWidth);
  const radiusY = Math.ceil(cellHeight);

  // Centres: [L, a, b, x, y] per cluster.
  const centres = new Float64Array(k * 5);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const [sx, sy] = lowestGradient(
        lab,
        width,
        height,
        Math.floor((c + 0.5) * cellWidth),
        Math.floor((r + 0.5) * cellHeight),
      );
      const o = (r * cols + c) * 5;
      const p = (sy * width + sx) * 3;
      centres[o] = lab[p];
      centres[o + 1] = lab[p + 1];
      centres[o + 2] = lab[p + 2];
      centres[o + 3] = sx;
      centres[o + 4] = sy;
    }
  }

  // Start from the seed cells so that a pixel no window reaches still has a sensible label.
  const labels = new Int32Array(pixels);
  for (let y = 0; y < height; y++) {
    const rowBase = Math.floor((y * rows) / height) * cols;
    for (let x = 0; x < width; x++) labels[y * width + x] = rowBase + Math.floor((x * cols) / width);
  }

  const distance = new Float64Array(pixels);
  const sums = new Float64Array(k * 5);
  const sizes = new Int32Array(k);
  for (let iteration = 0; iteration < iterations; iteration++) {
    distance.fill(Infinity);
    for (let j = 0; j < k; j++) {
      const o = j * 5;
      const cl = centres[o],
        ca = centres[o + 1],
        cb = centres[o + 2],
        cx = centres[o + 3],
        cy = centres[o + 4];
      const x0 = Math.max(0, Math.floor(cx - radiusX)),
        x1 = Math.min(width - 1, Math.ceil(cx + radiusX));
      const y0 = Math.max(0, Math.floor(cy - radiusY)),
        y1 = Math.min(height - 1, Math.ceil(cy + radiusY));
      for (let y = y0; y <= y1; y++) {
        const dy = y - cy;
        const dy2 = dy * dy;
        let i = y * width + x0;
        for (let x = x0; x <= x1; x++, i++) {
          const p = i * 3;
          const dl = lab[p] - cl,
            da = lab[p + 1] - ca,
            db = lab[p + 2] - cb;
          const dx = x - cx;
          // Squared distance: the square root is monotonic and would only cost time.
          const d = dl * dl + da * da + db * db + (dx * dx + dy2) * spatialWeight;
          if (d < distance[i]) {
            distance[i] = d;
            labels[i] = j;
          }
        }
      }
    }

    sums.fill(0);
    sizes.fill(0);
    for (let y = 0, i = 0; y < height; y++) {
      for (let x = 0; x < width; x++, i++) {
        const j = labels[i];
        const o = j * 5;
        const p = i * 3;
        sums[o] += lab[p];
        sums[o + 1] += lab[p + 1];
        sums[o + 2] += lab[p + 2];
        sums[o + 3] += x;
        sums[o + 4] += y;
        sizes[j]++;
      }
    }
    for (let j = 0; j < k; j++) {
      const size = sizes[j];
      // An emptied cluster keeps its old centre: dropping it here would make the numbering depend on history.
      if (size === 0) continue;
      const o = j * 5;
      for (let c = 0; c < 5; c++) centres[o + c] = sums[o + c] / size;
    }
  }

  const expected = pixels / k;
  const minSize = Math.max(1, Math.floor(expected / 4));
  const { labels: connected, count } = enforceConnectivity(labels, width, height, minSize);
  return { width, height, labels: connected, count };
}

/**
 * A regular grid of `rows` x `cols` cells as a {@link Segmentation} (for spectrograms and as a fallback).
 *
 * `rows` is clamped to [1, height] and `cols` to [1, width]; pixel (x, y) belongs to cell
 * (floor(y·rows/height), floor(x·cols/width)), so cells differ in size by at most one pixel per side.
 * Labels are `row * cols + col`, which is raster order of first appearance.
 */
export function gridSegmentation(width: number, height: number, rows: number, cols: number): Segmentation {
  checkSize(width, height, 'gridSegmentation');
  if (!Number.isFinite(rows) || !Number.isFinite(cols)) {
    throw new RangeError(`gridSegmentation: rows and cols must be finite numbers, got ${rows} x ${cols}`);
  }
  const r = clamp(Math.floor(rows), 1, height);
  const c = clamp(Math.floor(cols), 1, width);
  const columnOf = new Int32Array(width);
  for (let x = 0; x < width; x++) columnOf[x] = Math.floor((x * c) / width);
  const labels = new Int32Array(width * height);
  for (let y = 0, i = 0; y < height; y++) {
    const base = Math.floor((y * r) / height) * c;
    for (let x = 0; x < width; x++, i++) labels[i] = base + columnOf[x];
  }
  return { width, height, labels, count: r * c };
}

function checkSize(width: number, height: number, caller: string): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`${caller}: image size must be positive integers, got ${width}x${height}`);
  }
}

function clamp(value: number, low: number, high: number): number {
  return value < low ? low : value > high ? high : value;
}

let srgbTable: Float64Array | undefined;

function srgbToLinear(unit: number): number {
  return unit <= 0.04045 ? unit / 12.92 : Math.pow((unit + 0.055) / 1.055, 2.4);
}

/** CIE f(t): the cube root with the linear toe near black that keeps Lab finite and smooth. */
function labF(t: number): number {
  return t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116;
}

/** sRGB (0..255) → linear → XYZ (D65) → CIELAB, interleaved [L, a, b] per pixel. */
function toLab(data: Uint8Array | Uint8ClampedArray | Float32Array, pixels: number): Float32Array {
  // 8-bit inputs have only 256 possible channel values: a table avoids a pow() per channel.
  let table: Float64Array | undefined;
  if (!(data instanceof Float32Array)) {
    table = srgbTable;
    if (!table) {
      table = new Float64Array(256);
      for (let v = 0; v < 256; v++) table[v] = srgbToLinear(v / 255);
      srgbTable = table;
    }
  }
  const lab = new Float32Array(pixels * 3);
  for (let p = 0; p < pixels * 3; p += 3) {
    let r: number, g: number, b: number;
    if (table) {
      r = table[data[p]];
      g = table[data[p + 1]];
      b = table[data[p + 2]];
    } else {
      // Float input may stray outside 0..255 (or be NaN) after resampling; clamp rather than produce NaN Lab.
      r = srgbToLinear(unitClamp(data[p]));
      g = srgbToLinear(unitClamp(data[p + 1]));
      b = srgbToLinear(unitClamp(data[p + 2]));
    }
    // XYZ already divided by the D65 white point (0.95047, 1, 1.08883).
    const x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047;
    const y = 0.2126729 * r + 0.7151522 * g + 0.072175 * b;
    const z = (0.0193339 * r + 0.119192 * g + 0.9503041 * b) / 1.08883;
    const fx = labF(x),
      fy = labF(y),
      fz = labF(z);
    lab[p] = 116 * fy - 16;
    lab[p + 1] = 500 * (fx - fy);
    lab[p + 2] = 200 * (fy - fz);
  }
  return lab;
}

function unitClamp(value: number): number {
  return value > 0 ? (value < 255 ? value / 255 : 1) : 0;
}

/** Squared Lab gradient at (x, y), central differences with clamped borders. */
function gradientAt(lab: Float32Array, width: number, height: number, x: number, y: number): number {
  const left = (y * width + Math.max(0, x - 1)) * 3,
    right = (y * width + Math.min(width - 1, x + 1)) * 3;
  const up = (Math.max(0, y - 1) * width + x) * 3,
    down = (Math.min(height - 1, y + 1) * width + x) * 3;
  let sum = 0;
  for (let c = 0; c < 3; c++) {
    const gx = lab[right + c] - lab[left + c];
    const gy = lab[down + c] - lab[up + c];
    sum += gx * gx + gy * gy;
  }
  return sum;
}

/** Moves a seed within its 3x3 neighbourhood to the lowest gradient, so it does not start on an edge or noise. */
function lowestGradient(lab: Float32Array, width: number, height: number, x: number, y: number): [number, number] {
  let bestX = x,
    bestY = y;
  let best = gradientAt(lab, width, height, x, y);
  for (let ny = Math.max(0, y - 1); ny <= Math.min(height - 1, y + 1); ny++) {
    for (let nx = Math.max(0, x - 1); nx <= Math.min(width - 1, x + 1); nx++) {
      const g = gradientAt(lab, width, height, nx, ny);
      // Strict comparison: ties keep the earlier candidate, which keeps the result deterministic.
      if (g < best) {
        best = g;
        bestX = nx;
        bestY = ny;
      }
    }
  }
  return [bestX, bestY];
}

/**
 * Splits every cluster into its 4-connected components and merges fragments smaller than `minSize` into the
 * component that was labelled just before them next to their first pixel (as in the paper's reference code).
 * k-means in (colour, position) does not guarantee connected clusters, yet a perturbation that switches one
 * "segment" off must switch off one region.
 */
function enforceConnectivity(
  raw: Int32Array,
  width: number,
  height: number,
  minSize: number,
): { labels: Int32Array; count: number } {
  const n = width * height;
  const out = new Int32Array(n).fill(-1);
  // BFS queue that also keeps the component's pixels, so a merge can relabel them without a second fill.
  const queue = new Int32Array(n);
  let count = 0;
  for (let start = 0; start < n; start++) {
    if (out[start] !== -1) continue;
    // In raster order the left (or, in column 0, the upper) neighbour is always finished already.
    let adjacent = -1;
    if (start % width > 0) adjacent = out[start - 1];
    else if (start >= width) adjacent = out[start - width];

    const original = raw[start];
    out[start] = count;
    queue[0] = start;
    let size = 1;
    for (let head = 0; head < size; head++) {
      const p = queue[head];
      const x = p % width;
      if (x > 0 && out[p - 1] === -1 && raw[p - 1] === original) {
        out[p - 1] = count;
        queue[size++] = p - 1;
      }
      if (x < width - 1 && out[p + 1] === -1 && raw[p + 1] === original) {
        out[p + 1] = count;
        queue[size++] = p + 1;
      }
      if (p >= width && out[p - width] === -1 && raw[p - width] === original) {
        out[p - width] = count;
        queue[size++] = p - width;
      }
      if (p + width < n && out[p + width] === -1 && raw[p + width] === original) {
        out[p + width] = count;
        queue[size++] = p + width;
      }
    }

    if (size < minSize && adjacent >= 0) {
      for (let q = 0; q < size; q++) out[queue[q]] = adjacent;
    } else {
      count++;
    }
  }
  return { labels: out, count };
}
