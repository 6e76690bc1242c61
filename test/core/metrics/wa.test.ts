import { describe, expect, it } from "vitest";
import type { ObservedPoint } from "../../../src/core/experiment/context.js";
import { setupRun } from "../../../src/core/experiment/setup.js";
import { waDist, waNeurons } from "../../../src/core/metrics/wa.js";
import { Rng } from "../../../src/core/random/rng.js";
import { validateSpec } from "../../../src/spec/validate.js";

const d = 6;
const m = 3;
const norm = 1.7;

function ctx() {
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

const observe = (metric: typeof waDist, theta: Float64Array): number[] => {
  const out: number[] = [];
  const point = { step: 0, time: 0, theta, loss: 0, gradient: new Float64Array(theta.length) };
  metric.create(ctx()).observe(point as ObservedPoint, out);
  return out;
};

/** min over ‖q‖ = 1 of ‖W − w*qᵀ‖², by brute force over many unit q (m = 3). */
function bruteDist(theta: Float64Array): number {
  const rng = new Rng(5);
  let best = Number.POSITIVE_INFINITY;
  for (let t = 0; t < 200_000; t++) {
    const q = rng.fillNormal(new Float64Array(m), 1);
    const n = Math.hypot(...q);
    let s = 0;
    for (let i = 0; i < m; i++)
      for (let k = 0; k < d; k++) s += (theta[i * d + k] - (k === 0 ? norm : 0) * (q[i] / n)) ** 2;
    best = Math.min(best, s);
  }
  return best;
}

describe("WA metrics", () => {
  it("wa_dist equals eq. (13) at a generic point and the brute-force minimum over unit q", () => {
    const theta = new Rng(1).fillNormal(new Float64Array(m * d), 0.7);
    let fro = 0;
    let wtw = 0;
    for (let i = 0; i < m; i++) {
      for (let k = 0; k < d; k++) fro += theta[i * d + k] ** 2;
      wtw += (theta[i * d] * norm) ** 2;
    }
    const eq13 = fro + norm * norm - 2 * Math.sqrt(wtw);
    const [dist] = observe(waDist, theta);
    expect(Math.abs(dist - eq13)).toBeLessThan(1e-13 * Math.max(1, eq13));
    expect(Math.abs(dist - bruteDist(theta)) / dist).toBeLessThan(1e-3);
  });

  it("wa_dist and ‖wₖ⊥‖ resolve distances far below rounding of ‖W‖² (no cancellation)", () => {
    // W = w*qᵀ + E with ‖E‖ ~ 1e-12: dist² ~ 1e-24, which ‖W‖² + ‖w*‖² − 2‖Wᵀw*‖ rounds to ~1e-16
    const q = [0.6, 0.8, 0];
    const theta = new Float64Array(m * d);
    for (let i = 0; i < m; i++) theta[i * d] = norm * q[i];
    theta[0 * d + 2] = 1e-12;
    theta[2 * d + 4] = -2e-12;
    const [dist] = observe(waDist, theta);
    expect(Math.abs(dist - 5e-24) / 5e-24).toBeLessThan(1e-6);
    const neurons = observe(waNeurons, theta);
    const perp = neurons.slice(m, 2 * m);
    expect(Math.abs(perp[0] - 1e-12) / 1e-12).toBeLessThan(1e-6);
    expect(perp[1]).toBeLessThan(1e-15); // rounding of wₖ − (⟨wₖ,w*⟩/‖w*‖²)w*: ε·‖wₖ‖
    expect(Math.abs(perp[2] - 2e-12) / 2e-12).toBeLessThan(1e-6);
  });
});
