import { describe, expect, it } from "vitest";
import { createEngine, type Engine, webAssemblySupported } from "../../src/core/engine.js";
import {
  AngularPopulationLoss,
  angularKernelLayout,
} from "../../src/core/losses/population/angular.js";
import { QuadraticMomentLoss } from "../../src/core/losses/quadraticMoments.js";
import { Rng } from "../../src/core/random/rng.js";
import { kernelInstance } from "../../src/core/wasm/kernels.js";
import { relativeError } from "../helpers.js";

/** Builds the same object once with the WebAssembly kernels and once with the TypeScript loops. */
function both<T>(make: (engine: Engine) => T): { wasm: T; portable: T } {
  return {
    wasm: make(createEngine({ webAssembly: true })),
    portable: make(createEngine({ webAssembly: false })),
  };
}

describe("WebAssembly SIMD kernels", () => {
  it("are available in Node 20 (a failure here means the fast paths are silently off)", () => {
    expect(webAssemblySupported()).toBe(true);
    expect(createEngine().wasmInstance(10)).not.toBeNull();
    expect(createEngine({ webAssembly: false }).wasmInstance(10)).toBeNull();
  });

  it("matVec equals the row-by-row product for sizes that are not multiples of the SIMD width", () => {
    const rng = new Rng(1);
    for (const n of [1, 2, 3, 4, 5, 7, 8, 9, 15, 55, 63, 70]) {
      const k = kernelInstance(n * n + 2 * n + 1)!;
      const P = rng.fillNormal(new Float64Array(n * n), 1);
      const x = rng.fillNormal(new Float64Array(n), 1);
      // odd offsets: the kernel's loads need not be 16-byte aligned
      const [oP, ox, oy] = [1, 1 + n * n, 1 + n * n + n];
      k.f64.set(P, oP);
      k.f64.set(x, ox);
      k.exports.matVec(n, oP * 8, ox * 8, oy * 8);
      const expected = new Float64Array(n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expected[i] += P[i * n + j] * x[j];
      expect(relativeError(k.f64.subarray(oy, oy + n), expected), `n = ${n}`).toBeLessThan(1e-14);
    }
  });

  for (const d of [1, 3, 5, 10])
    it(`QuadraticMomentLoss gives the same value, gradient and HVP with and without them (d = ${d})`, () => {
      const rng = new Rng(d);
      const [n, m] = [40, 3];
      const X = rng.fillNormal(new Float64Array(n * d), 1);
      const y = rng.fillNormal(new Float64Array(n), 1);
      const V = rng.fillNormal(new Float64Array(d), 1);
      const teacher = { r: 1, d, V, b: new Float64Array([1]) };
      const { wasm, portable } = both(
        (engine) => new QuadraticMomentLoss(m, { n, d, X, y }, teacher, 0.25, "mean", engine),
      );
      const U = rng.fillNormal(new Float64Array(m * d), 1);
      const A = rng.fillNormal(new Float64Array(m), 1);
      const [g1, g2, a1, a2] = [m * d, m * d, m, m].map((k) => new Float64Array(k));
      const v1 = wasm.evaluate(U, A, g1, a1);
      const v2 = portable.evaluate(U, A, g2, a2);
      expect(Math.abs(v1 / v2 - 1)).toBeLessThan(1e-12);
      expect(relativeError(g1, g2)).toBeLessThan(1e-12);
      expect(relativeError(a1, a2)).toBeLessThan(1e-12);
      const dU = rng.fillNormal(new Float64Array(m * d), 1);
      const dA = rng.fillNormal(new Float64Array(m), 1);
      const [h1, h2, k1, k2] = [m * d, m * d, m, m].map((k) => new Float64Array(k));
      wasm.hessianVector(U, A, dU, dA, h1, k1);
      portable.hessianVector(U, A, dU, dA, h2, k2);
      expect(relativeError(h1, h2)).toBeLessThan(1e-12);
      expect(relativeError(k1, k2)).toBeLessThan(1e-12);
    });

  const angularCases: [string, number, number][] = [
    ["ReLU", 0.5, 1 / (2 * Math.PI)],
    ["absolute value", 1, 2 / Math.PI],
    ["linear", 1, 0],
  ];
  for (const [name, alpha, beta] of angularCases)
    for (const [m, r, d] of [
      [1, 1, 1],
      [2, 1, 3],
      [3, 2, 4],
      [8, 1, 9],
      [5, 3, 17],
      [17, 1, 18],
      [17, 3, 11],
    ])
      it(`AngularPopulationLoss matches its TypeScript loop: ${name}, m = ${m}, r = ${r}, d = ${d}`, () => {
        const rng = new Rng(m * 100 + r * 10 + d);
        const V = rng.fillNormal(new Float64Array(r * d), 1);
        const b = rng.fillNormal(new Float64Array(r), 1);
        const teacher = { r, d, V, b };
        const { wasm, portable } = both(
          (engine) => new AngularPopulationLoss(teacher, m, 0.5, alpha, beta, engine),
        );
        const U = rng.fillNormal(new Float64Array(m * d), 1);
        if (m >= 3) {
          U.fill(0, 0, d); // a zero neuron
          for (let q = 0; q < d; q++) U[d + q] = 1e-3 * V[q]; // aligned with a teacher neuron
          for (let q = 0; q < d; q++) U[2 * d + q] = -2 * U[d + q]; // antipodal to the previous
        }
        const A = rng.fillNormal(new Float64Array(m), 1);
        for (const withGA of [false, true]) {
          const [g1, g2] = [new Float64Array(m * d), new Float64Array(m * d)];
          const [a1, a2] = withGA ? [new Float64Array(m), new Float64Array(m)] : [null, null];
          const v1 = wasm.evaluate(U, A, g1, a1);
          const v2 = portable.evaluate(U, A, g2, a2);
          expect(Math.abs(v1 - v2)).toBeLessThanOrEqual(1e-12 * Math.abs(v2));
          expect(relativeError(g1, g2)).toBeLessThan(1e-12);
          if (a1 && a2) expect(relativeError(a1, a2)).toBeLessThan(1e-12);
          expect(wasm.evaluate(U, A, null, null)).toBe(v1);
        }
      });

  for (const [name, alpha, beta] of angularCases)
    it(`AngularPopulationLoss matches its TypeScript loop with zero rows: ${name}`, () => {
      // two zero students (their pair has D = S = 0 unless the kernel substitutes a direction)
      // and a zero teacher neuron: every term with a zero row vanishes, as in the loop
      const [m, r, d] = [5, 3, 7];
      const rng = new Rng(42);
      const V = rng.fillNormal(new Float64Array(r * d), 1);
      V.fill(0, d, 2 * d);
      const b = rng.fillNormal(new Float64Array(r), 1);
      const { wasm, portable } = both(
        (engine) => new AngularPopulationLoss({ r, d, V, b }, m, 0.5, alpha, beta, engine),
      );
      const U = rng.fillNormal(new Float64Array(m * d), 1);
      U.fill(0, 0, d);
      U.fill(0, 3 * d, 4 * d);
      const A = rng.fillNormal(new Float64Array(m), 1);
      const [g1, g2, a1, a2] = [m * d, m * d, m, m].map((k) => new Float64Array(k));
      const v1 = wasm.evaluate(U, A, g1, a1);
      const v2 = portable.evaluate(U, A, g2, a2);
      expect(Number.isFinite(v1)).toBe(true);
      expect(Math.abs(v1 - v2)).toBeLessThanOrEqual(1e-12 * Math.abs(v2));
      expect(relativeError(g1, g2)).toBeLessThan(1e-12);
      expect(relativeError(a1, a2)).toBeLessThan(1e-12);
      expect(wasm.evaluate(U, A, null, null)).toBe(v1);
    });

  it("AngularPopulationLoss lays out the kernel's memory as the kernel expects", () => {
    const k = kernelInstance(1)!;
    for (const [m, r, d] of [
      [1, 1, 1],
      [2, 1, 2],
      [3, 2, 5],
      [5, 3, 17],
      [8, 1, 9],
      [17, 1, 18],
      [50, 1, 51],
    ]) {
      const { stride, scratch } = angularKernelLayout(m, r, d);
      expect(stride, `d = ${d}`).toBe(k.exports.angularStride(d));
      expect(scratch, `m = ${m}, r = ${r}`).toBe(k.exports.angularScratchDoubles(m, r));
    }
  });
});
