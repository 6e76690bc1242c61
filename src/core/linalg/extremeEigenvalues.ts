import { symmetricEigen, tridiagonalEigen } from "./symmetricEigen.js";
import { axpy, dot, norm } from "./vector.js";

const EPS = 2 ** -52;

export interface ExtremeEigenOptions {
  /** Lanczos steps (operator applications) at most; default min(n, 300), capped at n. */
  maxIterations?: number;
  /** Relative residual at which a Ritz pair counts as converged; default 1e-10. */
  tolerance?: number;
  /** n at or below which the dense matrix is assembled and diagonalized; default 200. */
  denseThreshold?: number;
  /**
   * Lanczos start vector (length n, not modified; normalized here), e.g. the sum of the
   * extreme eigenvectors of a nearby matrix: a warm start. Ignored when it is zero, not finite
   * or of the wrong length, and by the dense path. Default: the fixed vector sin(k+1).
   */
  start?: Float64Array;
}

export interface ExtremeEigenResult {
  /** Smallest eigenvalue (NaN for n = 0). */
  min: number;
  /** Largest eigenvalue (NaN for n = 0). */
  max: number;
  /** Unit eigenvector (Ritz vector) for `min`. */
  minVector: Float64Array;
  /** Unit eigenvector (Ritz vector) for `max`. */
  maxVector: Float64Array;
  /** Applications of the operator. */
  iterations: number;
  /** False when Lanczos hit maxIterations first; min/max are then inner bounds on the truth. */
  converged: boolean;
  method: "dense" | "lanczos";
}

/**
 * Smallest and largest eigenvalue, with eigenvectors, of a symmetric operator known only
 * through `apply(v, out)`, which writes A·v into `out` and must not modify `v` (here a
 * Hessian-vector product). The n×n matrix is never formed when n is large.
 *
 * n ≤ denseThreshold: A is assembled from n products with unit vectors, symmetrized as
 * (A + Aᵀ)/2 and diagonalized by {@link symmetricEigen}. The result is exact to rounding, and
 * maxIterations and tolerance are not used.
 *
 * Otherwise: Lanczos with full reorthogonalization (Golub & Van Loan, Matrix Computations,
 * 4th ed., §10.1 and §10.3.1). Each new basis vector is orthogonalized against the whole basis
 * by classical Gram–Schmidt, repeated once when the norm drops by more than 1/√2 (the DGKS
 * criterion, Daniel, Gragg, Kaufman & Stewart, Math. Comp. 30, 1976). The basis therefore stays
 * orthonormal to working precision and no spurious Ritz copies appear. The start vector is
 * deterministic (entries sin(k+1)), so results are reproducible. After every step the Ritz
 * values of the tridiagonal T_k come from {@link tridiagonalEigen}, which also tracks only the
 * bottom row of T_k's eigenvectors, in O(k²). The run stops when the extreme Ritz pairs both have
 * residual ‖Ay − θy‖ = |β_k s_{k,j}| (Parlett, The Symmetric Eigenvalue Problem, §13.1)
 * ≤ tolerance·max|θ|. Eigenvalue errors are then of order residual²/gap or smaller.
 *
 * Breakdown (β ≈ 0) means the Krylov space is invariant, so its Ritz values are exact
 * eigenvalues. With a start vector that is deficient in some eigenspace, they need not include
 * the extremes. So on the first breakdown Lanczos restarts once from a vector orthogonal to the
 * basis and keeps the extremes of both blocks. Hitting maxIterations gives converged = false
 * and the best estimates so far, with no exception.
 *
 * @throws RangeError on invalid n or options, or if `apply` produces non-finite values.
 */
export function extremeEigenvalues(
  apply: (v: Float64Array, out: Float64Array) => void,
  n: number,
  options: ExtremeEigenOptions = {},
): ExtremeEigenResult {
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`extremeEigenvalues: n must be a non-negative integer, got ${n}`);
  const tolerance = options.tolerance ?? 1e-10;
  if (!(tolerance >= 0) || !Number.isFinite(tolerance))
    throw new RangeError(`extremeEigenvalues: tolerance must be finite and ≥ 0, got ${tolerance}`);
  const denseThreshold = options.denseThreshold ?? 200;
  if (Number.isNaN(denseThreshold))
    throw new RangeError("extremeEigenvalues: denseThreshold must be a number");
  const requested = options.maxIterations ?? 300;
  if (!Number.isInteger(requested) || requested < 1)
    throw new RangeError(
      `extremeEigenvalues: maxIterations must be a positive integer, got ${requested}`,
    );
  if (n === 0) {
    return {
      min: Number.NaN,
      max: Number.NaN,
      minVector: new Float64Array(0),
      maxVector: new Float64Array(0),
      iterations: 0,
      converged: true,
      method: "dense",
    };
  }
  if (n <= denseThreshold) return dense(apply, n);
  return lanczos(apply, n, Math.min(n, requested), tolerance, options.start);
}

