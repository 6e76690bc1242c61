import { describe, expect, it } from "vitest";
import { extremeEigenvalues } from "../../../src/core/linalg/extremeEigenvalues.js";
import { Rng } from "../../../src/core/random/rng.js";

type Operator = (v: Float64Array, out: Float64Array) => void;

/** Random orthogonal n×n matrix (row-major): Gram–Schmidt, applied twice, on Gaussian columns. */
function randomOrthogonal(n: number, rng: Rng): Float64Array {
  const q = rng.fillNormal(new Float64Array(n * n));
  const col = new Float64Array(n);
  const other = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) col[i] = q[i * n + j];
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < j; k++) {
        let s = 0;
        for (let i = 0; i < n; i++) {
          other[i] = q[i * n + k];
          s += other[i] * col[i];
        }
        for (let i = 0; i < n; i++) col[i] -= s * other[i];
      }
    }
    const len = Math.hypot(...col);
    for (let i = 0; i < n; i++) q[i * n + j] = col[i] / len;
  }
  return q;
}

/** v ↦ Q diag(λ) Qᵀ v without forming the product matrix. */
function spectralOperator(q: Float64Array, lambda: Float64Array): Operator {
  const n = lambda.length;
  const t = new Float64Array(n);
  return (v, out) => {
    t.fill(0);
    for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) t[k] += q[i * n + k] * v[i];
    for (let k = 0; k < n; k++) t[k] *= lambda[k];
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += q[i * n + k] * t[k];
      out[i] = s;
    }
  };
}

/** v ↦ H diag(λ) H v with H = I − 2hhᵀ/hᵀh: a rotated diagonal operator in O(n) per product. */
function reflectedDiagonal(lambda: Float64Array, h: Float64Array): Operator {
  const n = lambda.length;
  const hh = h.reduce((s, v) => s + v * v, 0);
  const reflect = (v: Float64Array) => {
    let hv = 0;
    for (let k = 0; k < n; k++) hv += h[k] * v[k];
    const f = (2 * hv) / hh;
    for (let k = 0; k < n; k++) v[k] -= f * h[k];
  };
  return (v, out) => {
    out.set(v);
    reflect(out);
    for (let k = 0; k < n; k++) out[k] *= lambda[k];
    reflect(out);
  };
}

/** ‖A v − λ v‖ / ‖v‖. */
function residual(apply: Operator, lambda: number, v: Float64Array): number {
  const out = new Float64Array(v.length);
  apply(v, out);
  let r = 0;
  let len = 0;
  for (let k = 0; k < v.length; k++) {
    r += (out[k] - lambda * v[k]) ** 2;
    len += v[k] * v[k];
  }
  return Math.sqrt(r / len);
}

function unitNorm(v: Float64Array): number {
  return Math.sqrt(v.reduce((s, x) => s + x * x, 0));
}

