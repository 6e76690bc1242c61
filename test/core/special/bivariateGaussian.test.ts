import { describe, expect, it } from "vitest";
import {
  gaussianPairExpectation,
  gaussianPairKernelDerivatives,
} from "../../../src/core/special/bivariateGaussian.js";
import { erf } from "../../../src/core/special/erf.js";

/*
 * Closed forms κ(a, b, c) = E[σ(uᵀx)σ(vᵀx)], a = ‖u‖², b = ‖v‖², c = uᵀv = √(ab)·cos θ:
 *   linear z:        c
 *   quadratic z²:    ab + 2c²                                   (Isserlis)
 *   erf(z/√2):       (2/π)·asin(c/√((1 + a)(1 + b)))            (Williams 1998)
 *   ReLU:            √(ab)·(sin θ + (π − θ)cos θ)/(2π)          (Cho & Saul 2009)
 *   |z|:             (2/π)·√(ab)·(sin θ + (π/2 − θ)cos θ)
 *
 * Measured accuracy of the default 64 × 64 rule (the tolerances below keep a margin over it):
 *   - linear, quadratic: exact to rounding (≤ 1e-14 relative) — polynomials of low degree.
 *   - erf with a, b ≤ 2: ≤ 3e-13 relative (≤ 2e-15 for a, b ≤ 1). Larger norms make
 *     erf(z/√2) step-like on the scale of the nodes and need more of them: at b = 4 the error is
 *     3e-8 with n = 64 and 1e-14 with n = 128.
 *   - ReLU, |z|: the kink converges only like 1/n (the node spacing squared, ~1/n, at the
 *     kink). The error scaled by √(ab) is largest at θ = π/2 and is ≈ 0.13/n for ReLU and
 *     ≈ 0.53/n for |z| (n = 32, 64, 128, 256: 4.2e-3, 2.1e-3, 1.0e-3, 5.1e-4 for ReLU) —
 *     about 1.3% of κ at θ = π/2 with n = 64. Even n is better than odd n (≈ 2× smaller).
 */

type Kernel = (a: number, b: number, c: number) => number;

const erfActivation = (z: number) => erf(z * Math.SQRT1_2);
const relu = (z: number) => (z > 0 ? z : 0);

const angle = (a: number, b: number, c: number) =>
  Math.acos(Math.min(1, Math.max(-1, c / Math.sqrt(a * b))));
const kLinear: Kernel = (_a, _b, c) => c;
const kQuadratic: Kernel = (a, b, c) => a * b + 2 * c * c;
const kErf: Kernel = (a, b, c) => (2 / Math.PI) * Math.asin(c / Math.sqrt((1 + a) * (1 + b)));
const kRelu: Kernel = (a, b, c) => {
  const t = angle(a, b, c);
  return (Math.sqrt(a * b) * (Math.sin(t) + (Math.PI - t) * Math.cos(t))) / (2 * Math.PI);
};
const kAbs: Kernel = (a, b, c) => {
  const t = angle(a, b, c);
  return (2 / Math.PI) * Math.sqrt(a * b) * (Math.sin(t) + (Math.PI / 2 - t) * Math.cos(t));
};

/** (a, b, c) over unequal norms and angles from aligned (θ = 0) to opposite (θ = π). */
function grid(norms: [number, number][]): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (const [a, b] of norms)
    for (const t of [0, 0.05, 0.3, 0.8, 1.3, Math.PI / 2, 2.2, 2.8, Math.PI])
      out.push([a, b, Math.sqrt(a * b) * Math.cos(t)]);
  return out;
}
const moderate = grid([
  [1, 1],
  [0.5, 2],
  [2, 0.3],
  [0.04, 1.5],
]);

/** max over the grid of |quadrature − closed form| / max(|closed form|, floor·√(ab)). */
function worstError(
  sigma: (z: number) => number,
  kernel: Kernel,
  points: [number, number, number][],
  n: number,
  floor: number,
): number {
  let worst = 0;
  for (const [a, b, c] of points) {
    const exact = kernel(a, b, c);
    const err = Math.abs(gaussianPairExpectation(sigma, a, b, c, n) - exact);
    worst = Math.max(worst, err / Math.max(Math.abs(exact), floor * Math.sqrt(a * b)));
  }
  return worst;
}