function dense(apply: (v: Float64Array, out: Float64Array) => void, n: number): ExtremeEigenResult {
  const M = new Float64Array(n * n);
  const unit = new Float64Array(n);
  const col = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    unit.fill(0);
    unit[j] = 1;
    col.fill(0);
    apply(unit, col);
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(col[i]))
        throw new RangeError(
          `extremeEigenvalues: apply returned ${col[i]} in entry ${i} for unit vector ${j}`,
        );
      M[i * n + j] = col[i];
    }
  }
  // A Hessian-vector product is symmetric only up to rounding: use the nearest symmetric matrix.
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const s = 0.5 * (M[i * n + j] + M[j * n + i]);
      M[i * n + j] = s;
      M[j * n + i] = s;
    }
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

interface Extremes {
  min: number;
  max: number;
  minVector: Float64Array;
  maxVector: Float64Array;
}

function lanczos(
  apply: (v: Float64Array, out: Float64Array) => void,
  n: number,
  maxIterations: number,
  tolerance: number,
  start?: Float64Array,
): ExtremeEigenResult {
  const basis: Float64Array[] = [];
  const alpha: number[] = [];
  const beta: number[] = []; // beta[i] couples basis i and i+1 inside a block
  const coef = new Float64Array(maxIterations);
  const w = new Float64Array(n);
  // Below this β the new direction is rounding noise, i.e. the Krylov space is invariant.
  const breakdownFactor = 16 * EPS * Math.sqrt(n);
  let normEstimate = 0; // max ‖A q‖ seen, a lower bound on ‖A‖
  let blockStart = 0;
  let restarted = false;
  let best: Extremes | null = null;
  let converged = false;

  let q = (start && warmStart(start, n)) || startVector(n);
  for (;;) {
    basis.push(q);
    const j = basis.length - 1;
    w.fill(0);
    apply(q, w);
    // Checked entrywise: norm() skips NaN when every entry is NaN and would report 0.
    for (let k = 0; k < n; k++)
      if (!Number.isFinite(w[k]))
        throw new RangeError(
          `extremeEigenvalues: apply returned ${w[k]} in entry ${k} at Lanczos step ${j}`,
        );
    normEstimate = Math.max(normEstimate, norm(w, 0, n));
    // Three-term recurrence, then full reorthogonalization against every basis vector.
    if (j > blockStart) axpy(-beta[j - 1], basis[j - 1], 0, w, 0, n);
    let a = dot(q, 0, w, 0, n);
    axpy(-a, q, 0, w, 0, n);
    let before = norm(w, 0, n);
    let b = before;
    for (let pass = 0; pass < 2; pass++) {
      projectOut(basis, w, coef);
      a += coef[j]; // the part of w along q belongs to the diagonal entry
      b = norm(w, 0, n);
      if (b > before * Math.SQRT1_2) break; // little cancellation: one pass was enough
      before = b;
    }
    alpha.push(a);

    const size = j - blockStart + 1;
    const d = Float64Array.from(alpha.slice(blockStart));
    const e = Float64Array.from(beta.slice(blockStart, j));
    const bottom = new Float64Array(size);
    bottom[size - 1] = 1;
    tridiagonalEigen(d, e, bottom, 1);
    const [iMin, iMax] = extremeIndices(d);
    let scaleRef = Math.max(Math.abs(d[iMin]), Math.abs(d[iMax]));
    if (best) scaleRef = Math.max(scaleRef, Math.abs(best.min), Math.abs(best.max));
    const breakdown = b <= breakdownFactor * normEstimate;
    const blockDone =
      breakdown ||
      (Math.abs(b * bottom[iMin]) <= tolerance * scaleRef &&
        Math.abs(b * bottom[iMax]) <= tolerance * scaleRef);
    const budgetLeft = basis.length < maxIterations;

    if (blockDone || !budgetLeft) best = merge(best, ritzPairs(alpha, beta, basis, blockStart, n));
    if (!blockDone) {
      if (!budgetLeft) break;
      beta.push(b);
      q = new Float64Array(w);
      for (let k = 0; k < n; k++) q[k] /= b;
      continue;
    }
    if (breakdown && !restarted && budgetLeft) {
      // Probe the orthogonal complement once, in case the start vector missed an eigenspace.
      const fresh = restartVector(basis, n);
      if (fresh) {
        restarted = true;
        beta.push(0);
        blockStart = basis.length;
        q = fresh;
        continue;
      }
    }
    converged = true;
    break;
  }
  const result = best as Extremes;
  return { ...result, iterations: basis.length, converged, method: "lanczos" };
}

/**
 * One classical Gram–Schmidt pass: coef[i] = qᵢᵀw for every basis vector, then
 * w ← w − Σ coef[i]·qᵢ. For large n this is limited by memory bandwidth, not arithmetic, so
 * the basis is processed four vectors at a time: w then streams through the cache once per
 * four vectors instead of once per vector.
 */
