import { symmetricEigen } from "./symmetricEigen.js";

export interface ExtremeEigenResult {
  min: number;
  max: number;
  minVector: Float64Array;
  maxVector: Float64Array;
  iterations: number;
  converged: boolean;
  method: "dense" | "lanczos";
}

/**
 * Smallest and largest eigenvalue of a symmetric operator known only through `apply`
 * (a Hessian-vector product), never forming the matrix when n is large.
 *
 * n ≤ denseThreshold: the matrix is assembled from n products with unit vectors, symmetrized
 * and diagonalized exactly. Otherwise: Lanczos with full reorthogonalization (Golub & Van
 * Loan §10.1), Ritz values from the tridiagonal T_k, stopping when both extreme Ritz pairs
 * have residual |β_k s_{k,j}| ≤ tolerance·max|λ|.
 */
export function extremeEigenvalues(
  apply: (v: Float64Array, out: Float64Array) => void,
  n: number,
  options: { maxIterations?: number; tolerance?: number; denseThreshold?: number } = {},
): ExtremeEigenResult {
  const tol = options.tolerance ?? 1e-10;
  const denseThreshold = options.denseThreshold ?? 200;
  if (n === 0)
    return {
      min: Number.NaN,
      max: Number.NaN,
      minVector: new Float64Array(0),
      maxVector: new Float64Array(0),
      iterations: 0,
      converged: true,
      method: "dense",
    };
  if (n <= denseThreshold) {
    const M = new Float64Array(n * n);
    const e = new Float64Array(n);
    const col = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      e.fill(0);
      e[j] = 1;
      apply(e, col);
      for (let i = 0; i < n; i++) M[i * n + j] = col[i];
    }
    const { values, vectors } = symmetricEigen(M, n);
    const column = (j: number) => Float64Array.from({ length: n }, (_, i) => vectors[i * n + j]);
    return {
      min: values[0],
      max: values[n - 1],
      minVector: column(0),
      maxVector: column(n - 1),
      iterations: n,
      converged: true,
      method: "dense",
    };
  }
  const maxIter = Math.min(n, options.maxIterations ?? 200);
  const Q: Float64Array[] = [];
  const alpha: number[] = [];
  const beta: number[] = [];
  let q = new Float64Array(n);
  for (let k = 0; k < n; k++) q[k] = Math.sin(k + 1) + 0.5 * Math.cos(3 * k + 2);
  scale(q, 1 / nrm(q));
  const w = new Float64Array(n);
  let converged = false;
  let ritz = { min: 0, max: 0, sMin: new Float64Array(0), sMax: new Float64Array(0) };
  let k = 0;
  for (; k < maxIter; k++) {
    Q.push(q);
    apply(q, w);
    const a = dotv(w, q);
    alpha.push(a);
    // full reorthogonalization (twice is enough, "twice is enough" of Kahan/Parlett)
    for (let pass = 0; pass < 2; pass++) {
      for (const qi of Q) {
        const c = dotv(w, qi);
        for (let t = 0; t < n; t++) w[t] -= c * qi[t];
      }
    }
    const b = nrm(w);
    const m = alpha.length;
    // The Ritz values cost O(m³) (Jacobi on T), so convergence is checked every 8 iterations.
    if (m % 8 !== 0 && m < maxIter && b > 0) {
      beta.push(b);
      q = new Float64Array(w);
      scale(q, 1 / b);
      continue;
    }
    const T = new Float64Array(m * m);
    for (let i = 0; i < m; i++) {
      T[i * m + i] = alpha[i];
      if (i + 1 < m) {
        T[i * m + i + 1] = beta[i];
        T[(i + 1) * m + i] = beta[i];
      }
    }
    const { values, vectors } = symmetricEigen(T, m);
    ritz = {
      min: values[0],
      max: values[m - 1],
      sMin: Float64Array.from({ length: m }, (_, i) => vectors[i * m]),
      sMax: Float64Array.from({ length: m }, (_, i) => vectors[i * m + m - 1]),
    };
    const scaleRef = Math.max(Math.abs(ritz.min), Math.abs(ritz.max), Number.MIN_VALUE);
    const resMin = Math.abs(b * ritz.sMin[m - 1]);
    const resMax = Math.abs(b * ritz.sMax[m - 1]);
    if (b <= 1e-14 * scaleRef || (m >= 2 && resMin <= tol * scaleRef && resMax <= tol * scaleRef)) {
      converged = true;
      k++;
      break;
    }
    beta.push(b);
    q = new Float64Array(w);
    scale(q, 1 / b);
  }
  const combine = (s: Float64Array) => {
    const v = new Float64Array(n);
    for (let i = 0; i < s.length; i++) for (let t = 0; t < n; t++) v[t] += s[i] * Q[i][t];
    return v;
  };
  return {
    min: ritz.min,
    max: ritz.max,
    minVector: combine(ritz.sMin),
    maxVector: combine(ritz.sMax),
    iterations: k,
    converged,
    method: "lanczos",
  };
}

function dotv(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k] * b[k];
  return s;
}
function nrm(a: Float64Array): number {
  return Math.sqrt(dotv(a, a));
}
function scale(a: Float64Array, f: number): void {
  for (let k = 0; k < a.length; k++) a[k] *= f;
}
