import type { Activation } from "./types.js";

/**
 * Absolute value σ(z) = |z| (ZGJ). Since |z| = 2·ReLU(z) − z, its pair kernel is
 * κ(u, v) = (2/π)‖u‖‖v‖(sin θ + (π/2 − θ)cos θ) = uᵀv + (2/π)‖u‖‖v‖(sin θ − θ cos θ).
 */
export const absolute: Activation = {
  name: "abs",
  description: "absolute value |z| (ZGJ)",
  value: (z) => Math.abs(z),
  derivative: (z) => (z > 0 ? 1 : z < 0 ? -1 : 0),
  secondDerivative: () => 0,
  elementwiseKernel: 1,
  population: { kind: "angular", alpha: 1, beta: 2 / Math.PI },
};
