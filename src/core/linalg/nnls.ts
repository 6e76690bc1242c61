import { norm } from "./vector.js";

const EPS = 2 ** -52;
/**
 * A column enters the passive set only if the part of it outside the span of the passive
 * columns exceeds this multiple of ε times the part inside. This is the numerical independence
 * test of Lawson & Hanson's routine (their "unorm + 0.01·|up| > unorm"), which keeps R
 * well enough conditioned to be back-substituted.
 */
const INDEPENDENCE_FACTOR = 100;

export interface NnlsOptions {
  /** Cap on least-squares subproblem solves (inner iterations); default max(30, 3·cols). */
  maxIterations?: number;
  /**
   * Stop when no column outside the passive set has gradient component aⱼᵀ(b − Ax) above this.
   * Default 10·max(rows, cols)·ε·maxⱼ‖aⱼ‖·‖b‖, the rounding level of those inner products.
   */
  tolerance?: number;
}

export interface NnlsResult {
  /** The minimizer, x ≥ 0 (exact zeros off the passive set). */
  x: Float64Array;
  /** ‖Ax − b‖₂ at the returned x, recomputed from the original A and b. */
  residualNorm: number;
  /** Least-squares subproblems solved. */
  iterations: number;
}

/**
 * Non-negative least squares: min ‖Ax − b‖₂ subject to x ≥ 0, with A rows×cols row-major.
 *
 * Algorithm: Lawson–Hanson active-set method (Lawson & Hanson, Solving Least Squares Problems,
 * 1974, ch. 23, Algorithm NNLS). Columns move into the passive set P while some gradient
 * component wⱼ = aⱼᵀ(b − Ax) is positive. Each time, the unconstrained problem on P is solved,
 * and if that leaves the feasible region, x steps back to the boundary and the columns that hit
 * zero are dropped. The subproblems are never formed as normal equations (which would square
 * the condition number). A Householder QR factorization Qᵀ[A | b] is kept and updated instead:
 * a column entering P costs one Householder reflection. A column leaving P costs a sweep of
 * Givens rotations that restores triangular form (GVL, Matrix Computations, 4th ed., §6.5.2).
 *
 * Rank deficiency: a column that is numerically dependent on the passive columns, or whose
 * tentative coefficient would not be positive, is not admitted, as in Lawson & Hanson's step
 * 6. It stays at zero, so duplicated or zero columns give a finite solution, and x is the
 * minimizer with linearly independent passive columns.
 *
 * @throws RangeError on bad sizes, a non-finite entry, or invalid options.
 */
