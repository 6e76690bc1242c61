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
  return { flipFraction: flips / (n * m), minEig: Math.min(...symmetricEigen(H, n).values), H };
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
      const gram = duGram.create(ctx);
      gram.observe(point, gramRow);
      // DU Lemma 3.1's ‖H(0) − H^∞‖₂, against the definitions (H^∞ by arccos: no pair is close here)
      const H0 = direct(ctx.initialTheta, ctx.initialTheta, train.X, train.n, m, d).H;
      const n = train.n;
      const diff = H0.map((h, k) => {
        const [i, j] = [Math.floor(k / n), k % n];
        let xx = 0;
        for (let q = 0; q < d; q++) xx += train.X[i * d + q] * train.X[j * d + q];
        const c = Math.max(-1, Math.min(1, xx));
        return h - (xx * (Math.PI - (i === j ? 0 : Math.acos(c)))) / (2 * Math.PI);
      });
      const ev = symmetricEigen(diff, n).values;
      const deviation = Math.max(Math.abs(ev[0]), Math.abs(ev[n - 1]));
      expect(deviation).toBeGreaterThan(0);
      expect(
        Math.abs((gram.summary!().du_gram_init_deviation as number) / deviation - 1),
      ).toBeLessThan(1e-8);
      const expected = direct(theta, ctx.initialTheta, train.X, train.n, m, d);
      expect(expected.flipFraction).toBeGreaterThan(0.02);
      expect(flipsRow[0]).toBe(expected.flipFraction);
      expect(Math.abs(gramRow[0] - expected.minEig)).toBeLessThan(
        1e-9 * Math.max(1, Math.abs(expected.minEig)),
      );
    });

  it("λ₀ = λ_min(H^∞) is stable: the diagonal and near-parallel inputs do not go through arccos", () => {
    const v = validateSpec({ ...doc, loss: { ...doc.loss, trainSize: 6 } });
    if (!v.ok) throw new Error(v.problems.join("; "));
    const base = setupRun(v.spec);
    const train = base.train!;
    const { n } = train;
    const d = base.d;
    // make inputs 1 and 2 nearly parallel (angle ~1e-5): H^∞ is then nearly singular
    for (let k = 0; k < d; k++) train.X[2 * d + k] = train.X[d + k] + (k === 0 ? 1e-5 : 0);
    let s = 0;
    for (let k = 0; k < d; k++) s += train.X[2 * d + k] ** 2;
    for (let k = 0; k < d; k++) train.X[2 * d + k] /= Math.sqrt(s);
    // reference: every angle as 2·atan2(‖x̂ − ŷ‖, ‖x̂ + ŷ‖), the dot products by loops
    const H = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let xx = 0;
        let diff = 0;
        let sum = 0;
        for (let k = 0; k < d; k++) {
          const [a, b] = [train.X[i * d + k], train.X[j * d + k]];
          xx += a * b;
          diff += (a - b) ** 2;
          sum += (a + b) ** 2;
        }
        const theta = 2 * Math.atan2(Math.sqrt(diff), Math.sqrt(sum));
        H[i * n + j] = (xx * (Math.PI - theta)) / (2 * Math.PI);
      }
    const reference = Math.min(...symmetricEigen(H, n).values);
    const lambda0 = duGram.create(base).summary!().du_lambda0 as number;
    expect(Math.abs(lambda0 / reference - 1)).toBeLessThan(1e-9);
    // the arccos form on the same data is far off (what the stable form fixes)
    const naive = new Float64Array(n * n);
    for (let k = 0; k < n * n; k++) {
      const c = Math.max(-1, Math.min(1, H[k] === 0 ? 0 : dotOf(train.X, k, n, d)));
      naive[k] = (c * (Math.PI - Math.acos(c))) / (2 * Math.PI);
    }
    const naiveLambda = Math.min(...symmetricEigen(naive, n).values);
    expect(Math.abs(naiveLambda / reference - 1)).toBeGreaterThan(1e-7);
  });
});

function dotOf(X: Float64Array, k: number, n: number, d: number): number {
  const [i, j] = [Math.floor(k / n), k % n];
  let s = 0;
  for (let q = 0; q < d; q++) s += X[i * d + q] * X[j * d + q];
  return s;
}
