// Dense linear systems, small enough for plain elimination: LIME's and segment DAX's ridge regressions.
/**
 * Solves a·x = b (a row-major n×n) by Gaussian elimination with partial pivoting, overwriting a and b; for the
 * small systems of the ridge regressions (segments + 1 unknowns).
 */
export function solveLinearSystem(a: Float64Array, b: Float64Array, n: number): Float64Array {
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r * n + col]!) > Math.abs(a[pivot * n + col]!)) pivot = r;
    if (pivot !== col) {
      for (let j = 0; j < n; j++) [a[col * n + j], a[pivot * n + j]] = [a[pivot * n + j]!, a[col * n + j]!];
      [b[col], b[pivot]] = [b[pivot]!, b[col]!];
    }
    const diagonal = a[col * n + col]! || 1e-12;
    for (let r = col + 1; r < n; r++) {
      const factor = a[r * n + col]! / diagonal;
      if (factor === 0) continue;
      for (let j = col; j < n; j++) a[r * n + j]! -= factor * a[col * n + j]!;
      b[r]! -= factor * b[col]!;
    }
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let sum = b[r]!;
    for (let j = r + 1; j < n; j++) sum -= a[r * n + j]! * x[j]!;
    x[r] = sum / (a[r * n + r]! || 1e-12);
  }
  return x;
}
