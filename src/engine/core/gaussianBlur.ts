// A separable Gaussian blur of a single-channel map, edges clamped.

/** The map blurred with standard deviation `sigma` pixels (a new array; the input itself when sigma ≤ 0). */
export function gaussianBlur(map: Float32Array, width: number, height: number, sigma: number): Float32Array {
  if (!(sigma > 0)) return map;
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const kernel = new Float32Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) sum += kernel[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < kernel.length; i++) kernel[i]! /= sum;
  const rows = new Float32Array(map.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let v = 0;
      for (let i = -radius; i <= radius; i++)
        v += kernel[i + radius]! * map[y * width + Math.min(width - 1, Math.max(0, x + i))]!;
      rows[y * width + x] = v;
    }
  }
  const out = new Float32Array(map.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let v = 0;
      for (let i = -radius; i <= radius; i++)
        v += kernel[i + radius]! * rows[Math.min(height - 1, Math.max(0, y + i)) * width + x]!;
      out[y * width + x] = v;
    }
  }
  return out;
}
