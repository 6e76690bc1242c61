import { describe, expect, it } from "vitest";
import { runExperiment } from "../../src/core/experiment/run.js";
import { setupRun } from "../../src/core/experiment/setup.js";
import { orthonormalBasis, subspaceDynamics } from "../../src/core/experiment/subspace.js";
import { Rng } from "../../src/core/random/rng.js";
import { validateSpec } from "../../src/spec/validate.js";
import { relativeError } from "../helpers.js";

function spec(doc: object) {
  const v = validateSpec(doc);
  if (!v.ok) throw new Error(v.problems.join("; "));
  return v.spec;
}

/** Largest relative difference between two recorded rows; NaN entries (undefined metrics) must match. */
function rowError(a: readonly number[], b: readonly number[]): number {
  expect(a.map(Number.isNaN)).toEqual(b.map(Number.isNaN));
  const keep = (_: number, k: number) => !Number.isNaN(b[k]);
  return relativeError(a.filter(keep), b.filter(keep));
}

/** Runs the spec with and without the subspace reduction; returns both results and rows. */
function bothPaths(doc: object) {
  const s = spec(doc);
  const out = [true, false].map((subspace) => {
    const rows: number[][] = [];
    const ctx = setupRun(s);
    const result = runExperiment(ctx, { onRow: (r) => rows.push([...r]), subspace });
    return { ctx, result, rows };
  });
  return { reduced: out[0], full: out[1] };
}

const base = {
  dimension: 30,
  activation: "relu",
  teacher: { kind: "random", neurons: 3 },
  student: { width: 5, init: { kind: "gaussian", scale: 0.3 } },
  loss: { kind: "population" },
  optimizer: { kind: "gd", lr: 0.05, steps: 2000 },
  record: { pointsPerDecade: 10 },
};

describe("population dynamics in span{wᵢ} ∪ {vₙ}", () => {
  it("applies only to population GD/flow with m + r < d", () => {
    const applies = (doc: object) => subspaceDynamics(setupRun(spec(doc))) !== null;
    expect(applies(base)).toBe(true);
    expect(applies({ ...base, optimizer: { kind: "flow", time: 1 } })).toBe(true);
    expect(applies({ ...base, dimension: 8 })).toBe(false); // m + r = 8
    expect(applies({ ...base, loss: { kind: "empirical", trainSize: 50 } })).toBe(false);
    expect(applies({ ...base, loss: { kind: "online", batchSize: 10 } })).toBe(false);
    const reduced = subspaceDynamics(setupRun(spec(base)));
    expect(reduced?.k).toBe(8);
  });

  it("GD follows the full-d path to rounding, metrics and final parameters included (ReLU)", () => {
    const { reduced, full } = bothPaths({
      ...base,
      teacher: { kind: "single", norm: 1 },
      metrics: [
        "loss",
        "grad_norm",
        "xd_angles",
        "xd_potential",
        "xd_rate",
        "weights",
        "hessian_eigs",
      ],
    });
    expect(reduced.result.status).toBe("completed");
    expect(reduced.rows.length).toBe(full.rows.length);
    expect(reduced.rows.length).toBeGreaterThan(10);
    for (let k = 0; k < full.rows.length; k++) {
      expect(rowError(reduced.rows[k], full.rows[k])).toBeLessThan(1e-10);
    }
    expect(relativeError(reduced.result.finalTheta, full.result.finalTheta)).toBeLessThan(1e-12);
    expect(Math.abs(reduced.result.finalLoss / full.result.finalLoss - 1)).toBeLessThan(1e-10);
    // it did learn something, so the comparison is not between two idle runs
    expect(full.result.finalLoss).toBeLessThan(0.5 * full.rows[0][2]);
  });

  const variants: [string, object][] = [
    ["absolute value", { activation: "abs" }],
    ["erf (pair-kernel form)", { activation: "erf" }],
    [
      "quadratic (moment form)",
      { activation: "quadratic", optimizer: { kind: "gd", lr: 0.01, steps: 500 } },
    ],
    [
      "ntk scaling with trained output weights",
      {
        student: {
          width: 5,
          parameterization: "ntk",
          trainOutput: true,
          init: { kind: "gaussian", scale: 0.3 },
        },
      },
    ],
    [
      "norm-weighted neurons (ZGJ)",
      {
        activation: "abs",
        student: {
          width: 5,
          parameterization: "norm-weighted",
          init: { kind: "gaussian", scale: 0.3 },
        },
      },
    ],
    [
      "Gauss–Hermite quadrature",
      {
        loss: { kind: "population", method: "quadrature", quadratureNodes: 24 },
        optimizer: { kind: "gd", lr: 0.05, steps: 200 },
      },
    ],
  ];
  for (const [name, change] of variants) {
    it(`GD agrees with the full path: ${name}`, () => {
      const { reduced, full } = bothPaths({ ...base, ...change, metrics: ["loss", "grad_norm"] });
      expect(subspaceDynamics(reduced.ctx)).not.toBeNull();
      expect(reduced.rows.length).toBe(full.rows.length);
      for (let k = 0; k < full.rows.length; k++)
        expect(rowError(reduced.rows[k], full.rows[k])).toBeLessThan(1e-9);
      expect(relativeError(reduced.result.finalTheta, full.result.finalTheta)).toBeLessThan(1e-10);
    });
  }

  it("gradient flow agrees with the full path to the integrator's tolerance", () => {
    // The step-size control sees a k·m- instead of a d·m-vector, so the accepted steps differ;
    // both are within rtol of the exact flow.
    const { reduced, full } = bothPaths({
      ...base,
      optimizer: { kind: "flow", time: 50, rtol: 1e-10, atol: 1e-14 },
    });
    expect(reduced.result.status).toBe("completed");
    expect(reduced.rows.length).toBe(full.rows.length);
    for (let k = 0; k < full.rows.length; k++) {
      expect(reduced.rows[k][1]).toBe(full.rows[k][1]); // same recorded times
      expect(Math.abs(reduced.rows[k][2] / full.rows[k][2] - 1)).toBeLessThan(1e-7);
    }
    expect(relativeError(reduced.result.finalTheta, full.result.finalTheta)).toBeLessThan(1e-7);
  });

  it("orthonormalBasis spans its input and drops dependent and zero vectors", () => {
    const d = 12;
    const rng = new Rng(3);
    const a = rng.fillNormal(new Float64Array(d), 1);
    const b = rng.fillNormal(new Float64Array(d), 1);
    const c = a.map((x, k) => 2 * x - 0.5 * b[k]); // in span{a, b}
    const nearlyParallel = a.map((x, k) => x + 1e-9 * b[k]); // in the span too, nearly parallel to a
    const Q = orthonormalBasis([a, new Float64Array(d), b, c, nearlyParallel], d);
    expect(Q.length / d).toBe(2);
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 2; j++) {
        let s = 0;
        for (let q = 0; q < d; q++) s += Q[i * d + q] * Q[j * d + q];
        expect(Math.abs(s - (i === j ? 1 : 0))).toBeLessThan(1e-15);
      }
    // every input is reproduced from its coordinates
    for (const v of [a, b, c, nearlyParallel]) {
      const back = new Float64Array(d);
      for (let i = 0; i < 2; i++) {
        let s = 0;
        for (let q = 0; q < d; q++) s += Q[i * d + q] * v[q];
        for (let q = 0; q < d; q++) back[q] += s * Q[i * d + q];
      }
      expect(relativeError(back, v)).toBeLessThan(1e-14);
    }
  });
});
