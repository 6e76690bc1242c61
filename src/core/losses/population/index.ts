import type { Activation, PopulationForm } from "../../activations/types.js";
import { createEngine, type Engine } from "../../engine.js";
import type { Teacher } from "../../model/teacher.js";
import type { NeuronLoss } from "../types.js";
import { AngularPopulationLoss, angle, sinMinusThetaCos } from "./angular.js";
import { KernelPopulationLoss } from "./kernel.js";
import { QuadraticPopulationLoss } from "./quadraticForm.js";

type Builder<F extends PopulationForm> = (
  form: F,
  teacher: Teacher,
  m: number,
  scale: number,
  engine: Engine,
) => NeuronLoss;

/** One implementation per population form (see activations/types.ts). */
const builders: { [K in PopulationForm["kind"]]: Builder<Extract<PopulationForm, { kind: K }>> } = {
  angular: (f, t, m, c, e) => new AngularPopulationLoss(t, m, c, f.alpha, f.beta, e),
  quadratic: (_f, t, m, c) => new QuadraticPopulationLoss(t, m, c),
  kernel: (f, t, m, c) => new KernelPopulationLoss(t, m, c, f.kernel),
};

/**
 * The population loss c·E_{x~N(0,I)}[(f(x) − f*(x))²] for an activation, evaluated in the
 * closed form its record declares.
 */
export function populationLoss(
  activation: Activation,
  teacher: Teacher,
  m: number,
  scale: number,
  engine: Engine = createEngine(),
): NeuronLoss {
  const form = activation.population;
  return (builders[form.kind] as Builder<PopulationForm>)(form, teacher, m, scale, engine);
}

export { AngularPopulationLoss, KernelPopulationLoss, QuadraticPopulationLoss };

/** κ(u, v) = E[σ(uᵀx)σ(vᵀx)] for rows u = X[xo..], v = Y[yo..], in the activation's closed form. */
export function pairKernelValue(
  activation: Activation,
  X: Float64Array,
  xo: number,
  Y: Float64Array,
  yo: number,
  d: number,
): number {
  let a = 0;
  let b = 0;
  let c = 0;
  for (let k = 0; k < d; k++) {
    a += X[xo + k] * X[xo + k];
    b += Y[yo + k] * Y[yo + k];
    c += X[xo + k] * Y[yo + k];
  }
  const form = activation.population;
  switch (form.kind) {
    case "quadratic":
      return a * b + 2 * c * c;
    case "kernel":
      return form.kernel.value(a, b, c);
    case "angular": {
      if (a === 0 || b === 0) return 0;
      const nu = Math.sqrt(a);
      const nv = Math.sqrt(b);
      return (
        form.alpha * c + form.beta * nu * nv * sinMinusThetaCos(angle(X, xo, nu, Y, yo, nv, d))
      );
    }
  }
}
