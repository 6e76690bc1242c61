import { describe, expect, it } from "vitest";
import { activationNames, getActivation } from "../../../src/core/activations/registry.js";
import { EmpiricalLoss } from "../../../src/core/losses/empirical.js";
import { populationLoss } from "../../../src/core/losses/population/index.js";
import type { NeuronLoss } from "../../../src/core/losses/types.js";
import { Objective, type StudentNetwork } from "../../../src/core/model/objective.js";
import { parameterizations } from "../../../src/core/model/parameterization.js";
import type { Teacher } from "../../../src/core/model/teacher.js";
import { Rng } from "../../../src/core/random/rng.js";
import { gradientDifference, numericGradient, randomArray, relativeError } from "../../helpers.js";

const d = 4;
const m = 3;
const r = 2;

const setups = [
  { param: "plain", trainOutput: false, outputScale: 1 },
  { param: "plain", trainOutput: true, outputScale: 1 },
  { param: "ntk", trainOutput: false, outputScale: 1 / Math.sqrt(m) },
  { param: "ntk", trainOutput: true, outputScale: 1 / Math.sqrt(m) },
  { param: "norm-weighted", trainOutput: false, outputScale: 1 },
] as const;

const lossKinds = ["population", "empirical-mean", "empirical-sum"] as const;

function build(
  activationName: string,
  setup: (typeof setups)[number],
  lossKind: (typeof lossKinds)[number],
  seed: number,
) {
  const rng = new Rng(seed);
  const activation = getActivation(activationName);
  const teacher: Teacher = {
    r,
    d,
    V: randomArray(rng, r * d, 0.8),
    b: new Float64Array([1, -0.7]),
  };
  let loss: NeuronLoss;
  if (lossKind === "population") {
    loss = populationLoss(activation, teacher, m, 0.5);
  } else {
    const n = 7;
    const X = randomArray(rng, n * d);
    const y = randomArray(rng, n);
    loss = new EmpiricalLoss(
      m,
      { n, d, X, y },
      activation,
      0.5,
      lossKind === "empirical-mean" ? "mean" : "sum",
    );
  }
  const network: StudentNetwork = {
    m,
    d,
    parameterization: parameterizations[setup.param],
    outputScale: setup.outputScale,
    trainOutput: setup.trainOutput,
  };
  const fixed = new Float64Array([1, -1, 1]);
  const objective = new Objective(network, loss, fixed);
  const theta = randomArray(rng, objective.dim, 0.7);
  return { objective, theta, rng };
}

describe("Objective gradients and Hessian-vector products", () => {
  for (const act of activationNames) {
    for (const setup of setups) {
      for (const lossKind of lossKinds) {
        const label = `${act} × ${setup.param}${setup.trainOutput ? " (trained output)" : ""} × ${lossKind}`;
        it(`valueAndGradient matches central differences for ${label}`, () => {
          for (const seed of [1, 2, 3]) {
            const { objective, theta } = build(act, setup, lossKind, seed);
            const g = new Float64Array(objective.dim);
            objective.valueAndGradient(theta, g);
            const fd = numericGradient((x) => objective.value(x), theta, 1e-6);
            expect(relativeError(g, fd)).toBeLessThan(1e-6);
          }
        });
        it(`hessianVector matches differences of gradients for ${label}`, () => {
          for (const seed of [1, 2, 3]) {
            const { objective, theta, rng } = build(act, setup, lossKind, seed);
            const v = randomArray(rng, objective.dim);
            const hv = new Float64Array(objective.dim);
            objective.hessianVector(theta, v, hv);
            const fd = gradientDifference(
              (x, out) => objective.valueAndGradient(x, out),
              theta,
              v,
              1e-6,
            );
            expect(relativeError(hv, fd)).toBeLessThan(1e-5);
          }
        });
      }
    }
  }
});
