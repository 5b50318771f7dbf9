// Min-max stretching, shared by the maps, the time curve and DAX's log-odds targets.

/** `values` stretched to [0, 1]; a constant (range ≤ 1e-12) input becomes all `constant`. */
export function minMaxNormalise(values: ArrayLike<number>, constant = 0): Float32Array {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    min = Math.min(min, values[i]!);
    max = Math.max(max, values[i]!);
  }
  const range = max - min;
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = range > 1e-12 ? (values[i]! - min) / range : constant;
  return out;
}