export function nnls(
  A: Float64Array,
  rows: number,
  cols: number,
  b: Float64Array,
  options: NnlsOptions = {},
): NnlsResult {
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0)
    throw new RangeError(`nnls: rows and cols must be non-negative integers, got ${rows}×${cols}`);
  if (A.length < rows * cols)
    throw new RangeError(`nnls: A has ${A.length} entries, expected ${rows}×${cols}`);
  if (b.length < rows) throw new RangeError(`nnls: b has ${b.length} entries, expected ${rows}`);
  for (let k = 0; k < rows * cols; k++)
    if (!Number.isFinite(A[k])) throw new RangeError(`nnls: A has a non-finite entry ${A[k]}`);
  for (let k = 0; k < rows; k++)
    if (!Number.isFinite(b[k])) throw new RangeError(`nnls: b has a non-finite entry ${b[k]}`);
  const maxIterations = options.maxIterations ?? Math.max(30, 3 * cols);
  if (!Number.isInteger(maxIterations) || maxIterations < 0)
    throw new RangeError(`nnls: maxIterations must be a non-negative integer`);

  const x = new Float64Array(cols);
  const bNorm = norm(b, 0, rows);
  if (rows === 0 || cols === 0) return { x, residualNorm: bNorm, iterations: 0 };

  const column = new Float64Array(rows);
  let maxColNorm = 0;
  for (let j = 0; j < cols; j++) {
    for (let i = 0; i < rows; i++) column[i] = A[i * cols + j];
    maxColNorm = Math.max(maxColNorm, norm(column, 0, rows));
  }
  const tolerance = options.tolerance ?? 10 * Math.max(rows, cols) * EPS * maxColNorm * bNorm;
  if (!(tolerance >= 0)) throw new RangeError(`nnls: tolerance must be ≥ 0, got ${tolerance}`);

  const qr = new UpdatedQr(A, rows, cols, b);
  const gradient = new Float64Array(cols);
  const residual = new Float64Array(rows);
  const rejected = new Uint8Array(cols);
  let iterations = 0;

  outer: for (;;) {
    computeResidual(A, rows, cols, b, x, residual);
    for (let j = 0; j < cols; j++) {
      let s = 0;
      for (let i = 0; i < rows; i++) s += A[i * cols + j] * residual[i];
      gradient[j] = s;
    }
    // Choose the entering column: steepest positive gradient among the admissible ones.
    rejected.fill(0);
    for (;;) {
      let t = -1;
      let best = tolerance;
      for (let j = 0; j < cols; j++) {
        if (!qr.isPassive(j) && !rejected[j] && gradient[j] > best) {
          best = gradient[j];
          t = j;
        }
      }
      if (t < 0) break outer; // KKT conditions hold to tolerance
      if (qr.tryAppend(t)) break;
      rejected[t] = 1;
    }
    for (;;) {
      if (iterations >= maxIterations) break outer;
      iterations++;
      const z = qr.solve();
      const P = qr.passive;
      let feasible = true;
      for (let p = 0; p < P.length; p++) if (!(z[p] > 0)) feasible = false;
      if (feasible) {
        for (let p = 0; p < P.length; p++) x[P[p]] = z[p];
        break;
      }
      // Largest step from x towards z that stays feasible. It stops at the first passive
      // coordinate to reach zero, and that coordinate (and any other now ≤ 0) leaves P.
      let alpha = Number.POSITIVE_INFINITY;
      let hit = -1;
      for (let p = 0; p < P.length; p++) {
        if (z[p] <= 0) {
          const xj = x[P[p]];
          const step = xj / (xj - z[p]);
          if (step < alpha) {
            alpha = step;
            hit = p;
          }
        }
      }
      for (let p = 0; p < P.length; p++) x[P[p]] += alpha * (z[p] - x[P[p]]);
      x[P[hit]] = 0;
      for (let p = P.length - 1; p >= 0; p--) {
        if (x[P[p]] <= 0) {
          x[P[p]] = 0;
          qr.removeAt(p);
        }
      }
    }
  }
  computeResidual(A, rows, cols, b, x, residual);
  return { x, residualNorm: norm(residual, 0, rows), iterations };
}

function computeResidual(
  A: Float64Array,
  rows: number,
  cols: number,
  b: Float64Array,
  x: Float64Array,
  out: Float64Array,
): void {
  for (let i = 0; i < rows; i++) {
    let s = b[i];
    for (let j = 0; j < cols; j++) s -= A[i * cols + j] * x[j];
    out[i] = s;
  }
}

/**
 * W = QᵀA and y = Qᵀb for an orthogonal Q built from reflections and rotations, such that the
 * passive columns P = [p₀, …, p_{k−1}] of W form an upper-triangular R in the first k rows
 * (W[i, pⱼ] = 0 for i > j, and those zeros are stored exactly). Then min ‖A_P z − b‖ is solved
 * by R z = y[0..k). All columns are transformed, not only the passive ones, so that any
 * column can be appended later.
 */
class UpdatedQr {
  readonly passive: number[] = [];
  private readonly inP: Uint8Array;
  private readonly W: Float64Array;
  private readonly y: Float64Array;
  private readonly v: Float64Array;
  private readonly s: Float64Array;
  private readonly z: Float64Array;

  constructor(
    A: Float64Array,
    private readonly rows: number,
    private readonly cols: number,
    b: Float64Array,
  ) {
    this.W = Float64Array.from(A.subarray(0, rows * cols));
    this.y = Float64Array.from(b.subarray(0, rows));
    this.inP = new Uint8Array(cols);
    this.v = new Float64Array(rows);
    this.s = new Float64Array(cols);
    this.z = new Float64Array(Math.min(rows, cols));
  }

