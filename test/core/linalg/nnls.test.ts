import { describe, expect, it } from "vitest";
import { nnls } from "../../../src/core/linalg/nnls.js";
import { Rng } from "../../../src/core/random/rng.js";

function matVec(A: Float64Array, rows: number, cols: number, x: Float64Array): Float64Array {
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i] += A[i * cols + j] * x[j];
  return out;
}

/** Aᵀ(Ax − b), the gradient of ½‖Ax − b‖². */
function gradient(
  A: Float64Array,
  rows: number,
  cols: number,
  x: Float64Array,
  b: Float64Array,
): Float64Array {
  const r = matVec(A, rows, cols, x).map((v, i) => v - b[i]);
  const g = new Float64Array(cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) g[j] += A[i * cols + j] * r[i];
  return g;
}

/** KKT conditions of NNLS: x ≥ 0, g ≥ −tol where x = 0, |g| ≤ tol where x > 0. */
function expectKkt(
  A: Float64Array,
  rows: number,
  cols: number,
  x: Float64Array,
  b: Float64Array,
  tol: number,
): void {
  const g = gradient(A, rows, cols, x, b);
  for (let j = 0; j < cols; j++) {
    expect(x[j]).toBeGreaterThanOrEqual(0);
    if (x[j] > 0) expect(Math.abs(g[j])).toBeLessThan(tol);
    else expect(g[j]).toBeGreaterThan(-tol);
  }
}

/**
 * Unconstrained least squares on the columns `subset` by modified Gram–Schmidt, or null if
 * those columns are (numerically) dependent.
 */
function subsetLeastSquares(
  A: Float64Array,
  rows: number,
  cols: number,
  subset: number[],
  b: Float64Array,
): Float64Array | null {
  const k = subset.length;
  const q = subset.map((j) => Float64Array.from({ length: rows }, (_, i) => A[i * cols + j]));
  const r = new Float64Array(k * k);
  for (let c = 0; c < k; c++) {
    const scale = Math.sqrt(q[c].reduce((s, v) => s + v * v, 0));
    for (let p = 0; p < c; p++) {
      const s = q[p].reduce((acc, v, i) => acc + v * q[c][i], 0);
      r[p * k + c] = s;
      for (let i = 0; i < rows; i++) q[c][i] -= s * q[p][i];
    }
    const len = Math.sqrt(q[c].reduce((s, v) => s + v * v, 0));
    if (len <= 1e-10 * scale) return null;
    r[c * k + c] = len;
    for (let i = 0; i < rows; i++) q[c][i] /= len;
  }
  const z = new Float64Array(k);
  for (let c = k - 1; c >= 0; c--) {
    let s = q[c].reduce((acc, v, i) => acc + v * b[i], 0);
    for (let p = c + 1; p < k; p++) s -= r[c * k + p] * z[p];
    z[c] = s / r[c * k + c];
  }
  return z;
}

/** min ‖Ax − b‖ over x ≥ 0 by trying every set of linearly independent positive columns. */
function bruteForce(
  A: Float64Array,
  rows: number,
  cols: number,
  b: Float64Array,
): { x: Float64Array; residualNorm: number } {
  let best = { x: new Float64Array(cols), residualNorm: Math.hypot(...b) };
  for (let mask = 1; mask < 1 << cols; mask++) {
    const subset = [...Array(cols).keys()].filter((j) => mask & (1 << j));
    if (subset.length > rows) continue;
    const z = subsetLeastSquares(A, rows, cols, subset, b);
    if (!z || z.some((v) => v <= 0)) continue;
    const x = new Float64Array(cols);
    subset.forEach((j, k) => {
      x[j] = z[k];
    });
    const residualNorm = Math.hypot(...matVec(A, rows, cols, x).map((v, i) => v - b[i]));
    if (residualNorm < best.residualNorm) best = { x, residualNorm };
  }
  return best;
}