describe("extremeEigenvalues", () => {
  // One shared n = 400 basis keeps the suite fast; the spectra differ per test.
  const n = 400;
  const Q = randomOrthogonal(n, new Rng(31));

  it("extremeEigenvalues(apply, 400) agrees between the dense and Lanczos paths on an indefinite spectrum", () => {
    const rng = new Rng(32);
    // bulk in [−1, 2] with separated extremes −3 and 5
    const lambda = Float64Array.from({ length: n }, (_, i) =>
      i === 0 ? -3 : i === 1 ? 5 : -1 + 3 * rng.uniform(),
    );
    const apply = spectralOperator(Q, lambda);
    const dense = extremeEigenvalues(apply, n, { denseThreshold: n });
    const lanczos = extremeEigenvalues(apply, n);
    expect(dense.method).toBe("dense");
    expect(dense.iterations).toBe(n);
    expect(lanczos.method).toBe("lanczos");
    expect(lanczos.converged).toBe(true);
    expect(lanczos.iterations).toBeLessThan(150);
    const scale = 5;
    expect(Math.abs(dense.min + 3)).toBeLessThan(1e-13 * scale);
    expect(Math.abs(dense.max - 5)).toBeLessThan(1e-13 * scale);
    expect(Math.abs(lanczos.min - dense.min)).toBeLessThan(1e-9 * scale);
    expect(Math.abs(lanczos.max - dense.max)).toBeLessThan(1e-9 * scale);
    // same eigenvectors up to sign (the extremes are simple and well separated)
    for (const [u, v] of [
      [dense.minVector, lanczos.minVector],
      [dense.maxVector, lanczos.maxVector],
    ]) {
      expect(unitNorm(v)).toBeCloseTo(1, 14);
      let c = 0;
      for (let k = 0; k < n; k++) c += u[k] * v[k];
      expect(Math.abs(c)).toBeCloseTo(1, 9);
    }
    expect(residual(apply, lanczos.min, lanczos.minVector)).toBeLessThan(1e-9 * scale);
    expect(residual(apply, lanczos.max, lanczos.maxVector)).toBeLessThan(1e-9 * scale);
  });

  it("extremeEigenvalues(apply, 400) by Lanczos resolves an evenly spaced indefinite spectrum", () => {
    // the hard case for Lanczos: no gap beyond the uniform spacing
    const lambda = Float64Array.from({ length: n }, (_, i) => -2 + (5 * i) / (n - 1));
    const apply = spectralOperator(Q, lambda);
    const dense = extremeEigenvalues(apply, n, { denseThreshold: n });
    const lanczos = extremeEigenvalues(apply, n, { denseThreshold: 10, maxIterations: n });
    expect(lanczos.converged).toBe(true);
    expect(Math.abs(lanczos.min - dense.min)).toBeLessThan(1e-9 * 3);
    expect(Math.abs(lanczos.max - dense.max)).toBeLessThan(1e-9 * 3);
    expect(Math.abs(dense.min + 2)).toBeLessThan(1e-13 * 3);
    expect(Math.abs(dense.max - 3)).toBeLessThan(1e-13 * 3);
    expect(residual(apply, lanczos.min, lanczos.minVector)).toBeLessThan(1e-9 * 3);
  });

  it("extremeEigenvalues(apply, 400) warm-started near the answer agrees and needs fewer steps; a useless start falls back", () => {
    const rng = new Rng(34);
    const lambda = Float64Array.from({ length: n }, (_, i) =>
      i === 0 ? -3 : i === 1 ? 5 : -1 + 3 * rng.uniform(),
    );
    const apply = spectralOperator(Q, lambda);
    const cold = extremeEigenvalues(apply, n);
    // a perturbed operator's extreme eigenvectors, summed: what du_gram passes from row to row
    const nearby = extremeEigenvalues(
      spectralOperator(
        Q,
        lambda.map((l) => l * (1 + 0.01 * rng.uniform())),
      ),
      n,
    );
    const start = nearby.minVector.map((v, i) => v + nearby.maxVector[i]);
    const warm = extremeEigenvalues(apply, n, { start });
    expect(warm.converged).toBe(true);
    expect(warm.iterations).toBeLessThan(cold.iterations);
    expect(Math.abs(warm.min - cold.min)).toBeLessThan(1e-9 * 5);
    expect(Math.abs(warm.max - cold.max)).toBeLessThan(1e-9 * 5);
    expect(Array.from(start.slice(0, 3))).toEqual(
      Array.from(nearby.minVector.slice(0, 3), (v, i) => v + nearby.maxVector[i]),
    ); // not modified
    for (const useless of [
      new Float64Array(n),
      new Float64Array(n - 1),
      new Float64Array(n).fill(Number.NaN),
    ]) {
      const r = extremeEigenvalues(apply, n, { start: useless });
      expect(r.iterations).toBe(cold.iterations);
      expect(r.min).toBe(cold.min);
    }
  });

  it("extremeEigenvalues(apply, 400) finds repeated extreme eigenvalues of a negative definite operator", () => {
    const rng = new Rng(33);
    // max −0.5 with multiplicity 3, min −40 with multiplicity 2
    const lambda = Float64Array.from({ length: n }, (_, i) =>
      i < 3 ? -0.5 : i < 5 ? -40 : -30 + 25 * rng.uniform(),
    );
    const apply = spectralOperator(Q, lambda);
    const dense = extremeEigenvalues(apply, n, { denseThreshold: n });
    const lanczos = extremeEigenvalues(apply, n);
    expect(lanczos.method).toBe("lanczos");
    expect(lanczos.converged).toBe(true);
    expect(Math.abs(lanczos.min - dense.min)).toBeLessThan(1e-9 * 40);
    expect(Math.abs(lanczos.max - dense.max)).toBeLessThan(1e-9 * 40);
    expect(Math.abs(lanczos.max + 0.5)).toBeLessThan(1e-9 * 40);
    expect(residual(apply, lanczos.max, lanczos.maxVector)).toBeLessThan(1e-9 * 40);
    expect(residual(apply, lanczos.min, lanczos.minVector)).toBeLessThan(1e-9 * 40);
  });

  it("extremeEigenvalues(apply, n) on a low-rank operator stops at the invariant subspace", () => {
    // A = Σ λᵢ uᵢuᵢᵀ of rank 5 in n = 1000: the Krylov space is invariant after 6 steps (5
    // eigenvectors and the start vector's null-space component); one restart probes the rest
    const rng = new Rng(34);
    const dim = 1000;
    const u = Array.from({ length: 5 }, () => rng.fillNormal(new Float64Array(dim)));
    for (let j = 0; j < 5; j++) {
      for (let p = 0; p < j; p++) {
        let s = 0;
        for (let k = 0; k < dim; k++) s += u[p][k] * u[j][k];
        for (let k = 0; k < dim; k++) u[j][k] -= s * u[p][k];
      }
      const len = unitNorm(u[j]);
      for (let k = 0; k < dim; k++) u[j][k] /= len;
    }
    const check = (weights: number[], min: number, max: number) => {
      const apply: Operator = (v, out) => {
        out.fill(0);
        for (let j = 0; j < 5; j++) {
          let s = 0;
          for (let k = 0; k < dim; k++) s += u[j][k] * v[k];
          for (let k = 0; k < dim; k++) out[k] += weights[j] * s * u[j][k];
        }
      };
      const res = extremeEigenvalues(apply, dim);
      expect(res.method).toBe("lanczos");
      expect(res.converged).toBe(true);
      expect(res.iterations).toBeLessThanOrEqual(8);
      expect(Math.abs(res.min - min)).toBeLessThan(1e-12);
      expect(Math.abs(res.max - max)).toBeLessThan(1e-12);
      expect(residual(apply, res.min, res.minVector)).toBeLessThan(1e-12);
      expect(residual(apply, res.max, res.maxVector)).toBeLessThan(1e-12);
    };
    check([3, 1, -2, 0.5, 7], -2, 7);
    check([3, 1, 2, 0.5, 7], 0, 7); // positive semidefinite: the null space gives min = 0
  });

  it("extremeEigenvalues(apply, n) returns zeros for the zero operator", () => {
    for (const dim of [5, 300]) {
      const res = extremeEigenvalues((_v, out) => out.fill(0), dim);
      expect(res.min).toBe(0);
      expect(res.max).toBe(0);
      expect(res.converged).toBe(true);
      expect(unitNorm(res.minVector)).toBeCloseTo(1, 14);
      expect(unitNorm(res.maxVector)).toBeCloseTo(1, 14);
    }
  });

  it("extremeEigenvalues(apply, 20000) scales to large n with O(n) products", () => {
    const dim = 20000;
    const rng = new Rng(35);
    const lambda = Float64Array.from({ length: dim }, () => 2 * rng.uniform() - 1);
    lambda[123] = -1.8;
    lambda[17000] = 2.5;
    const apply = reflectedDiagonal(lambda, rng.fillNormal(new Float64Array(dim)));
    const res = extremeEigenvalues(apply, dim);
    expect(res.method).toBe("lanczos");
    expect(res.converged).toBe(true);
    expect(Math.abs(res.min + 1.8)).toBeLessThan(1e-9 * 2.5);
    expect(Math.abs(res.max - 2.5)).toBeLessThan(1e-9 * 2.5);
    expect(residual(apply, res.max, res.maxVector)).toBeLessThan(1e-9 * 2.5);
  });

  it("extremeEigenvalues(apply, n) reports converged = false with inner bounds when the budget runs out", () => {
    const lambda = Float64Array.from({ length: n }, (_, i) => -2 + (5 * i) / (n - 1));
    const apply = spectralOperator(Q, lambda);
    const res = extremeEigenvalues(apply, n, { maxIterations: 6 });
    expect(res.converged).toBe(false);
    expect(res.iterations).toBe(6);
    // Ritz values interlace: they lie inside the spectrum
    expect(res.min).toBeGreaterThanOrEqual(-2 - 1e-12);
    expect(res.max).toBeLessThanOrEqual(3 + 1e-12);
    expect(res.min).toBeLessThan(res.max);
    expect(unitNorm(res.minVector)).toBeCloseTo(1, 14);
  });

  it("extremeEigenvalues(apply, n) is deterministic", () => {
    const lambda = Float64Array.from({ length: n }, (_, i) => Math.cos(i));
    const apply = spectralOperator(Q, lambda);
    const a = extremeEigenvalues(apply, n, { maxIterations: 40 });
    const b = extremeEigenvalues(apply, n, { maxIterations: 40 });
    expect(b).toEqual(a);
  });

  it("extremeEigenvalues(apply, n) uses the dense path up to denseThreshold and symmetrizes it", () => {
    // slightly asymmetric 3×3 (as a rounded HVP would be): eigenvalues of (A + Aᵀ)/2
    const M = [2, 1 + 1e-10, 0, 1 - 1e-10, 2, 1, 0, 1, 2];
    const apply: Operator = (v, out) => {
      for (let i = 0; i < 3; i++)
        out[i] = M[i * 3] * v[0] + M[i * 3 + 1] * v[1] + M[i * 3 + 2] * v[2];
    };
    const res = extremeEigenvalues(apply, 3);
    expect(res.method).toBe("dense");
    expect(res.iterations).toBe(3);
    expect(res.min).toBeCloseTo(2 - Math.SQRT2, 14);
    expect(res.max).toBeCloseTo(2 + Math.SQRT2, 14);
    const one = extremeEigenvalues((v, out) => {
      out[0] = -7 * v[0];
    }, 1);
    expect([one.min, one.max]).toEqual([-7, -7]);
    expect(Math.abs(one.minVector[0])).toBe(1);
  });

  it("extremeEigenvalues(apply, 0) returns NaN extremes and empty vectors", () => {
    const res = extremeEigenvalues(() => {}, 0);
    expect(res.min).toBeNaN();
    expect(res.max).toBeNaN();
    expect(res.minVector.length).toBe(0);
    expect(res.iterations).toBe(0);
  });

  it("extremeEigenvalues(apply, n) throws a RangeError when apply returns non-finite values", () => {
    const bad: Operator = (_v, out) => out.fill(Number.NaN);
    expect(() => extremeEigenvalues(bad, 4)).toThrow(RangeError);
    expect(() => extremeEigenvalues(bad, 300)).toThrow(RangeError);
    expect(() => extremeEigenvalues(bad, -1)).toThrow(RangeError);
    expect(() => extremeEigenvalues(bad, 300, { maxIterations: 0 })).toThrow(RangeError);
  });
});