  isPassive(j: number): boolean {
    return this.inP[j] === 1;
  }

  /**
   * Append column t to P with a Householder reflection on rows k.. (GVL §5.1.2), unless it is
   * numerically dependent on P or its coefficient in the new least-squares solution would not
   * be positive (Lawson & Hanson, ch. 23, steps 5–6). In exact arithmetic a positive gradient
   * component guarantees a positive coefficient (their Lemma 23.17). A non-positive one can
   * only come from rounding, and admitting it could make the method cycle.
   */
  tryAppend(t: number): boolean {
    const { rows, cols, W, y, v, s } = this;
    const k = this.passive.length;
    if (k >= rows) return false;
    const m = rows - k;
    for (let i = 0; i < m; i++) v[i] = W[(k + i) * cols + t];
    const sigma = norm(v, 0, m);
    for (let i = 0; i < k; i++) s[i] = W[i * cols + t];
    const inSpan = norm(s, 0, k);
    if (!(sigma > INDEPENDENCE_FACTOR * EPS * inSpan)) return false;
    const x0 = v[0];
    const alpha = x0 >= 0 ? -sigma : sigma; // new diagonal entry of R; sign avoids cancellation
    v[0] = x0 - alpha;
    const beta = 1 / (sigma * (sigma + Math.abs(x0))); // = 2 / vᵀv
    let vy = 0;
    for (let i = 0; i < m; i++) vy += v[i] * y[k + i];
    vy *= beta;
    // z_t is the last unknown, so back substitution gives it as (Hy)_k / R_kk directly.
    const zt = (y[k] - vy * v[0]) / alpha;
    if (!(zt > 0)) return false;
    for (let i = 0; i < m; i++) y[k + i] -= vy * v[i];
    // Apply the reflection to every column (passive ones have exact zeros in rows k.. and are
    // unchanged). Row-major: accumulate vᵀW row by row, then update row by row.
    s.fill(0);
    for (let i = 0; i < m; i++) {
      const row = (k + i) * cols;
      const vi = v[i];
      for (let j = 0; j < cols; j++) s[j] += vi * W[row + j];
    }
    for (let i = 0; i < m; i++) {
      const row = (k + i) * cols;
      const f = beta * v[i];
      for (let j = 0; j < cols; j++) W[row + j] -= f * s[j];
    }
    W[k * cols + t] = alpha;
    for (let i = 1; i < m; i++) W[(k + i) * cols + t] = 0;
    this.passive.push(t);
    this.inP[t] = 1;
    return true;
  }

  /**
   * Remove the passive column at position p. The columns after it then have one sub-diagonal
   * entry each (upper Hessenberg). Givens rotations on row pairs (i, i+1) remove those entries
   * (GVL §6.5.2, deleting a column).
   */
  removeAt(p: number): void {
    const { cols, W, y } = this;
    const [removed] = this.passive.splice(p, 1);
    this.inP[removed] = 0;
    for (let i = p; i < this.passive.length; i++) {
      const col = this.passive[i];
      const top = i * cols;
      const bot = top + cols;
      const a = W[top + col];
      const bb = W[bot + col];
      const r = Math.hypot(a, bb);
      if (r === 0) continue;
      const c = a / r;
      const s = bb / r;
      for (let j = 0; j < cols; j++) {
        const u = W[top + j];
        const w = W[bot + j];
        W[top + j] = c * u + s * w;
        W[bot + j] = c * w - s * u;
      }
      W[top + col] = r;
      W[bot + col] = 0;
      const u = y[i];
      const w = y[i + 1];
      y[i] = c * u + s * w;
      y[i + 1] = c * w - s * u;
    }
  }

  /** Least-squares coefficients of the passive columns, in passive order, by back substitution. */
  solve(): Float64Array {
    const { cols, W, y, z, passive } = this;
    const k = passive.length;
    for (let i = k - 1; i >= 0; i--) {
      let s = y[i];
      for (let l = i + 1; l < k; l++) s -= W[i * cols + passive[l]] * z[l];
      z[i] = s / W[i * cols + passive[i]];
    }
    return z;
  }
}