describe("nnls", () => {
  it("nnls(A, A·x*) recovers a non-negative x* with zero entries exactly", () => {
    const rng = new Rng(21);
    const rows = 15;
    const cols = 7;
    const A = rng.fillNormal(new Float64Array(rows * cols));
    const xStar = new Float64Array([0.5, 0, 1.2, 0.3, 0, 2, 0.01]);
    const b = matVec(A, rows, cols, xStar);
    const res = nnls(A, rows, cols, b);
    for (let j = 0; j < cols; j++) expect(Math.abs(res.x[j] - xStar[j])).toBeLessThan(1e-12);
    expect(res.x[1]).toBe(0);
    expect(res.x[4]).toBe(0);
    expect(res.residualNorm).toBeLessThan(1e-13);
    expect(res.iterations).toBeGreaterThanOrEqual(5);
  });

  it("nnls(I, b) clips the negative entries of b to zero", () => {
    const A = new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    const res = nnls(A, 3, 3, new Float64Array([1, -2, 3]));
    expect(Array.from(res.x)).toEqual([1, 0, 3]);
    expect(res.residualNorm).toBeCloseTo(2, 15);
  });

  it("nnls(A, b) satisfies the KKT conditions where the unconstrained solution is negative", () => {
    const rng = new Rng(22);
    const rows = 12;
    const cols = 6;
    const A = rng.fillNormal(new Float64Array(rows * cols));
    let sawNegative = 0;
    for (let trial = 0; trial < 30; trial++) {
      const b = rng.fillNormal(new Float64Array(rows));
      const unconstrained = subsetLeastSquares(A, rows, cols, [...Array(cols).keys()], b);
      if (unconstrained?.some((v) => v < 0)) sawNegative++;
      const res = nnls(A, rows, cols, b);
      expectKkt(A, rows, cols, res.x, b, 1e-12);
      const r = matVec(A, rows, cols, res.x).map((v, i) => v - b[i]);
      expect(res.residualNorm).toBeCloseTo(Math.hypot(...r), 14);
    }
    expect(sawNegative).toBeGreaterThan(20); // the constraints are active in most trials
  });

  it("nnls(A, b) matches brute-force enumeration of active sets on small random problems", () => {
    const rng = new Rng(23);
    const shapes: [number, number][] = [
      [6, 4],
      [8, 5],
      [5, 5],
      [3, 6], // underdetermined: x is not unique, the residual is
      [1, 4],
    ];
    for (const [rows, cols] of shapes) {
      for (let trial = 0; trial < 25; trial++) {
        const A = rng.fillNormal(new Float64Array(rows * cols));
        const b = rng.fillNormal(new Float64Array(rows));
        const res = nnls(A, rows, cols, b);
        const ref = bruteForce(A, rows, cols, b);
        expect(Math.abs(res.residualNorm - ref.residualNorm)).toBeLessThan(1e-12);
        if (rows >= cols)
          for (let j = 0; j < cols; j++) expect(Math.abs(res.x[j] - ref.x[j])).toBeLessThan(1e-10);
        expectKkt(A, rows, cols, res.x, b, 1e-12);
      }
    }
  });

  it("nnls(A, b) handles duplicated, parallel and zero columns", () => {
    const rng = new Rng(24);
    const rows = 8;
    const base = rng.fillNormal(new Float64Array(rows * 3));
    // columns: c0, c1, c0 (duplicate), 0, 2·c1 (parallel), c2
    const cols = 6;
    const A = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      const [c0, c1, c2] = [base[i * 3], base[i * 3 + 1], base[i * 3 + 2]];
      A.set([c0, c1, c0, 0, 2 * c1, c2], i * cols);
    }
    for (let trial = 0; trial < 20; trial++) {
      const b = rng.fillNormal(new Float64Array(rows));
      const res = nnls(A, rows, cols, b);
      for (const v of res.x) expect(Number.isFinite(v)).toBe(true);
      expect(res.x[3]).toBe(0);
      expect(Math.abs(res.residualNorm - bruteForce(A, rows, cols, b).residualNorm)).toBeLessThan(
        1e-12,
      );
      expectKkt(A, rows, cols, res.x, b, 1e-12);
      // tolerance 0 lets rounding-level gradients of the duplicates request entry; the
      // independence test must refuse them rather than produce a singular R
      const strict = nnls(A, rows, cols, b, { tolerance: 0 });
      expect(strict.x.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
      expect(Math.abs(strict.residualNorm - res.residualNorm)).toBeLessThan(1e-13);
    }
  });

  it("nnls(A, b) on a rank-deficient square system (as in a pseudo-inverse fit) stays finite", () => {
    // B = diag(√λ) Qᵀ with rows zeroed for λ ≈ 0, the shape built by the ZGJ norm fit
    const rng = new Rng(25);
    const n = 10;
    const A = new Float64Array(n * n);
    for (let i = 0; i < 6; i++) for (let j = 0; j < n; j++) A[i * n + j] = rng.normal();
    const b = new Float64Array(n);
    for (let i = 0; i < 6; i++) b[i] = rng.normal();
    const res = nnls(A, n, n, b);
    expect(res.x.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
    expect(res.x.filter((v) => v > 0).length).toBeLessThanOrEqual(6);
    expectKkt(A, n, n, res.x, b, 1e-12);
  });

  it("nnls(s·A, t·b) is scale invariant: x scales by t/s", () => {
    const rng = new Rng(26);
    const rows = 9;
    const cols = 5;
    const A = rng.fillNormal(new Float64Array(rows * cols));
    const b = rng.fillNormal(new Float64Array(rows));
    const ref = nnls(A, rows, cols, b);
    for (const [s, t] of [
      [1e-150, 1],
      [1e150, 1e-100],
      [1, 1e200],
    ]) {
      const res = nnls(
        A.map((v) => v * s),
        rows,
        cols,
        b.map((v) => v * t),
      );
      for (let j = 0; j < cols; j++) {
        expect(res.x[j] === 0).toBe(ref.x[j] === 0);
        expect(Math.abs((res.x[j] * s) / t - ref.x[j])).toBeLessThan(1e-12);
      }
      expect(res.residualNorm / t).toBeCloseTo(ref.residualNorm, 12);
    }
  });

  it("nnls(A, b) with b in the dual cone returns x = 0 without iterating", () => {
    // Aᵀb ≤ 0 ⇒ x = 0 is optimal
    const A = new Float64Array([1, 2, 0.5, 1]);
    const res = nnls(A, 2, 2, new Float64Array([-1, -1]));
    expect(Array.from(res.x)).toEqual([0, 0]);
    expect(res.iterations).toBe(0);
    expect(res.residualNorm).toBeCloseTo(Math.SQRT2, 15);
  });

  it("nnls(A, b) with maxIterations stops early with a feasible x", () => {
    const rng = new Rng(27);
    const rows = 20;
    const cols = 10;
    const A = rng.fillNormal(new Float64Array(rows * cols));
    const b = rng.fillNormal(new Float64Array(rows));
    const full = nnls(A, rows, cols, b);
    const capped = nnls(A, rows, cols, b, { maxIterations: 2 });
    expect(capped.iterations).toBe(2);
    expect(capped.x.every((v) => v >= 0)).toBe(true);
    expect(capped.residualNorm).toBeGreaterThanOrEqual(full.residualNorm - 1e-14);
  });

  it("nnls(A, b) with a large tolerance admits fewer columns", () => {
    const A = new Float64Array([1, 0, 0, 1]);
    const b = new Float64Array([1, 0.1]);
    expect(Array.from(nnls(A, 2, 2, b).x)).toEqual([1, 0.1]);
    expect(Array.from(nnls(A, 2, 2, b, { tolerance: 0.5 }).x)).toEqual([1, 0]);
  });

  it("nnls(A, b) handles empty problems", () => {
    const none = nnls(new Float64Array(0), 3, 0, new Float64Array([3, 0, 4]));
    expect(none.x.length).toBe(0);
    expect(none.residualNorm).toBe(5);
    const noRows = nnls(new Float64Array(0), 0, 2, new Float64Array(0));
    expect(Array.from(noRows.x)).toEqual([0, 0]);
    expect(noRows.residualNorm).toBe(0);
  });

  it("nnls(A, b) throws a RangeError on non-finite input and bad sizes", () => {
    const A = new Float64Array([1, 0, 0, 1]);
    expect(() => nnls(A, 2, 2, new Float64Array([1, Number.NaN]))).toThrow(RangeError);
    expect(() =>
      nnls(new Float64Array([1, Number.POSITIVE_INFINITY, 0, 1]), 2, 2, new Float64Array(2)),
    ).toThrow(RangeError);
    expect(() => nnls(A, 3, 2, new Float64Array(3))).toThrow(RangeError);
    expect(() => nnls(A, 2, 2, new Float64Array(1))).toThrow(RangeError);
  });
});
