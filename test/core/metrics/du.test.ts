import { describe, expect, it } from "vitest";
import { setupRun } from "../../../src/core/experiment/setup.js";
import { portableKernels } from "../../../src/core/linalg/gemm.js";
import { symmetricEigen } from "../../../src/core/linalg/symmetricEigen.js";
import { duFlips, duGram } from "../../../src/core/metrics/du.js";
import { loadOnnxKernels } from "../../../src/kernels/onnxRuntime.js";
import { validateSpec } from "../../../src/spec/validate.js";

const doc = {
  dimension: 7,
  activation: "relu",
  inputs: "sphere",
  teacher: { kind: "noise", std: 1 },
  student: { width: 45, parameterization: "ntk", init: { kind: "du" } },
  loss: { kind: "empirical", scale: 0.5, reduction: "sum", trainSize: 13 },
  optimizer: { kind: "gd", lr: 0.1, steps: 1 },
};

/** DU's quantities straight from their definitions, by loops. */
function direct(
  theta: Float64Array,
  initial: Float64Array,
  X: Float64Array,
  n: number,
  m: number,
  d: number,
) {
  const on = (w: Float64Array, i: number, r: number) => {
    let z = 0;
    for (let k = 0; k < d; k++) z += w[r * d + k] * X[i * d + k];
    return z > 0;
  };
  let flips = 0;
  for (let i = 0; i < n; i++)
    for (let r = 0; r < m; r++) if (on(theta, i, r) !== on(initial, i, r)) flips++;
  const H = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let xx = 0;
      for (let k = 0; k < d; k++) xx += X[i * d + k] * X[j * d + k];
      let both = 0;
      for (let r = 0; r < m; r++) if (on(theta, i, r) && on(theta, j, r)) both++;
      H[i * n + j] = (xx * both) / m;
    }
  return { flipFraction: flips / (n * m), minEig: Math.min(...symmetricEigen(H, n).values) };
}

describe("DU metrics", () => {
  const onnx = loadOnnxKernels({ threads: 1, minWork: 0 }).kernels;
  for (const kernels of [portableKernels, onnx!])
    it(`du_flips and du_gram match their definitions (${kernels.name} products)`, () => {
      const v = validateSpec(doc);
      if (!v.ok) throw new Error(v.problems.join("; "));
      const ctx = setupRun(v.spec, {}, { matrixKernels: kernels });
      const { m, d } = ctx;
      const train = ctx.train!;
      // a point away from the initial one, so that some patterns have flipped
      const theta = Float64Array.from(ctx.initialTheta, (w, k) => w + 0.4 * Math.sin(3 * k + 1));
      const point = {
        step: 1,
        time: 0.1,
        theta,
        loss: 0,
        gradient: new Float64Array(theta.length),
      };
      const flipsRow: number[] = [];
      duFlips.create(ctx).observe(point, flipsRow);
      const gramRow: number[] = [];
      duGram.create(ctx).observe(point, gramRow);
      const expected = direct(theta, ctx.initialTheta, train.X, train.n, m, d);
      expect(expected.flipFraction).toBeGreaterThan(0.02);
      expect(flipsRow[0]).toBe(expected.flipFraction);
      expect(Math.abs(gramRow[0] - expected.minEig)).toBeLessThan(
        1e-9 * Math.max(1, Math.abs(expected.minEig)),
      );
    });
});
