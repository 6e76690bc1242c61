import {
  gaussianPairExpectation,
  gaussianPairKernelDerivatives,
} from "../special/bivariateGaussian.js";
import type { Activation, PairKernel } from "./types.js";

/**
 * The generic fallback: the pair kernel K(a, b, c) = E[σ(z₁)σ(z₂)] of any activation evaluated
 * by tensor-product Gauss–Hermite quadrature over the bivariate normal, its partials by
 * finite differences (special/bivariateGaussian.ts). Exact to rounding for polynomial σ of
 * degree < n; for kinked σ (ReLU, |·|) it converges only algebraically in n, so it is a
 * check and an exploration tool, not the path for runs that converge far.
 */
export function quadratureKernel(sigma: (z: number) => number, nodes = 64): PairKernel {
  return {
    value: (a, b, c) => gaussianPairExpectation(sigma, a, b, c, nodes),
    partials(a, b, c, out) {
      const r = gaussianPairKernelDerivatives(sigma, a, b, c, nodes);
      out[0] = r.value;
      out[1] = r.grad[0];
      out[2] = r.grad[1];
      out[3] = r.grad[2];
      for (let k = 0; k < 6; k++) out[4 + k] = r.hess[k];
    },
  };
}

/** The same activation with its population loss evaluated by the quadrature fallback. */
export function quadratureActivation(base: Activation, nodes = 64): Activation {
  return { ...base, population: { kind: "kernel", kernel: quadratureKernel(base.value, nodes) } };
}

/**
 * An activation known only by its value function (and optionally its derivatives, needed by
 * empirical losses; by default central differences). Its population loss uses quadrature.
 */
export function customActivation(
  name: string,
  value: (z: number) => number,
  derivative?: (z: number) => number,
  secondDerivative?: (z: number) => number,
  nodes = 64,
): Activation {
  const h = 1e-5;
  return {
    name,
    description: `${name} (custom; population loss by Gauss–Hermite quadrature)`,
    value,
    derivative: derivative ?? ((z) => (value(z + h) - value(z - h)) / (2 * h)),
    secondDerivative:
      secondDerivative ?? ((z) => (value(z + h) - 2 * value(z) + value(z - h)) / (h * h)),
    population: { kind: "kernel", kernel: quadratureKernel(value, nodes) },
  };
}
