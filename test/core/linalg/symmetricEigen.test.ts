import { describe, expect, it } from "vitest";
import { symmetricEigen, tridiagonalEigen } from "../../../src/core/linalg/symmetricEigen.js";
import { Rng } from "../../../src/core/random/rng.js";

function randomSymmetric(n: number, rng: Rng): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) a[i * n + j] = a[j * n + i] = rng.normal();
  return a;
}

/** Random orthogonal n×n matrix (row-major): Gram–Schmidt, applied twice, on Gaussian columns. */
function randomOrthogonal(n: number, rng: Rng): Float64Array {
  const q = rng.fillNormal(new Float64Array(n * n));
  for (let j = 0; j < n; j++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < j; k++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += q[i * n + k] * q[i * n + j];
        for (let i = 0; i < n; i++) q[i * n + j] -= s * q[i * n + k];
      }
    }
    let s = 0;
    for (let i = 0; i < n; i++) s += q[i * n + j] ** 2;
    s = Math.sqrt(s);
    for (let i = 0; i < n; i++) q[i * n + j] /= s;
  }
  return q;
}

/** Q diag(λ) Qᵀ. */
function withSpectrum(q: Float64Array, lambda: readonly number[]): Float64Array {
  const n = lambda.length;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += q[i * n + k] * lambda[k] * q[j * n + k];
      a[i * n + j] = s;
    }
  return a;
}

function frobenius(a: Float64Array): number {
  return Math.sqrt(a.reduce((s, v) => s + v * v, 0));
}

/** max |(AV − VΛ)ᵢⱼ| and max |(VᵀV − I)ᵢⱼ|. */
function decompositionErrors(
  a: Float64Array,
  n: number,
  values: Float64Array,
  vectors: Float64Array,
): { residual: number; orthogonality: number } {
  let residual = 0;
  let orthogonality = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let av = 0;
      let vv = 0;
      for (let k = 0; k < n; k++) {
        av += a[i * n + k] * vectors[k * n + j];
        vv += vectors[k * n + i] * vectors[k * n + j];
      }
      residual = Math.max(residual, Math.abs(av - values[j] * vectors[i * n + j]));
      orthogonality = Math.max(orthogonality, Math.abs(vv - (i === j ? 1 : 0)));
    }
  }
  return { residual, orthogonality };
}

function expectAscending(values: Float64Array): void {
  for (let j = 1; j < values.length; j++) expect(values[j]).toBeGreaterThanOrEqual(values[j - 1]);
}

