import { describe, expect, it } from "vitest";
import { extremeEigenvalues } from "../../../src/core/linalg/extremeEigenvalues.js";
import { nnls } from "../../../src/core/linalg/nnls.js";
import { symmetricEigen } from "../../../src/core/linalg/symmetricEigen.js";
import { Rng } from "../../../src/core/random/rng.js";

function randomSymmetric(n: number, rng: Rng): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) a[i * n + j] = a[j * n + i] = rng.normal();
  return a;
}

describe("linear algebra", () => {
  it("symmetricEigen(A) gives AV = VΛ with orthonormal V for sizes 1..60", () => {
    const rng = new Rng(1);
    for (const n of [1, 2, 5, 17, 60]) {
      const a = randomSymmetric(n, rng);
      const { values, vectors } = symmetricEigen(a, n);
      let err = 0;
      let orth = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let av = 0;
          let vv = 0;
          for (let k = 0; k < n; k++) {
            av += a[i * n + k] * vectors[k * n + j];
            vv += vectors[k * n + i] * vectors[k * n + j];
          }
          err = Math.max(err, Math.abs(av - values[j] * vectors[i * n + j]));
          orth = Math.max(orth, Math.abs(vv - (i === j ? 1 : 0)));
        }
      }
      expect(err).toBeLessThan(1e-12 * n);
      expect(orth).toBeLessThan(1e-12 * n);
      for (let j = 1; j < n; j++) expect(values[j]).toBeGreaterThanOrEqual(values[j - 1]);
    }
  });

  it("nnls(A, b) recovers a non-negative solution and satisfies the KKT conditions otherwise", () => {
    const rng = new Rng(2);
    const rows = 12;
    const cols = 6;
    const A = rng.fillNormal(new Float64Array(rows * cols));
    const xStar = new Float64Array([0.5, 0, 1.2, 0.3, 0, 2]);
    const b = new Float64Array(rows);
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < cols; j++) b[i] += A[i * cols + j] * xStar[j];
    const { x } = nnls(A, rows, cols, b);
    for (let j = 0; j < cols; j++) expect(Math.abs(x[j] - xStar[j])).toBeLessThan(1e-10);
    for (let trial = 0; trial < 20; trial++) {
      const bb = rng.fillNormal(new Float64Array(rows));
      const res = nnls(A, rows, cols, bb);
      const r = new Float64Array(rows);
      for (let i = 0; i < rows; i++) {
        r[i] = bb[i];
        for (let j = 0; j < cols; j++) r[i] -= A[i * cols + j] * res.x[j];
      }
      for (let j = 0; j < cols; j++) {
        let g = 0; // Aᵀr: ≤ 0 where x = 0, = 0 where x > 0
        for (let i = 0; i < rows; i++) g += A[i * cols + j] * r[i];
        expect(res.x[j]).toBeGreaterThanOrEqual(0);
        if (res.x[j] > 0) expect(Math.abs(g)).toBeLessThan(1e-9);
        else expect(g).toBeLessThan(1e-9);
      }
    }
  });

  it("extremeEigenvalues(apply, n) by Lanczos agrees with the dense path on an indefinite operator", () => {
    const rng = new Rng(3);
    const n = 300;
    // operator Q diag(λ) Qᵀ with Q a product of two Householder reflections
    const lambda = Float64Array.from(
      { length: n },
      (_, i) => -2 + (5 * i) / (n - 1) + 0.01 * Math.sin(i),
    );
    const h1 = rng.fillNormal(new Float64Array(n));
    const h2 = rng.fillNormal(new Float64Array(n));
    const reflect = (h: Float64Array, v: Float64Array) => {
      let hv = 0;
      let hh = 0;
      for (let k = 0; k < n; k++) {
        hv += h[k] * v[k];
        hh += h[k] * h[k];
      }
      for (let k = 0; k < n; k++) v[k] -= (2 * hv * h[k]) / hh;
    };
    const apply = (v: Float64Array, out: Float64Array) => {
      out.set(v);
      reflect(h2, out);
      reflect(h1, out);
      for (let k = 0; k < n; k++) out[k] *= lambda[k];
      reflect(h1, out);
      reflect(h2, out);
    };
    const dense = extremeEigenvalues(apply, n, { denseThreshold: n });
    const lanczos = extremeEigenvalues(apply, n, { denseThreshold: 10, maxIterations: 300 });
    expect(dense.method).toBe("dense");
    expect(lanczos.method).toBe("lanczos");
    expect(Math.abs(dense.min - lambda[0])).toBeLessThan(1e-10);
    expect(Math.abs(dense.max - lambda[n - 1])).toBeLessThan(1e-10);
    expect(Math.abs(lanczos.min - dense.min)).toBeLessThan(1e-8);
    expect(Math.abs(lanczos.max - dense.max)).toBeLessThan(1e-8);
  });
});
