import { describe, expect, it, vi } from "vitest";
import type { EngineOptions } from "../../src/core/engine.js";
import { runExperiment } from "../../src/core/experiment/run.js";
import { setupRun } from "../../src/core/experiment/setup.js";
import { Objective } from "../../src/core/model/objective.js";
import { selectKernels } from "../../src/kernels/index.js";
import { AXPY_MIN_LENGTH } from "../../src/kernels/native.js";
import { validateSpec } from "../../src/spec/validate.js";

/** Runs a spec with fused GD steps on and off; the two must agree to the bit. */
function fusedAndStepwise(doc: object, engine: EngineOptions = {}) {
  const v = validateSpec(doc);
  if (!v.ok) throw new Error(v.problems.join("; "));
  return [true, false].map((fuse) => {
    const rows: number[][] = [];
    const result = runExperiment(setupRun(v.spec, {}, engine), {
      onRow: (r) => rows.push([...r]),
      fuse,
      checkEvery: 100,
    });
    return { rows, result };
  });
}

const base = {
  dimension: 12,
  activation: "relu",
  teacher: { kind: "single", norm: 1 },
  student: { width: 4, init: { kind: "gaussian", scale: 0.1 } },
  loss: { kind: "population" },
  optimizer: { kind: "gd", lr: 0.05, steps: 3000 },
  record: { pointsPerDecade: 5 },
  metrics: ["loss", "grad_norm"],
};

describe("fused gradient-descent steps (angular population loss)", () => {
  it("give the same rows, final loss and parameters, to the bit", () => {
    const spy = vi.spyOn(Objective.prototype, "fusedGradientDescent");
    const [fused, stepwise] = fusedAndStepwise(base);
    // the fused path did run, and took most of the steps
    const fusedSteps = spy.mock.results.reduce((s, r) => s + (r.value ?? 0), 0);
    spy.mockRestore();
    expect(fusedSteps).toBeGreaterThan(2500);
    expect(fused.rows).toEqual(stepwise.rows);
    expect(fused.result.finalLoss).toBe(stepwise.result.finalLoss);
    expect([...fused.result.finalTheta]).toEqual([...stepwise.result.finalTheta]);
    expect(fused.result.steps).toBe(3000);
  });

  it("stop at the same step when the loss falls below stop.lossBelow inside a block", () => {
    const [fused, stepwise] = fusedAndStepwise({ ...base, stop: { lossBelow: 1e-3 } });
    expect(stepwise.result.reason).toMatch(/loss fell below 0.001 at step \d+/);
    expect(fused.result.reason).toBe(stepwise.result.reason);
    expect(fused.rows).toEqual(stepwise.rows);
    expect(stepwise.result.steps % 100).not.toBe(0); // inside a block, not at a check step
  });

  it("stop at the same step when the run diverges inside a block", () => {
    const [fused, stepwise] = fusedAndStepwise({
      ...base,
      optimizer: { kind: "gd", lr: 40, steps: 3000 },
      stop: { divergenceFactor: 50 },
    });
    expect(stepwise.result.status).toBe("diverged");
    expect(fused.result.status).toBe("diverged");
    expect(fused.result.reason).toBe(stepwise.result.reason);
    expect(fused.rows).toEqual(stepwise.rows);
  });

  it("are the same with trained output weights (which the fused path leaves to the engine)", () => {
    const doc = {
      ...base,
      student: { ...base.student, parameterization: "ntk", trainOutput: true },
    };
    const [fused, stepwise] = fusedAndStepwise(doc);
    expect(fused.rows).toEqual(stepwise.rows);
  });

  // the kernel's size-dependent paths: one student; an odd and an even subspace dimension
  // (m + r); a width whose gradient rows span several four-block column groups
  for (const [activation, width, teacher] of [
    ["relu", 1, { kind: "single", norm: 1 }],
    ["abs", 2, { kind: "random", neurons: 3 }],
    ["linear", 5, { kind: "random", neurons: 2 }],
    ["relu", 17, { kind: "random", neurons: 3 }],
  ] as const)
    it(`give the same rows and parameters to the bit: ${activation}, width ${width}`, () => {
      const doc = {
        ...base,
        dimension: 30,
        activation,
        teacher,
        student: { ...base.student, width },
        optimizer: { kind: "gd", lr: 0.02, steps: 600 },
      };
      const spy = vi.spyOn(Objective.prototype, "fusedGradientDescent");
      const [fused, stepwise] = fusedAndStepwise(doc);
      const fusedSteps = spy.mock.results.reduce((s, r) => s + (r.value ?? 0), 0);
      spy.mockRestore();
      expect(fusedSteps).toBeGreaterThan(500);
      expect(fused.rows).toEqual(stepwise.rows);
      expect(fused.result.finalLoss).toBe(stepwise.result.finalLoss);
      expect([...fused.result.finalTheta]).toEqual([...stepwise.result.finalTheta]);
    });

  it("give the same bits with Node's kernels when θ is long enough for their BLAS update", () => {
    // 300 × 240 = 72 000 parameters, m + r ≥ d (no subspace): the kernels' axpy (daxpy, fused
    // multiply-adds) would round differently from the fused loop, so such a run steps with the
    // loop
    const doc = {
      ...base,
      dimension: 240,
      student: { ...base.student, width: 300 },
      optimizer: { kind: "gd", lr: 0.05, steps: 60 },
    };
    expect(300 * 240).toBeGreaterThanOrEqual(AXPY_MIN_LENGTH);
    const selected = selectKernels({ choice: "auto", threads: 2 });
    const axpy = vi.spyOn(selected.kernels, "axpy");
    const [fused, stepwise] = fusedAndStepwise(doc, { matrixKernels: selected.kernels });
    selected.close();
    expect(axpy).not.toHaveBeenCalled();
    expect(fused.rows).toEqual(stepwise.rows);
    expect([...fused.result.finalTheta]).toEqual([...stepwise.result.finalTheta]);
  });
});
