import { describe, expect, it } from "vitest";
import { integrateDormandPrince } from "../../../src/core/dynamics/dormandPrince.js";
import { runExperiment } from "../../../src/core/experiment/run.js";
import { setupRun } from "../../../src/core/experiment/setup.js";
import { validateSpec } from "../../../src/spec/validate.js";

describe("gradient flow", () => {
  it("integrateDormandPrince reproduces exponential decay and a harmonic oscillator at the requested times", () => {
    for (const rtol of [1e-6, 1e-9]) {
      const times = [0, 0.1, 0.5, 1, 2, 5, 10];
      const seen: number[] = [];
      integrateDormandPrince(
        (_t, y, dy) => {
          dy[0] = -0.7 * y[0];
          dy[1] = y[2];
          dy[2] = -4 * y[1];
        },
        0,
        new Float64Array([1, 1, 0]),
        times,
        { rtol, atol: 1e-14 },
        (info) => {
          seen.push(info.t);
          expect(Math.abs(info.y[0] - Math.exp(-0.7 * info.t))).toBeLessThan(20 * rtol);
          expect(Math.abs(info.y[1] - Math.cos(2 * info.t))).toBeLessThan(50 * rtol);
          return true;
        },
      );
      expect(seen).toEqual(times);
    }
  });

  it("integrateDormandPrince stops when the output callback returns false", () => {
    const r = integrateDormandPrince(
      (_t, y, dy) => {
        dy[0] = y[0];
      },
      0,
      new Float64Array([1]),
      [0, 1, 2, 3],
      { rtol: 1e-8, atol: 1e-12 },
      (i) => i.t < 1.5,
    );
    expect(r.status).toBe("stopped");
    expect(r.t).toBe(2);
  });

  it("runExperiment: GD approaches gradient flow as η → 0 (error ∝ η)", () => {
    const base = {
      dimension: 3,
      activation: "relu",
      teacher: { kind: "single" },
      student: { width: 2, init: { kind: "gaussian", scale: 0.5 } },
      loss: { kind: "population" },
      metrics: ["loss"],
      seed: 3,
    };
    const horizon = 2;
    const finalTheta = (optimizer: object) => {
      const v = validateSpec({ ...base, optimizer });
      if (!v.ok) throw new Error(v.problems.join("; "));
      return runExperiment(setupRun(v.spec), { onRow: () => {} }).finalTheta;
    };
    const flow = finalTheta({ kind: "flow", time: horizon, rtol: 1e-11, atol: 1e-14 });
    const errors = [0.02, 0.01, 0.005].map((lr) => {
      const gd = finalTheta({ kind: "gd", lr, steps: Math.round(horizon / lr) });
      return Math.max(...gd.map((x, k) => Math.abs(x - flow[k])));
    });
    expect(errors[1]).toBeLessThan(0.6 * errors[0]);
    expect(errors[2]).toBeLessThan(0.6 * errors[1]);
    expect(errors[0] / errors[2]).toBeGreaterThan(3.2); // first order: ratio ≈ 4
    expect(errors[2]).toBeLessThan(1e-2);
  });
});