describe("gaussianPairExpectation", () => {
  it("gaussianPairExpectation(z ↦ z) is c and of z ↦ z² is ab + 2c², to rounding", () => {
    expect(worstError((z) => z, kLinear, moderate, 64, 1e-3)).toBeLessThan(1e-13);
    expect(worstError((z) => z * z, kQuadratic, moderate, 64, 1e-3)).toBeLessThan(1e-13);
    // z₁²z₂² has degree 4 in x, so n = 3 (exact to degree 5) suffices and n = 2 does not
    expect(worstError((z) => z * z, kQuadratic, moderate, 3, 1e-3)).toBeLessThan(1e-13);
    expect(worstError((z) => z * z, kQuadratic, moderate, 2, 1e-3)).toBeGreaterThan(1e-3);
  });

  it("gaussianPairExpectation(erf(z/√2)) matches (2/π)·asin(c/√((1+a)(1+b))) to 1e-12", () => {
    expect(worstError(erfActivation, kErf, moderate, 64, 1e-3)).toBeLessThan(1e-12);
    // sharper (larger-norm) erf needs more nodes, and gets them right
    const sharp = grid([[4, 4]]);
    expect(worstError(erfActivation, kErf, sharp, 64, 1e-3)).toBeLessThan(1e-6);
    expect(worstError(erfActivation, kErf, sharp, 128, 1e-3)).toBeLessThan(1e-12);
  });

  it("gaussianPairExpectation(ReLU) converges to the arc-cosine kernel like 1/n", () => {
    // error scaled by √(ab): κ_ReLU vanishes at θ = π, so relative error is not meaningful
    const errors = [32, 64, 128].map((n) => worstError(relu, kRelu, moderate, n, 1e300));
    // measured 0.133/n (largest at θ = π/2)
    for (const [k, e] of errors.entries()) expect(e).toBeLessThan(0.16 / (32 * 2 ** k));
    expect(errors[1]).toBeLessThan(0.6 * errors[0]);
    expect(errors[2]).toBeLessThan(0.6 * errors[1]);
  });

  it("gaussianPairExpectation(|z|) converges to its closed form like 1/n", () => {
    const errors = [32, 64, 128].map((n) => worstError(Math.abs, kAbs, moderate, n, 1e300));
    // measured 0.53/n (largest at θ = π/2)
    for (const [k, e] of errors.entries()) expect(e).toBeLessThan(0.6 / (32 * 2 ** k));
    expect(errors[1]).toBeLessThan(0.6 * errors[0]);
    expect(errors[2]).toBeLessThan(0.6 * errors[1]);
  });

  it("gaussianPairExpectation handles zero norms, perfect correlation and c an ulp outside", () => {
    // a = 0: z₁ ≡ 0, so E = σ(0)·E[σ(√b·y)]
    const shifted = (z: number) => 1 + z + z * z;
    expect(gaussianPairExpectation(shifted, 0, 2, 0)).toBeCloseTo(1 * (1 + 2), 13);
    expect(gaussianPairExpectation(shifted, 3, 0, 0)).toBeCloseTo(1 + 3, 13);
    expect(gaussianPairExpectation(shifted, 0, 0, 0)).toBe(1);
    // c² = ab: z₂ = ±√(b/a)·z₁ exactly; E[z₁²z₂²] = ab + 2c² = 3ab
    expect(gaussianPairExpectation((z) => z * z, 2, 0.5, 1)).toBeCloseTo(3, 13);
    expect(gaussianPairExpectation((z) => z * z, 2, 0.5, -1)).toBeCloseTo(3, 13);
    expect(Math.abs(gaussianPairExpectation(relu, 2, 0.5, -1))).toBe(0);
    // c slightly beyond √(ab) (rounding in a caller's dot products) is clamped, not NaN
    expect(gaussianPairExpectation((z) => z, 2, 0.5, 1 + 1e-15)).toBeCloseTo(1, 13);
  });

  it("gaussianPairExpectation is symmetric in swapping (a, b)", () => {
    for (const [a, b, c] of moderate) {
      const k1 = gaussianPairExpectation(erfActivation, a, b, c);
      const k2 = gaussianPairExpectation(erfActivation, b, a, c);
      expect(Math.abs(k1 - k2)).toBeLessThan(1e-14);
    }
  });
});

/** Analytic value, gradient and Hessian of a kernel, in gaussianPairKernelDerivatives' order. */
interface Derivatives {
  value: number;
  grad: number[];
  hess: number[];
}

/** The quadratic kernel ab + 2c². */
function quadraticDerivatives(a: number, b: number, c: number): Derivatives {
  return { value: a * b + 2 * c * c, grad: [b, a, 4 * c], hess: [0, 0, 4, 1, 0, 0] };
}