describe("symmetricEigen", () => {
  it("symmetricEigen(A) satisfies AV = VΛ and VᵀV = I to 1e-12 on random symmetric matrices", () => {
    const rng = new Rng(11);
    for (const n of [1, 2, 5, 17, 60]) {
      const a = randomSymmetric(n, rng);
      const copy = Float64Array.from(a);
      const { values, vectors } = symmetricEigen(a, n);
      expect(a).toEqual(copy);
      expect(values.length).toBe(n);
      expect(vectors.length).toBe(n * n);
      const { residual, orthogonality } = decompositionErrors(a, n, values, vectors);
      expect(residual).toBeLessThan(1e-12 * Math.max(1, frobenius(a)));
      expect(orthogonality).toBeLessThan(1e-12);
      expectAscending(values);
      // trace is preserved
      let trace = 0;
      for (let i = 0; i < n; i++) trace += a[i * n + i];
      expect(Math.abs(values.reduce((s, v) => s + v, 0) - trace)).toBeLessThan(1e-12 * n);
    }
  });

  it("symmetricEigen(A) recovers a prescribed spectrum Q diag(λ) Qᵀ to 1e-13 relative", () => {
    const rng = new Rng(12);
    const n = 40;
    const lambda = Array.from({ length: n }, () => 10 * rng.normal());
    const a = withSpectrum(randomOrthogonal(n, rng), lambda);
    const { values, vectors } = symmetricEigen(a, n);
    const sorted = [...lambda].sort((x, y) => x - y);
    const scale = Math.max(...lambda.map(Math.abs));
    for (let j = 0; j < n; j++) expect(Math.abs(values[j] - sorted[j])).toBeLessThan(1e-13 * scale);
    const { residual, orthogonality } = decompositionErrors(a, n, values, vectors);
    expect(residual).toBeLessThan(1e-13 * scale);
    expect(orthogonality).toBeLessThan(1e-13);
  });

  it("symmetricEigen(diag) returns the sorted diagonal and signed unit vectors", () => {
    const d = [3, -1, 7, 0, -1e-3, 2];
    const n = d.length;
    const a = new Float64Array(n * n);
    d.forEach((v, i) => {
      a[i * n + i] = v;
    });
    const { values, vectors } = symmetricEigen(a, n);
    const order = d.map((_, i) => i).sort((i, j) => d[i] - d[j]);
    for (let j = 0; j < n; j++) {
      expect(values[j]).toBe(d[order[j]]);
      for (let i = 0; i < n; i++) expect(Math.abs(vectors[i * n + j])).toBe(i === order[j] ? 1 : 0);
    }
  });

  it("symmetricEigen(A) handles repeated eigenvalues with an orthonormal basis of each eigenspace", () => {
    const rng = new Rng(13);
    const lambda = [2, 2, 2, -1, -1, 5, 0, 0, 0, 0, 2, -1];
    const n = lambda.length;
    const a = withSpectrum(randomOrthogonal(n, rng), lambda);
    const { values, vectors } = symmetricEigen(a, n);
    const sorted = [...lambda].sort((x, y) => x - y);
    for (let j = 0; j < n; j++) expect(Math.abs(values[j] - sorted[j])).toBeLessThan(1e-14 * 5 * n);
    const { residual, orthogonality } = decompositionErrors(a, n, values, vectors);
    expect(residual).toBeLessThan(1e-13);
    expect(orthogonality).toBeLessThan(1e-13);
  });

  it("symmetricEigen(I) and symmetricEigen(c·11ᵀ) handle fully degenerate spectra", () => {
    const n = 9;
    const identity = new Float64Array(n * n);
    for (let i = 0; i < n; i++) identity[i * n + i] = 1;
    const eye = symmetricEigen(identity, n);
    for (const v of eye.values) expect(v).toBe(1);
    expect(decompositionErrors(identity, n, eye.values, eye.vectors).orthogonality).toBe(0);

    // rank one: eigenvalues 0 (n−1 times) and c·n
    const ones = new Float64Array(n * n).fill(0.5);
    const r1 = symmetricEigen(ones, n);
    for (let j = 0; j < n - 1; j++) expect(Math.abs(r1.values[j])).toBeLessThan(1e-14);
    expect(r1.values[n - 1]).toBeCloseTo(0.5 * n, 13);
    const { residual, orthogonality } = decompositionErrors(ones, n, r1.values, r1.vectors);
    expect(residual).toBeLessThan(1e-14);
    expect(orthogonality).toBeLessThan(1e-14);
  });

  it("symmetricEigen(0) returns zero eigenvalues and the identity", () => {
    for (const n of [1, 4]) {
      const { values, vectors } = symmetricEigen(new Float64Array(n * n), n);
      expect(Array.from(values)).toEqual(new Array(n).fill(0));
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) expect(vectors[i * n + j]).toBe(i === j ? 1 : 0);
    }
  });

  it("symmetricEigen(A, 0) and symmetricEigen(A, 1) handle the trivial sizes", () => {
    const empty = symmetricEigen(new Float64Array(0), 0);
    expect(empty.values.length).toBe(0);
    expect(empty.vectors.length).toBe(0);
    const one = symmetricEigen(new Float64Array([-4.5]), 1);
    expect(Array.from(one.values)).toEqual([-4.5]);
    expect(Math.abs(one.vectors[0])).toBe(1);
  });

  it("symmetricEigen(2×2) matches the closed form", () => {
    // [[a, b], [b, c]]: (a + c)/2 ± √(((a − c)/2)² + b²)
    const [a, b, c] = [1.5, -0.7, -2.25];
    const { values } = symmetricEigen(new Float64Array([a, b, b, c]), 2);
    const mid = (a + c) / 2;
    const rad = Math.hypot((a - c) / 2, b);
    expect(values[0]).toBeCloseTo(mid - rad, 15);
    expect(values[1]).toBeCloseTo(mid + rad, 15);
  });

  it("symmetricEigen(s·A) is accurate for entries near the overflow and underflow limits", () => {
    const rng = new Rng(14);
    const n = 8;
    const a = randomSymmetric(n, rng);
    const ref = symmetricEigen(a, n).values;
    for (const s of [1e300, 1e-300]) {
      const scaled = a.map((v) => v * s);
      const { values, vectors } = symmetricEigen(scaled, n);
      for (let j = 0; j < n; j++)
        expect(Math.abs(values[j] / s - ref[j])).toBeLessThan(1e-13 * frobenius(a));
      expect(decompositionErrors(a, n, ref, vectors).orthogonality).toBeLessThan(1e-13);
    }
  });

  it("symmetricEigen(A) keeps small eigenvalues of a graded matrix accurate", () => {
    // eigenvalues spread over 12 orders of magnitude; the small ones must not be swamped
    const rng = new Rng(15);
    const lambda = [1e-12, 1e-9, 1e-6, 1e-3, 1];
    const n = lambda.length;
    const a = withSpectrum(randomOrthogonal(n, rng), lambda);
    const { values } = symmetricEigen(a, n);
    for (let j = 0; j < n; j++) expect(Math.abs(values[j] - lambda[j])).toBeLessThan(1e-15);
  });

  it("symmetricEigen(A) uses (A + Aᵀ)/2 when A is slightly asymmetric", () => {
    const rng = new Rng(16);
    const n = 6;
    const a = randomSymmetric(n, rng);
    const skewed = Float64Array.from(a);
    skewed[1] += 1e-9;
    skewed[n] -= 1e-9;
    const x = symmetricEigen(a, n).values;
    const y = symmetricEigen(skewed, n).values;
    for (let j = 0; j < n; j++) expect(Math.abs(x[j] - y[j])).toBeLessThan(1e-14 * n);
  });

  it("symmetricEigen(A) on the Wilkinson matrix W₂₁⁺ resolves its nearly equal eigenvalue pairs", () => {
    // tridiagonal, diagonal |10 − i|, off-diagonal 1: the top two eigenvalues agree to ~1e-14
    const n = 21;
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      a[i * n + i] = Math.abs(10 - i);
      if (i + 1 < n) a[i * n + i + 1] = a[(i + 1) * n + i] = 1;
    }
    const { values, vectors } = symmetricEigen(a, n);
    expect(values[n - 1]).toBeCloseTo(10.746194182903393, 12);
    expect(values[n - 1] - values[n - 2]).toBeLessThan(1e-12);
    const { residual, orthogonality } = decompositionErrors(a, n, values, vectors);
    expect(residual).toBeLessThan(1e-13);
    expect(orthogonality).toBeLessThan(1e-13);
  });

  it("symmetricEigen(A) throws a RangeError on non-finite entries and bad sizes", () => {
    expect(() => symmetricEigen(new Float64Array([1, Number.NaN, Number.NaN, 1]), 2)).toThrow(
      RangeError,
    );
    expect(() => symmetricEigen(new Float64Array([Number.POSITIVE_INFINITY]), 1)).toThrow(
      /non-finite|finite/,
    );
    expect(() => symmetricEigen(new Float64Array(3), 2)).toThrow(RangeError);
    expect(() => symmetricEigen(new Float64Array(4), -1)).toThrow(RangeError);
  });
});

