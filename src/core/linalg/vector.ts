/**
 * Small allocation-free kernels on flat Float64Arrays. Rows of a row-major matrix are
 * addressed by an offset, so a student's weights W (m×d) are one buffer and neuron i
 * lives at W[i*d .. i*d+d).
 */

/** Dot product of x[xo .. xo+n) and y[yo .. yo+n). */
export function dot(x: Float64Array, xo: number, y: Float64Array, yo: number, n: number): number {
  let s = 0;
  for (let k = 0; k < n; k++) s += x[xo + k] * y[yo + k];
  return s;
}

/** Euclidean norm of x[xo .. xo+n), scaled to avoid overflow/underflow for extreme entries. */
export function norm(x: Float64Array, xo: number, n: number): number {
  let scale = 0;
  for (let k = 0; k < n; k++) {
    const a = Math.abs(x[xo + k]);
    if (a > scale) scale = a;
  }
  if (scale === 0 || !Number.isFinite(scale)) return scale;
  let s = 0;
  for (let k = 0; k < n; k++) {
    const t = x[xo + k] / scale;
    s += t * t;
  }
  return scale * Math.sqrt(s);
}

/** y[yo..] += alpha * x[xo..] over n entries. */
export function axpy(
  alpha: number,
  x: Float64Array,
  xo: number,
  y: Float64Array,
  yo: number,
  n: number,
): void {
  for (let k = 0; k < n; k++) y[yo + k] += alpha * x[xo + k];
}

/** Squared Euclidean norm of a whole array. */
export function sumOfSquares(x: Float64Array): number {
  let s = 0;
  for (let k = 0; k < x.length; k++) s += x[k] * x[k];
  return s;
}

/**
 * Angle between rows u = x[xo..] and v = y[yo..] computed as 2·atan2(‖ū − v̄‖, ‖ū + v̄‖)
 * (docs/model.md §5): accurate to full relative precision down to θ ≈ 1e-16, unlike acos(ūᵀv̄),
 * which loses half the digits near θ = 0 and θ = π. Returns 0 if either vector is zero.
 */
export function angleBetween(
  x: Float64Array,
  xo: number,
  nx: number,
  y: Float64Array,
  yo: number,
  ny: number,
  n: number,
): number {
  if (nx === 0 || ny === 0) return 0;
  let diff = 0;
  let sum = 0;
  for (let k = 0; k < n; k++) {
    const a = x[xo + k] / nx;
    const b = y[yo + k] / ny;
    diff += (a - b) * (a - b);
    sum += (a + b) * (a + b);
  }
  return 2 * Math.atan2(Math.sqrt(diff), Math.sqrt(sum));
}
