import { describe, expect, it } from "vitest";
import { runExperiment } from "../../src/core/experiment/run.js";
import { setupRun } from "../../src/core/experiment/setup.js";
import { metrics } from "../../src/core/metrics/registry.js";
import { validateSpec } from "../../src/spec/validate.js";

function run(doc: object) {
  const v = validateSpec(doc);
  if (!v.ok) throw new Error(v.problems.join("; "));
  const rows: number[][] = [];
  let columns: readonly string[] = [];
  const ctx = setupRun(v.spec);
  const result = runExperiment(ctx, {
    onRow: (r) => rows.push([...r]),
    onColumns: (c) => (columns = c),
  });
  return { ctx, result, rows, columns };
}

const base = {
  dimension: 4,
  activation: "relu",
  teacher: { kind: "random", neurons: 2 },
  student: { width: 4, init: { kind: "gaussian", scale: 0.3 } },
};

describe("runExperiment", () => {
  it("runExperiment with SGD, online batches and gradient flow all reduce the loss", () => {
    const sgd = run({
      ...base,
      loss: { kind: "empirical", trainSize: 256 },
      optimizer: { kind: "sgd", lr: 0.05, steps: 3000, batchSize: 32 },
    });
    const online = run({
      ...base,
      loss: { kind: "online", batchSize: 64 },
      optimizer: { kind: "gd", lr: 0.05, steps: 3000 },
    });
    const flow = run({
      ...base,
      loss: { kind: "population" },
      optimizer: { kind: "flow", time: 150 },
    });
    for (const r of [sgd, online, flow]) {
      expect(r.result.status).toBe("completed");
      const loss = r.columns.indexOf("loss");
      expect(r.rows[r.rows.length - 1][loss]).toBeLessThan(0.5 * r.rows[0][loss]);
    }
    expect(flow.rows[flow.rows.length - 1][1]).toBe(150);
  });

  it("ZGJ Algorithms 1 and 2 start from a low population loss (norms fitted by NNLS)", () => {
    const zgj = {
      dimension: 6,
      activation: "abs",
      teacher: { kind: "separated", neurons: 2, separation: 0.6 },
      loss: { kind: "population" },
      optimizer: { kind: "gd", lr: 0.01, steps: 0 },
    };
    const random = {
      ...zgj,
      student: {
        width: 3,
        parameterization: "norm-weighted",
        init: { kind: "gaussian", scale: 0.5 },
      },
    };
    const alg1 = {
      ...zgj,
      student: { width: 200, parameterization: "norm-weighted", init: { kind: "zgj-random" } },
    };
    const alg2 = {
      ...zgj,
      student: {
        width: 50,
        parameterization: "norm-weighted",
        init: { kind: "zgj-subspace", samples: 20000 },
      },
    };
    const teacherOnly = run(random).rows[0][2];
    const l1 = run(alg1).rows[0][2];
    const l2 = run(alg2).rows[0][2];
    // f* alone (all students at zero) has loss ½E[f*²]; the fits must do much better
    expect(l1).toBeLessThan(0.2 * teacherOnly);
    expect(l2).toBeLessThan(0.2 * teacherOnly);
  });

  it("every metric either applies to a fitting spec and fills its columns with numbers, or says why not", () => {
    const specs = [
      {
        dimension: 5,
        activation: "quadratic",
        teacher: { kind: "single" },
        student: { width: 3, init: { kind: "gaussian", scale: 0.1 } },
        loss: { kind: "empirical", scale: 0.25, trainSize: 50, testSize: 50 },
        optimizer: { kind: "gd", lr: 0.01, steps: 20 },
      },
      {
        dimension: 8,
        activation: "relu",
        inputs: "sphere",
        teacher: { kind: "noise" },
        student: { width: 30, parameterization: "ntk", init: { kind: "du" } },
        loss: { kind: "empirical", reduction: "sum", trainSize: 20 },
        optimizer: { kind: "gd", lr: 0.2, steps: 20 },
      },
      {
        dimension: 3,
        activation: "relu",
        teacher: { kind: "single" },
        student: { width: 3, init: { kind: "gaussian", scale: 0.1 } },
        loss: { kind: "population" },
        optimizer: { kind: "gd", lr: 0.05, steps: 200 },
      },
      {
        dimension: 2,
        activation: "abs",
        teacher: { kind: "separated", neurons: 3, separation: 0.4 },
        student: { width: 6, parameterization: "norm-weighted", init: { kind: "near-teacher" } },
        loss: { kind: "population" },
        optimizer: { kind: "gd", lr: 0.02, steps: 50 },
      },
    ];
    const covered = new Set<string>();
    for (const s of specs) {
      const parsed = validateSpec(s);
      if (!parsed.ok) throw new Error(parsed.problems.join("; "));
      const names = metrics.filter((m) => m.applies(parsed.spec) === null).map((m) => m.name);
      const r = run({ ...s, metrics: names });
      for (const n of names) covered.add(n);
      expect(r.rows.length).toBeGreaterThan(2);
      for (const row of r.rows) expect(row.length).toBe(r.columns.length);
      const finite = r.rows[r.rows.length - 1].filter((x) => Number.isFinite(x)).length;
      expect(finite).toBeGreaterThan(0.9 * r.columns.length);
    }
    expect([...covered].sort()).toEqual(metrics.map((m) => m.name).sort());
  });
});
