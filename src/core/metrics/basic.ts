import { norm } from "../linalg/vector.js";
import { needsNeuronTeacher } from "./applicability.js";
import { indexed, type Metric } from "./types.js";

export const lossMetric: Metric = {
  name: "loss",
  description: "training objective: population loss, or the loss on the whole training set",
  applies: () => null,
  create: () => ({ columns: ["loss"], observe: (p, out) => void out.push(p.loss) }),
};

export const gradNorm: Metric = {
  name: "grad_norm",
  description: "‖∇L‖ of the training objective",
  applies: () => null,
  create: () => ({
    columns: ["grad_norm"],
    observe: (p, out) => void out.push(norm(p.gradient, 0, p.gradient.length)),
  }),
};

export const testLoss: Metric = {
  name: "test_loss",
  description: "empirical loss on the held-out test set",
  applies: (spec) =>
    spec.loss.testSize > 0 || spec.loss.test?.inputs
      ? null
      : "needs a test set (set loss.testSize > 0 or loss.test.inputs)",
  create: (ctx) => {
    const objective = ctx.testObjective!;
    return { columns: ["test_loss"], observe: (p, out) => void out.push(objective.value(p.theta)) };
  },
};

export const populationLossMetric: Metric = {
  name: "population_loss",
  description: "closed-form population loss c·E[(f − f*)²] over x ~ N(0, I)",
  applies: (spec) =>
    needsNeuronTeacher(spec) ??
    (spec.inputs === "gaussian"
      ? null
      : "needs Gaussian inputs (inputs is sphere: no closed form)"),
  create: (ctx) => {
    const objective = ctx.populationObjective!;
    return {
      columns: ["population_loss"],
      observe: (p, out) => void out.push(objective.value(p.theta)),
    };
  },
};

export const weightsMetric: Metric = {
  name: "weights",
  description: "every trainable student weight w[i][k] (for trajectories such as ZGJ Fig. 1)",
  applies: (spec) =>
    spec.student.width * spec.dimension > 2000
      ? "records m·d columns; limited to m·d ≤ 2000"
      : null,
  create: (ctx) => {
    const { m, d } = ctx;
    const columns: string[] = [];
    for (let i = 0; i < m; i++) for (let k = 0; k < d; k++) columns.push(`w[${i}][${k}]`);
    if (ctx.network.trainOutput) columns.push(...indexed("a", m));
    return {
      columns,
      observe: (p, out) => {
        for (let k = 0; k < columns.length; k++) out.push(p.theta[k]);
      },
    };
  },
};