function projectOut(basis: Float64Array[], w: Float64Array, coef: Float64Array): void {
  const m = basis.length;
  const n = w.length;
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const q0 = basis[i];
    const q1 = basis[i + 1];
    const q2 = basis[i + 2];
    const q3 = basis[i + 3];
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let k = 0; k < n; k++) {
      const wk = w[k];
      s0 += q0[k] * wk;
      s1 += q1[k] * wk;
      s2 += q2[k] * wk;
      s3 += q3[k] * wk;
    }
    coef[i] = s0;
    coef[i + 1] = s1;
    coef[i + 2] = s2;
    coef[i + 3] = s3;
  }
  for (; i < m; i++) coef[i] = dot(basis[i], 0, w, 0, n);
  i = 0;
  for (; i + 4 <= m; i += 4) {
    const q0 = basis[i];
    const q1 = basis[i + 1];
    const q2 = basis[i + 2];
    const q3 = basis[i + 3];
    const [c0, c1, c2, c3] = [coef[i], coef[i + 1], coef[i + 2], coef[i + 3]];
    for (let k = 0; k < n; k++) w[k] -= c0 * q0[k] + c1 * q1[k] + c2 * q2[k] + c3 * q3[k];
  }
  for (; i < m; i++) axpy(-coef[i], basis[i], 0, w, 0, n);
}

/** A caller's start vector, normalized, or null when it cannot serve (wrong length, zero, NaN). */
function warmStart(v: Float64Array, n: number): Float64Array | null {
  if (v.length !== n) return null;
  const s = norm(v, 0, n);
  if (!(s > 0 && Number.isFinite(s))) return null;
  return Float64Array.from(v, (x) => x / s);
}

/** Deterministic, generic start vector: entries sin(k+1) have no sign or permutation pattern. */
function startVector(n: number): Float64Array {
  const q = Float64Array.from({ length: n }, (_, k) => Math.sin(k + 1));
  const s = norm(q, 0, n);
  for (let k = 0; k < n; k++) q[k] /= s;
  return q;
}

/**
 * A unit vector orthogonal to the basis (twice-applied Gram–Schmidt), or null if the basis
 * spans everything. First tried: the fixed sequence sin(√2(k+1)). If that lies too close to
 * the span, the coordinate vector least represented in the basis is used instead. Its
 * projection onto the complement has squared norm ≥ 1 − m/n > 0, because the squared row
 * norms of an orthonormal n×m basis sum to m.
 */
function restartVector(basis: Float64Array[], n: number): Float64Array | null {
  const project = (v: Float64Array) => {
    const before = norm(v, 0, n);
    for (let pass = 0; pass < 2; pass++)
      for (const u of basis) axpy(-dot(u, 0, v, 0, n), u, 0, v, 0, n);
    const after = norm(v, 0, n);
    if (!(after > 1e-3 * before)) return null;
    for (let k = 0; k < n; k++) v[k] /= after;
    return v;
  };
  const v = project(Float64Array.from({ length: n }, (_, k) => Math.sin(Math.SQRT2 * (k + 1))));
  if (v) return v;
  let coordinate = 0;
  let least = Number.POSITIVE_INFINITY;
  for (let k = 0; k < n; k++) {
    let s = 0;
    for (const u of basis) s += u[k] * u[k];
    if (s < least) {
      least = s;
      coordinate = k;
    }
  }
  const e = new Float64Array(n);
  e[coordinate] = 1;
  return project(e);
}

function extremeIndices(d: Float64Array): [number, number] {
  let iMin = 0;
  let iMax = 0;
  for (let i = 1; i < d.length; i++) {
    if (d[i] < d[iMin]) iMin = i;
    if (d[i] > d[iMax]) iMax = i;
  }
  return [iMin, iMax];
}

/** Extreme Ritz values and unit Ritz vectors of the block starting at `start`. */
function ritzPairs(
  alpha: number[],
  beta: number[],
  basis: Float64Array[],
  start: number,
  n: number,
): Extremes {
  const size = alpha.length - start;
  const d = Float64Array.from(alpha.slice(start));
  const e = Float64Array.from(beta.slice(start, start + size - 1));
  const s = new Float64Array(size * size);
  for (let i = 0; i < size; i++) s[i * size + i] = 1;
  tridiagonalEigen(d, e, s, size); // row j of s: eigenvector j of the block's T
  const [iMin, iMax] = extremeIndices(d);
  const combine = (j: number) => {
    const y = new Float64Array(n);
    for (let k = 0; k < size; k++) axpy(s[j * size + k], basis[start + k], 0, y, 0, n);
    const len = norm(y, 0, n);
    for (let k = 0; k < n; k++) y[k] /= len;
    return y;
  };
  return { min: d[iMin], max: d[iMax], minVector: combine(iMin), maxVector: combine(iMax) };
}

function merge(a: Extremes | null, b: Extremes): Extremes {
  if (!a) return b;
  const low = b.min < a.min ? b : a;
  const high = b.max > a.max ? b : a;
  return { min: low.min, minVector: low.minVector, max: high.max, maxVector: high.maxVector };
}
