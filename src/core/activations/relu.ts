import type { Activation } from "./types.js";

/**
 * ReLU σ(z) = max(z, 0). Pair kernel (Cho & Saul's arc-cosine kernel of degree 1; XD §2):
 * κ(u, v) = ‖u‖‖v‖(sin θ + (π − θ)cos θ)/(2π) = ½uᵀv + ‖u‖‖v‖(sin θ − θ cos θ)/(2π).
 */
export const relu: Activation = {
  name: "relu",
  description: "ReLU max(z, 0) (XD, DU)",
  value: (z) => Math.max(z, 0),
  derivative: (z) => (z > 0 ? 1 : 0),
  secondDerivative: () => 0,
  population: { kind: "angular", alpha: 0.5, beta: 1 / (2 * Math.PI) },
};
