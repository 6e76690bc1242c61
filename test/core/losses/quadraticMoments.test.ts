import { describe, expect, it } from "vitest";
import { getActivation } from "../../../src/core/activations/registry.js";
import { EmpiricalLoss, type Sample } from "../../../src/core/losses/empirical.js";
import { QuadraticMomentLoss } from "../../../src/core/losses/quadraticMoments.js";
import type { Teacher } from "../../../src/core/model/teacher.js";
import { Rng } from "../../../src/core/random/rng.js";
import { relativeError } from "../../helpers.js";

const quadratic = getActivation("quadratic");

function setting(seed: number, d: number, m: number, n: number, noise: number, r = 2) {
  const rng = new Rng(seed);
  const teacher: Teacher = {
    r,
    d,
    V: rng.fillNormal(new Float64Array(r * d), 1),
    b: Float64Array.from({ length: r }, (_, i) => (i % 2 ? -0.5 : 1)),
  };
  const X = rng.fillNormal(new Float64Array(n * d), 1);
  const y = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    for (let t = 0; t < r; t++) {
      let z = 0;
      for (let a = 0; a < d; a++) z += teacher.V[t * d + a] * X[k * d + a];
      y[k] += teacher.b[t] * z * z;
    }
    y[k] += noise * rng.normal();
  }
  const sample: Sample = { n, d, X, y };
  const U = rng.fillNormal(new Float64Array(m * d), 0.5);
  const A = Float64Array.from({ length: m }, () => 1 + 0.3 * rng.normal());
  const dU = rng.fillNormal(new Float64Array(m * d), 1);
  const dA = rng.fillNormal(new Float64Array(m), 1);
  return { teacher, sample, U, A, dU, dA };
}

describe("QuadraticMomentLoss (empirical loss through the sample's moments)", () => {
  for (const [d, m, n, noise, reduction] of [
    [10, 10, 200, 0, "mean"],
    [3, 1, 7, 0, "sum"],
    [7, 4, 50, 0.3, "mean"],
    [1, 2, 5, 0.1, "sum"],
  ] as const) {
    it(`equals the sample loop in value, gradient and HVP (d=${d}, m=${m}, N=${n}, noise ${noise}, ${reduction})`, () => {
      const s = setting(d * 100 + m, d, m, n, noise);
      const loop = new EmpiricalLoss(m, s.sample, quadratic, 0.25, reduction);
      const fast = new QuadraticMomentLoss(m, s.sample, s.teacher, 0.25, reduction);
      const g1 = [new Float64Array(m * d), new Float64Array(m)];
      const g2 = [new Float64Array(m * d), new Float64Array(m)];
      const v1 = loop.evaluate(s.U, s.A, g1[0], g1[1]);
      const v2 = fast.evaluate(s.U, s.A, g2[0], g2[1]);
      expect(Math.abs(v2 - v1) / v1).toBeLessThan(1e-12);
      expect(relativeError(g2[0], g1[0])).toBeLessThan(1e-12);
      expect(relativeError(g2[1], g1[1])).toBeLessThan(1e-12);
      const h1 = [new Float64Array(m * d), new Float64Array(m)];
      const h2 = [new Float64Array(m * d), new Float64Array(m)];
      loop.hessianVector(s.U, s.A, s.dU, s.dA, h1[0], h1[1]);
      fast.hessianVector(s.U, s.A, s.dU, s.dA, h2[0], h2[1]);
      expect(relativeError(h2[0], h1[0])).toBeLessThan(1e-12);
      expect(relativeError(h2[1], h1[1])).toBeLessThan(1e-12);
    });
  }

  it("keeps relative precision near the teacher (no cancellation of O(1) terms)", () => {
    const d = 5;
    const s = setting(3, d, 1, 40, 0, 1);
    // one student equal to the teacher up to 1e-9: loss ~ 1e-18, far below rounding of O(1) sums
    const U = new Float64Array(s.teacher.V);
    U[2] += 1e-9;
    const A = new Float64Array([1]);
    const loop = new EmpiricalLoss(1, s.sample, quadratic, 0.25, "mean").evaluate(U, A, null, null);
    const fast = new QuadraticMomentLoss(1, s.sample, s.teacher, 0.25, "mean").evaluate(
      U,
      A,
      null,
      null,
    );
    expect(loop).toBeGreaterThan(0);
    expect(loop).toBeLessThan(1e-15);
    expect(Math.abs(fast - loop) / loop).toBeLessThan(1e-6);
  });
});
