import { describe, expect, it } from "vitest";
import {
  gaussHermite,
  gaussHermiteStandardNormal,
} from "../../../src/core/special/gaussHermite.js";

const EPS = 2 ** -52;

/** Σ wᵢ·xᵢ^p, and Σ |wᵢ·xᵢ^p| (the scale of its rounding error). */
function moment(nodes: Float64Array, weights: Float64Array, p: number): [number, number] {
  let s = 0;
  let a = 0;
  for (let i = 0; i < nodes.length; i++) {
    const t = weights[i] * nodes[i] ** p;
    s += t;
    a += Math.abs(t);
  }
  return [s, a];
}

describe("gaussHermiteStandardNormal", () => {
  it("gaussHermiteStandardNormal(n) integrates z^p exactly for p ≤ 2n − 1, n = 1…100", () => {
    let worst = 0;
    for (let n = 1; n <= 100; n++) {
      const { nodes, weights } = gaussHermiteStandardNormal(n);
      let doubleFactorial = 1; // (2k − 1)!!
      // up to degree 2n − 1, and at most 120 so that z^p stays far from overflow
      for (let k = 0; 2 * k <= Math.min(2 * n - 1, 120); k++) {
        if (k > 0) doubleFactorial *= 2 * k - 1;
        const [even] = moment(nodes, weights, 2 * k);
        // each node carries ~1 ulp, which the power p multiplies
        const err = Math.abs(even / doubleFactorial - 1) / (2 * k + 1);
        worst = Math.max(worst, err);
        if (2 * k + 1 <= 2 * n - 1) {
          const [odd, scale] = moment(nodes, weights, 2 * k + 1);
          expect(Math.abs(odd)).toBeLessThanOrEqual(4 * EPS * scale);
        }
      }
    }
    // measured 4.4e-16 = 2ε
    expect(worst).toBeLessThan(4 * EPS);
  });

  it("gaussHermiteStandardNormal(n) is not exact at degree 2n (it really has n nodes)", () => {
    // the error of E[z^(2n)] is n!·… > 0; for n = 5: 825 instead of 9!! = 945
    const { nodes, weights } = gaussHermiteStandardNormal(5);
    expect(moment(nodes, weights, 10)[0]).toBeCloseTo(825, 9);
  });

  it("gaussHermiteStandardNormal(n) has positive weights summing to 1 and symmetric increasing nodes, n = 1…200", () => {
    for (let n = 1; n <= 200; n++) {
      const { nodes, weights } = gaussHermiteStandardNormal(n);
      expect(nodes.length).toBe(n);
      let sum = 0;
      for (let i = 0; i < n; i++) {
        expect(weights[i]).toBeGreaterThan(0);
        expect(nodes[i] + nodes[n - 1 - i]).toBe(0);
        expect(weights[i]).toBe(weights[n - 1 - i]);
        if (i > 0) expect(nodes[i]).toBeGreaterThan(nodes[i - 1]);
        sum += weights[i];
      }
      // measured ≤ 5.6e-16
      expect(Math.abs(sum - 1)).toBeLessThan(8 * EPS);
      if (n % 2 === 1) expect(nodes[n >> 1]).toBe(0);
    }
  });

  it("gaussHermiteStandardNormal(n) integrates smooth functions to rounding: E[cos z] = e^(−1/2)", () => {
    const { nodes, weights } = gaussHermiteStandardNormal(40);
    let s = 0;
    for (let i = 0; i < nodes.length; i++) s += weights[i] * Math.cos(nodes[i]);
    expect(Math.abs(s - Math.exp(-0.5))).toBeLessThan(1e-15);
  });

  it("gaussHermiteStandardNormal(n) caches its rule and rejects a bad n", () => {
    expect(gaussHermiteStandardNormal(17)).toBe(gaussHermiteStandardNormal(17));
    for (const n of [0, -1, 2.5, Number.NaN, 513])
      expect(() => gaussHermiteStandardNormal(n)).toThrow(RangeError);
  });
});

describe("gaussHermite", () => {
  it("gaussHermite(n) reproduces the closed-form rules for n = 1, 2, 3", () => {
    const sqrtPi = Math.sqrt(Math.PI);
    const one = gaussHermite(1);
    expect([...one.nodes]).toEqual([0]);
    expect(one.weights[0]).toBeCloseTo(sqrtPi, 15);
    // H₂ = 4x² − 2: x = ±1/√2, w = √π/2
    const two = gaussHermite(2);
    expect(two.nodes[1]).toBeCloseTo(Math.SQRT1_2, 15);
    expect(two.weights[1]).toBeCloseTo(sqrtPi / 2, 15);
    // H₃ = 8x³ − 12x: x = 0, ±√(3/2); w = 2√π/3, √π/6
    const three = gaussHermite(3);
    expect(three.nodes[2]).toBeCloseTo(Math.sqrt(1.5), 15);
    expect(three.weights[1]).toBeCloseTo((2 * sqrtPi) / 3, 15);
    expect(three.weights[2]).toBeCloseTo(sqrtPi / 6, 15);
  });

  it("gaussHermite(n) integrates x^(2k)·e^(−x²) to Γ(k + ½) for 2k ≤ 2n − 1", () => {
    for (const n of [7, 32, 64, 128, 200]) {
      const { nodes, weights } = gaussHermite(n);
      let gamma = Math.sqrt(Math.PI); // Γ(k + ½) = √π·(2k − 1)!!/2^k
      for (let k = 0; 2 * k <= Math.min(2 * n - 1, 120); k++) {
        if (k > 0) gamma *= k - 0.5;
        const [even] = moment(nodes, weights, 2 * k);
        expect(Math.abs(even / gamma - 1)).toBeLessThan((2 * k + 1) * 4 * EPS);
      }
    }
  });

  it("gaussHermite(n) is the standard-normal rule scaled by x = z/√2, w = √π·w(normal)", () => {
    for (const n of [5, 64, 150]) {
      const phys = gaussHermite(n);
      const normal = gaussHermiteStandardNormal(n);
      for (let i = 0; i < n; i++) {
        expect(Math.abs(phys.nodes[i] * Math.SQRT2 - normal.nodes[i])).toBeLessThanOrEqual(
          2 * EPS * Math.abs(normal.nodes[i]),
        );
        const w = normal.weights[i] * Math.sqrt(Math.PI);
        expect(Math.abs(phys.weights[i] - w)).toBeLessThanOrEqual(4 * EPS * w);
      }
    }
  });
});
