/**
 * The lazy-regime init (symmetric-pairs): each student is duplicated with output weights +1 and
 * −1, so f(W₀) = 0 whatever the scale τ; gradients under the norm-weighted parameterization
 * (ZGJ's f = Σ aᵢ‖wᵢ‖|wᵢᵀx|, here with aᵢ = ±1) agree with central differences.
 */
import { describe, expect, it } from "vitest";
import { setupRun } from "../../src/core/experiment/setup.js";
import { validateSpec } from "../../src/spec/validate.js";
import { numericGradient, relativeError } from "../helpers.js";

function context(extra: Record<string, unknown> = {}, scale = 3, width = 6) {
  const v = validateSpec({
    dimension: 3,
    activation: "abs",
    teacher: { kind: "separated", neurons: 3, separation: 0.5 },
    student: {
      width,
      parameterization: "norm-weighted",
      init: { kind: "symmetric-pairs", scale },
      ...extra,
    },
    loss: { kind: "population", scale: 0.5 },
    optimizer: { kind: "gd", lr: 0.01, steps: 0 },
  });
  if (!v.ok) throw new Error(v.problems.join("; "));
  return setupRun(v.spec);
}

describe("symmetric-pairs init", () => {
  it("duplicates each row with output weights +1 and −1, so the network starts at f = 0 for any τ", () => {
    for (const scale of [1, 3, 10]) {
      const ctx = context({}, scale);
      const W = ctx.initialTheta;
      const d = ctx.d;
      expect(Array.from(W.subarray(0, 3 * d))).toEqual(Array.from(W.subarray(3 * d, 6 * d)));
      expect(Array.from(ctx.trainObjective.fixedOutput)).toEqual([1, 1, 1, -1, -1, -1]);
      // L(W₀) = c·E[f*(x)²] = the loss of the zero network, up to the rounding of the closed
      // form's pair terms, each of order ‖u‖² = τ⁴
      const zero = ctx.trainObjective.value(new Float64Array(W.length));
      const diff = Math.abs(ctx.trainObjective.value(W) - zero);
      expect(diff).toBeLessThan(1e-13 * 36 * (1 + scale ** 4));
      const rms = Math.sqrt(Array.from(W).reduce((s, w) => s + w * w, 0) / W.length);
      expect(rms).toBeGreaterThan(0.3 * scale);
      expect(rms).toBeLessThan(2 * scale);
    }
  });

  it("its gradient under the norm-weighted parameterization with ± outputs matches central differences", () => {
    const ctx = context({}, 1);
    const obj = ctx.trainObjective;
    // at the init (pairs cancel) and after breaking the symmetry
    const moved = Float64Array.from(ctx.initialTheta, (w, i) => w + 0.05 * Math.sin(3 * i + 1));
    for (const theta of [ctx.initialTheta, moved]) {
      const g = new Float64Array(obj.dim);
      obj.valueAndGradient(theta, g);
      const fd = numericGradient((x) => obj.value(x), theta, 1e-6);
      expect(relativeError(g, fd)).toBeLessThan(1e-6);
    }
  });

  it("explicit output weights win, and an odd width is refused", () => {
    expect(Array.from(context({ outputWeights: "ones" }).trainObjective.fixedOutput)).toEqual([
      1, 1, 1, 1, 1, 1,
    ]);
    // refused by validation, before setup (which refuses it too, for callers that skip it)
    expect(() => context({}, 1, 5)).toThrow(/student.width: .*must be even \(got 5\)/);
  });
});
