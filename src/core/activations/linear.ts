import type { Activation } from "./types.js";

/** Linear σ(z) = z: κ(u, v) = uᵀv (a deep-linear-network baseline). */
export const linear: Activation = {
  name: "linear",
  description: "linear z (baseline)",
  value: (z) => z,
  derivative: () => 1,
  secondDerivative: () => 0,
  elementwiseKernel: 2,
  population: { kind: "angular", alpha: 1, beta: 0 },
};
