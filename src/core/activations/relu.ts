import type { Activation } from "./types.js";

/**
 * ReLU σ(z) = max(z, 0). Pair kernel (Cho & Saul's arc-cosine kernel of degree 1; XD §2):
 * κ(u, v) = ‖u‖‖v‖(sin θ + (π − θ)cos θ)/(2π) = ½uᵀv + ‖u‖‖v‖(sin θ − θ cos θ)/(2π).
 */
export const relu: Activation = {
  name: "relu",
  description: "ReLU max(z, 0) (XD, DU)",
  // Branch-free forms (issue 4: on the N×m pre-activations of a large empirical loss half the
  // signs are random, and a mispredicted branch per entry tripled the elementwise time).
  // (z + |z|)/2 equals max(z, 0) exactly for |z| ≤ 8.9e307 (z + z and the halving are exact).
  value: (z) => 0.5 * (z + Math.abs(z)),
  derivative: (z) => +(z > 0),
  secondDerivative: () => 0,
  elementwiseKernel: 0,
  population: { kind: "angular", alpha: 0.5, beta: 1 / (2 * Math.PI) },
};
