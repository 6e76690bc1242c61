import type { Activation } from "./types.js";

/**
 * Quadratic σ(z) = z² (WA). By Isserlis' theorem κ(u, v) = ‖u‖²‖v‖² + 2(uᵀv)².
 */
export const quadratic: Activation = {
  name: "quadratic",
  description: "quadratic z² (WA)",
  value: (z) => z * z,
  derivative: (z) => 2 * z,
  secondDerivative: () => 2,
  elementwiseKernel: 3,
  population: { kind: "quadratic" },
};
