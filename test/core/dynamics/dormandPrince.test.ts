import { describe, expect, it } from "vitest";
import {
  integrateDormandPrince,
  type OdeRhs,
  type OdeStepInfo,
} from "../../../src/core/dynamics/dormandPrince.js";

/** Runs the integrator, keeping a copy of every reported state. */
function collect(
  f: OdeRhs,
  y0: number[],
  times: number[],
  rtol: number,
  atol: number,
  t0 = 0,
  extra: { maxStep?: number; maxSteps?: number; initialStep?: number } = {},
) {
  const seen: { t: number; y: number[]; h: number; steps: number }[] = [];
  const result = integrateDormandPrince(
    f,
    t0,
    new Float64Array(y0),
    times,
    { rtol, atol, ...extra },
    (info: OdeStepInfo) => {
      seen.push({ t: info.t, y: [...info.y], h: info.h, steps: info.steps });
    },
  );
  return { result, seen };
}

const decay =
  (lambda: number): OdeRhs =>
  (_t, y, dy) => {
    dy[0] = -lambda * y[0];
  };

/** x″ = −ω²x as (x, x′). */
const oscillator =
  (omega: number): OdeRhs =>
  (_t, y, dy) => {
    dy[0] = y[1];
    dy[1] = -omega * omega * y[0];
  };

// Many output times, most of them inside steps (dense output), some before the first step.
const times = [0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 7.5, 10];

