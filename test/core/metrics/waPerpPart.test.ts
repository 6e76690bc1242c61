import { describe, expect, it } from "vitest";
import type { ObservedPoint } from "../../../src/core/experiment/context.js";
import { setupRun } from "../../../src/core/experiment/setup.js";
import { findMetric } from "../../../src/core/metrics/registry.js";
import { waPerpPart } from "../../../src/core/metrics/wa.js";
import { Rng } from "../../../src/core/random/rng.js";
import { validateSpec } from "../../../src/spec/validate.js";

const d = 5;
const norm = 1.3;

function ctx(m: number) {
  const v = validateSpec({
    dimension: d,
    activation: "quadratic",
    teacher: { kind: "single", norm },
    student: { width: m, init: { kind: "gaussian", scale: 0.1 } },
    loss: { kind: "empirical", scale: 0.25, trainSize: 20 },
    optimizer: { kind: "gd", lr: 0.001, steps: 1 },
  });
  if (!v.ok) throw new Error(v.problems.join("; "));
  return setupRun(v.spec);
}

const eSq = (theta: Float64Array, m: number): number => {
  const out: number[] = [];
  const point = { step: 0, time: 0, theta, loss: 0, gradient: new Float64Array(theta.length) };
  waPerpPart.create(ctx(m)).observe(point as ObservedPoint, out);
  return out[0];
};

/** ‖(I − qqᵀ)W(I − P)‖² by dense matrices: the definition, written out. */
function reference(theta: Float64Array, m: number): number {
  const w = [norm, 0, 0, 0, 0]; // the single teacher is norm·e₁
  const ww = norm * norm;
  const q = Array.from({ length: m }, (_, i) => {
    let s = 0;
    for (let k = 0; k < d; k++) s += theta[i * d + k] * w[k];
    return s;
  });
  const qn = Math.hypot(...q);
  let e2 = 0;
  for (let i = 0; i < m; i++) {
    for (let k = 0; k < d; k++) {
      let v = 0;
      for (let j = 0; j < m; j++) {
        const proj = (i === j ? 1 : 0) - (q[i] * q[j]) / (qn * qn);
        for (let l = 0; l < d; l++) {
          const perp = (l === k ? 1 : 0) - (w[l] * w[k]) / ww;
          v += proj * theta[j * d + l] * perp;
        }
      }
      e2 += v * v;
    }
  }
  return e2;
}

describe("wa_perp_part (‖E‖² of the part of W perpendicular to w* and q)", () => {
  it("wa_perp_part equals the dense projection (I − qqᵀ)W(I − P) at a generic point", () => {
    const m = 4;
    const theta = new Rng(3).fillNormal(new Float64Array(m * d), 0.6);
    const e2 = eSq(theta, m);
    expect(e2).toBeGreaterThan(0);
    expect(Math.abs(e2 - reference(theta, m)) / e2).toBeLessThan(1e-12);
  });

  it("wa_perp_part is zero for one neuron and for any optimum w*qᵀ", () => {
    const one = new Rng(4).fillNormal(new Float64Array(d), 0.6);
    expect(eSq(one, 1)).toBeLessThan(1e-30);
    const q = [0.6, 0, 0.8];
    const opt = new Float64Array(3 * d);
    for (let i = 0; i < 3; i++) opt[i * d] = norm * q[i];
    expect(eSq(opt, 3)).toBe(0);
  });

  it("wa_perp_part resolves a tiny E on top of a rank-one W without cancellation", () => {
    // W = w*qᵀ + b-part (⊥ w*, along q) + E (⊥ w*, ⊥ q): only E counts, even at ‖E‖² = 1e-26
    const q = [0.6, 0.8, 0];
    const theta = new Float64Array(3 * d);
    for (let i = 0; i < 3; i++) {
      theta[i * d] = norm * q[i];
      theta[i * d + 1] = 0.3 * q[i]; // b: rows ⊥ w*, but along q: not part of E
    }
    theta[2 * d + 3] = 1e-13; // row 2 is ⊥ q (q[2] = 0) and the column is ⊥ w*
    const e2 = eSq(theta, 3);
    // rounding of the b-part (entries ~0.3) leaves ~(ε·0.3)² ≈ 1e-32 absolute; the cancelling
    // form ‖R‖² − ‖qᵀR‖² would leave ~ε·‖R‖² ≈ 1e-17, i.e. nothing of the 1e-26
    expect(Math.abs(e2 - 1e-26) / 1e-26).toBeLessThan(1e-5);
  });

  it("wa_perp_part is registered and applies only where WA's diagnostics do", () => {
    const metric = findMetric("wa_perp_part");
    expect(metric).toBe(waPerpPart);
    const relu = validateSpec({
      dimension: d,
      activation: "relu",
      teacher: { kind: "single" },
      student: { width: 2, init: { kind: "gaussian", scale: 0.1 } },
      loss: { kind: "population" },
      optimizer: { kind: "gd", lr: 0.01, steps: 1 },
    });
    if (!relu.ok) throw new Error(relu.problems.join("; "));
    expect(waPerpPart.applies(relu.spec)).toMatch(/quadratic/);
  });
});