/**
 * The erf kernel K = (2/π)·asin s, s = c·p, p = ((1+a)(1+b))^(−1/2), derived here by the chain
 * rule: s_a = −s/(2(1+a)), s_c = p, s_aa = 3s/(4(1+a)²), s_ab = s/(4(1+a)(1+b)),
 * s_ac = −p/(2(1+a)), s_cc = 0 (and a ↔ b); K_s = (2/π)(1 − s²)^(−1/2),
 * K_ss = (2/π)·s·(1 − s²)^(−3/2); K_xy = K_ss·s_x·s_y + K_s·s_xy.
 */
function erfDerivatives(a: number, b: number, c: number): Derivatives {
  const p = 1 / Math.sqrt((1 + a) * (1 + b));
  const s = c * p;
  const q = 1 - s * s;
  const Ks = 2 / Math.PI / Math.sqrt(q);
  const Kss = ((2 / Math.PI) * s) / (q * Math.sqrt(q));
  const sx = [-s / (2 * (1 + a)), -s / (2 * (1 + b)), p];
  const sxx = [
    (3 * s) / (4 * (1 + a) ** 2),
    (3 * s) / (4 * (1 + b) ** 2),
    0,
    s / (4 * (1 + a) * (1 + b)),
    -p / (2 * (1 + a)),
    -p / (2 * (1 + b)),
  ];
  const pairs = [
    [0, 0],
    [1, 1],
    [2, 2],
    [0, 1],
    [0, 2],
    [1, 2],
  ];
  return {
    value: (2 / Math.PI) * Math.asin(s),
    grad: sx.map((v) => Ks * v),
    hess: pairs.map(([i, j], k) => Kss * sx[i] * sx[j] + Ks * sxx[k]),
  };
}

/** max |numeric − exact| / max |exact| over the entries. */
function relativeMaxError(numeric: number[], exact: number[]): number {
  let num = 0;
  let den = 0;
  exact.forEach((v, k) => {
    num = Math.max(num, Math.abs(numeric[k] - v));
    den = Math.max(den, Math.abs(v));
  });
  return num / den;
}

describe("gaussianPairKernelDerivatives", () => {
  // interior points, points next to and on the boundary c² = ab (the diagonal terms κ(w, w) of
  // a loss have a = b = c), negative correlation, unequal norms
  const points: [number, number, number][] = [
    [0.7, 1.3, 0.4],
    [1.5, 0.6, -0.5],
    [0.3, 0.3, 0.3],
    [1.1, 1.1, 1.1],
    [0.8, 1.8, -1.2],
    [0.5, 2, 0.999999 * 1],
    [0.4, 0.9, 0.6 * (1 - 1e-5)],
  ];

  it("gaussianPairKernelDerivatives(z²) matches ∇(ab + 2c²) and its Hessian", () => {
    for (const [a, b, c] of points) {
      const fd = gaussianPairKernelDerivatives((z) => z * z, a, b, c);
      const exact = quadraticDerivatives(a, b, c);
      expect(Math.abs(fd.value - exact.value)).toBeLessThan(1e-13 * exact.value);
      // measured ≤ 1.1e-10 (gradient) and ≤ 7e-8 (Hessian)
      expect(relativeMaxError(fd.grad, exact.grad)).toBeLessThan(1e-9);
      expect(relativeMaxError(fd.hess, exact.hess)).toBeLessThan(1e-6);
    }
  });

  it("gaussianPairKernelDerivatives(erf(z/√2)) matches the analytic derivatives of the erf kernel", () => {
    for (const [a, b, c] of points) {
      const fd = gaussianPairKernelDerivatives(erfActivation, a, b, c);
      const exact = erfDerivatives(a, b, c);
      expect(Math.abs(fd.value - exact.value)).toBeLessThan(1e-13 * Math.abs(exact.value));
      // measured ≤ 2e-10 (gradient) and ≤ 7e-7 (Hessian), relative to the largest entry
      expect(relativeMaxError(fd.grad, exact.grad)).toBeLessThan(1e-9);
      expect(relativeMaxError(fd.hess, exact.hess)).toBeLessThan(5e-6);
    }
  });

  it("gaussianPairKernelDerivatives returns finite derivatives at a zero norm", () => {
    const fd = gaussianPairKernelDerivatives(erfActivation, 0, 1.2, 0);
    const exact = erfDerivatives(0, 1.2, 0);
    expect(Math.abs(fd.value)).toBe(0);
    // taken at a = 1e-6·max(a, b, 1) instead of 0: first derivatives to ~1e-6
    expect(relativeMaxError(fd.grad, exact.grad)).toBeLessThan(1e-5);
    for (const h of fd.hess) expect(Number.isFinite(h)).toBe(true);
  });
});
