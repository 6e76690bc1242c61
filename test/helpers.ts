import type { Rng } from "../src/core/random/rng.js";

/** Tolerances used across the suite, in one place (float64 everywhere: docs/model.md §5). */
export const TOL = {
  /** central differences with h ~ 1e-5·scale: truncation O(h²) and rounding O(ε/h). */
  finiteDifference: 2e-6,
  exact: 1e-12,
};

export function randomArray(rng: Rng, n: number, scale = 1): Float64Array {
  return rng.fillNormal(new Float64Array(n), scale);
}

/** max |a − b| / max(1, max |b|) */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let k = 0; k < a.length; k++) {
    num = Math.max(num, Math.abs(a[k] - b[k]));
    den = Math.max(den, Math.abs(b[k]));
  }
  return num / Math.max(den, 1e-300);
}

/** Central-difference gradient of f at x with relative step h. */
export function numericGradient(
  f: (x: Float64Array) => number,
  x: Float64Array,
  h = 1e-5,
): Float64Array {
  const g = new Float64Array(x.length);
  const y = new Float64Array(x);
  for (let k = 0; k < x.length; k++) {
    const step = h * Math.max(1, Math.abs(x[k]));
    y[k] = x[k] + step;
    const fp = f(y);
    y[k] = x[k] - step;
    const fm = f(y);
    y[k] = x[k];
    g[k] = (fp - fm) / (2 * step);
  }
  return g;
}

/** Central difference of a vector-valued gradient along direction v: (g(x+hv) − g(x−hv))/2h. */
export function gradientDifference(
  grad: (x: Float64Array, out: Float64Array) => void,
  x: Float64Array,
  v: Float64Array,
  h = 1e-5,
): Float64Array {
  const n = x.length;
  const xp = new Float64Array(n);
  const xm = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    xp[k] = x[k] + h * v[k];
    xm[k] = x[k] - h * v[k];
  }
  const gp = new Float64Array(n);
  const gm = new Float64Array(n);
  grad(xp, gp);
  grad(xm, gm);
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) out[k] = (gp[k] - gm[k]) / (2 * h);
  return out;
}

/** op(A)·op(B) by the textbook triple loop. */
export function naiveGemm(
  transA: boolean,
  transB: boolean,
  M: number,
  N: number,
  K: number,
  A: Float64Array,
  B: Float64Array,
): Float64Array {
  const C = new Float64Array(M * N);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++)
        s += (transA ? A[k * M + i] : A[i * K + k]) * (transB ? B[j * K + k] : B[k * N + j]);
      C[i * N + j] = s;
    }
  return C;
}

/** Shapes with sizes that are odd, prime, 1, or not multiples of any SIMD width or block. */
export const GEMM_SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1, 7, 3],
  [5, 1, 9],
  [3, 5, 7],
  [17, 33, 9],
  [16, 4, 64],
  [31, 29, 37],
  [65, 67, 3],
];