describe("tridiagonalEigen", () => {
  it("tridiagonalEigen(d, e, I) agrees with symmetricEigen on the dense tridiagonal", () => {
    const rng = new Rng(17);
    const n = 30;
    const d = rng.fillNormal(new Float64Array(n));
    const e = rng.fillNormal(new Float64Array(n - 1));
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      a[i * n + i] = d[i];
      if (i + 1 < n) a[i * n + i + 1] = a[(i + 1) * n + i] = e[i];
    }
    const dense = symmetricEigen(a, n);
    const zt = new Float64Array(n * n);
    for (let i = 0; i < n; i++) zt[i * n + i] = 1;
    const bottom = new Float64Array(n);
    bottom[n - 1] = 1;
    const d2 = Float64Array.from(d);
    tridiagonalEigen(Float64Array.from(d), Float64Array.from(e), bottom, 1);
    tridiagonalEigen(d2, Float64Array.from(e), zt, n);
    const sorted = Array.from(d2).sort((x, y) => x - y);
    for (let j = 0; j < n; j++) expect(Math.abs(sorted[j] - dense.values[j])).toBeLessThan(1e-13);
    // row j of zt is eigenvector j of T, and the width-1 run gives exactly its last entry
    for (let j = 0; j < n; j++) {
      expect(bottom[j]).toBe(zt[j * n + n - 1]);
      for (let i = 0; i < n; i++) {
        let tv = d[i] * zt[j * n + i];
        if (i > 0) tv += e[i - 1] * zt[j * n + i - 1];
        if (i + 1 < n) tv += e[i] * zt[j * n + i + 1];
        expect(Math.abs(tv - d2[j] * zt[j * n + i])).toBeLessThan(1e-13);
      }
    }
  });
});