describe("integrateDormandPrince", () => {
  it("integrateDormandPrince follows exponential decay within 10·rtol at every output time", () => {
    for (const rtol of [1e-6, 1e-9, 1e-12]) {
      const { result, seen } = collect(decay(0.7), [1], times, rtol, 1e-14);
      expect(result.status).toBe("completed");
      for (const { t, y } of seen) {
        const exact = Math.exp(-0.7 * t);
        expect(Math.abs(y[0] - exact) / exact).toBeLessThan(10 * rtol);
      }
    }
  });

  it("integrateDormandPrince follows a harmonic oscillator within 10·rtol over several periods", () => {
    const omega = 2;
    for (const rtol of [1e-6, 1e-9, 1e-12]) {
      const { result, seen } = collect(oscillator(omega), [1, 0], times, rtol, rtol * 1e-3);
      expect(result.status).toBe("completed");
      for (const { t, y } of seen) {
        // error relative to the amplitude (1): the solution passes through 0
        expect(Math.abs(y[0] - Math.cos(omega * t))).toBeLessThan(10 * rtol);
        expect(Math.abs(y[1] + omega * Math.sin(omega * t))).toBeLessThan(10 * omega * rtol);
      }
    }
  });

  it("integrateDormandPrince reports exactly the requested times, in order, and ends on the last", () => {
    const requested = [0, 0, 1e-9, 0.3, 1 / 3, 0.7, 0.7, 2, Math.PI, 10];
    const { result, seen } = collect(oscillator(1), [1, 0], requested, 1e-8, 1e-12);
    expect(seen.map((s) => s.t)).toEqual(requested);
    expect(result.t).toBe(10);
    expect(result.y[0]).toBeCloseTo(Math.cos(10), 6);
    // outputs at t0 come before any step, with the initial state
    expect(seen[0]).toMatchObject({ t: 0, y: [1, 0], h: 0, steps: 0 });
    // the same time twice gives the same state
    expect(seen[6].y).toEqual(seen[5].y);
  });

  it("integrateDormandPrince uses its dense output: many output times cost no extra steps", () => {
    const few = collect(oscillator(1), [1, 0], [20], 1e-9, 1e-12);
    const dense = Array.from({ length: 2001 }, (_, k) => k / 100);
    const many = collect(oscillator(1), [1, 0], dense, 1e-9, 1e-12);
    expect(many.seen.length).toBe(2001);
    expect(many.result.steps).toBe(few.result.steps);
    expect(many.result.evaluations).toBe(few.result.evaluations);
    let worst = 0;
    for (const { t, y } of many.seen) worst = Math.max(worst, Math.abs(y[0] - Math.cos(t)));
    expect(worst).toBeLessThan(1e-8); // 10·rtol, between the step endpoints too
  });

  it("integrateDormandPrince has error proportional to the tolerance (5th order: steps ∝ rtol^(−1/5))", () => {
    const errors: number[] = [];
    const stepCounts: number[] = [];
    for (const rtol of [1e-5, 1e-7, 1e-9, 1e-11]) {
      const { result } = collect(oscillator(1), [1, 0], [10], rtol, rtol * 1e-2);
      errors.push(Math.hypot(result.y[0] - Math.cos(10), result.y[1] + Math.sin(10)));
      stepCounts.push(result.steps);
    }
    for (let k = 1; k < errors.length; k++) {
      // 100× tighter tolerance → roughly 100× smaller error (tolerance proportionality)
      const ratio = errors[k - 1] / errors[k];
      expect(ratio).toBeGreaterThan(100 / 4);
      expect(ratio).toBeLessThan(100 * 4);
      // and 100^(1/5) ≈ 2.5× more steps for a 5th-order method
      const stepRatio = stepCounts[k] / stepCounts[k - 1];
      expect(stepRatio).toBeGreaterThan(1.8);
      expect(stepRatio).toBeLessThan(3.5);
    }
  });

  it("integrateDormandPrince finishes a mildly stiff problem (λ = 1000) with bounded work", () => {
    // y′ = −1000(y − cos t) − sin t, y(0) = 2: y = cos t + e^(−1000t). An explicit method is
    // held to |hλ| ≲ 3.3 by stability, so ≈ 300 steps per unit time at any tolerance.
    const f: OdeRhs = (t, y, dy) => {
      dy[0] = -1000 * (y[0] - Math.cos(t)) - Math.sin(t);
    };
    const { result, seen } = collect(f, [2], [0.001, 0.01, 0.1, 1, 2], 1e-6, 1e-9);
    expect(result.status).toBe("completed");
    expect(result.steps).toBeLessThan(2000);
    for (const { t, y } of seen) {
      const exact = Math.cos(t) + Math.exp(-1000 * t);
      expect(Math.abs(y[0] - exact)).toBeLessThan(1e-5);
    }
  });

  it("integrateDormandPrince stops with the state at the output time when onOutput returns false", () => {
    let calls = 0;
    const r = integrateDormandPrince(
      decay(-1), // y′ = y
      0,
      new Float64Array([1]),
      [0, 0.5, 1, 1.5, 2, 3],
      { rtol: 1e-10, atol: 1e-14 },
      (info) => {
        calls++;
        return info.t < 1.2;
      },
    );
    expect(r.status).toBe("stopped");
    expect(calls).toBe(4);
    expect(r.t).toBe(1.5);
    expect(Math.abs(r.y[0] - Math.exp(1.5)) / Math.exp(1.5)).toBeLessThan(1e-9);
    // stopping at t0, before any evaluation
    const early = integrateDormandPrince(
      decay(1),
      0,
      new Float64Array([1]),
      [0, 1],
      {
        rtol: 1e-8,
        atol: 1e-12,
      },
      () => false,
    );
    expect(early).toMatchObject({ status: "stopped", t: 0, evaluations: 0 });
  });

  it("integrateDormandPrince ends at a finite-time blow-up and reports a non-finite right-hand side", () => {
    // y′ = y², y(0) = 1: y = 1/(1 − t) explodes at t = 1. The steps shrink with the solution's
    // scale until h reaches the rounding floor of t (y ≈ 1e13 there): "step-too-small".
    const f: OdeRhs = (_t, y, dy) => {
      dy[0] = y[0] * y[0];
    };
    const r = integrateDormandPrince(
      f,
      0,
      new Float64Array([1]),
      [0.5, 2],
      { rtol: 1e-8, atol: 1e-12 },
      () => {},
    );
    expect(["non-finite", "step-too-small"]).toContain(r.status);
    expect(Math.abs(r.t - 1)).toBeLessThan(1e-6);
    // a right-hand side that returns NaN at a reachable state
    const g: OdeRhs = (t, _y, dy) => {
      dy[0] = t > 0.5 ? Number.NaN : 1;
    };
    const s = integrateDormandPrince(
      g,
      0,
      new Float64Array([0]),
      [1],
      { rtol: 1e-8, atol: 1e-12 },
      () => {},
    );
    expect(s.status).toBe("non-finite");
    expect(s.t).toBeLessThanOrEqual(0.5);
    expect(
      integrateDormandPrince(
        g,
        0,
        new Float64Array([Number.NaN]),
        [1],
        { rtol: 1e-8, atol: 1e-12 },
        () => {},
      ).status,
    ).toBe("non-finite");
  });

  it("integrateDormandPrince honours maxSteps and maxStep", () => {
    const capped = collect(oscillator(1), [1, 0], [100], 1e-10, 1e-12, 0, { maxSteps: 50 });
    expect(capped.result.status).toBe("max-steps");
    expect(capped.result.steps + capped.result.rejected).toBe(50);
    const small = collect(decay(1), [1], [1], 1e-3, 1e-6, 0, { maxStep: 0.01 });
    expect(small.result.steps).toBeGreaterThanOrEqual(100);
  });

  it("integrateDormandPrince starts at any t0 and leaves y0 untouched", () => {
    const y0 = new Float64Array([1, 0]);
    const r = integrateDormandPrince(
      oscillator(1),
      5,
      y0,
      [5, 6, 8],
      { rtol: 1e-10, atol: 1e-13 },
      () => true,
    );
    expect(r.status).toBe("completed");
    expect(r.t).toBe(8);
    expect(r.y[0]).toBeCloseTo(Math.cos(3), 8);
    expect([...y0]).toEqual([1, 0]);
  });

  it("integrateDormandPrince rejects bad tolerances and unordered output times", () => {
    const run = (times: number[], rtol = 1e-8, atol = 1e-12) =>
      integrateDormandPrince(decay(1), 0, new Float64Array([1]), times, { rtol, atol }, () => {});
    expect(() => run([1, 0.5])).toThrow(RangeError);
    expect(() => run([-1, 1])).toThrow(RangeError);
    expect(() => run([1], 0, 0)).toThrow(RangeError);
    expect(() => run([1], -1e-8)).toThrow(RangeError);
    expect(run([]).status).toBe("completed");
  });
});
