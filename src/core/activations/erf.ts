import { erf as erfFunction } from "../special/erf.js";
import type { Activation, PairKernel } from "./types.js";

const SQRT1_2 = Math.SQRT1_2;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * κ(u, v) = (2/π)·asin(s), s = uᵀv / √((1 + ‖u‖²)(1 + ‖v‖²)) for σ(z) = erf(z/√2)
 * (Williams 1998, "Computation with infinite neural networks"; the soft-committee machine of
 * Saad & Solla). Written in a = ‖u‖², b = ‖v‖², c = uᵀv; second partials by the chain rule
 * through s, whose own partials are s_c = p, s_a = −s/(2(1+a)), s_aa = 3s/(4(1+a)²),
 * s_ab = s/(4(1+a)(1+b)), s_ac = −p/(2(1+a)) with p = ((1+a)(1+b))^(−1/2).
 */
export const erfKernel: PairKernel = {
  value(a, b, c) {
    return (2 / Math.PI) * Math.asin(clampUnit(c / Math.sqrt((1 + a) * (1 + b))));
  },
  partials(a, b, c, out) {
    const p = 1 / Math.sqrt((1 + a) * (1 + b));
    const s = clampUnit(c * p);
    const oneMinus = Math.max(1 - s * s, Number.MIN_VALUE);
    const Ks = 2 / Math.PI / Math.sqrt(oneMinus);
    const Kss = ((2 / Math.PI) * s) / (oneMinus * Math.sqrt(oneMinus));
    const sa = -s / (2 * (1 + a));
    const sb = -s / (2 * (1 + b));
    const sc = p;
    const saa = (3 * s) / (4 * (1 + a) * (1 + a));
    const sbb = (3 * s) / (4 * (1 + b) * (1 + b));
    const sab = s / (4 * (1 + a) * (1 + b));
    const sac = -p / (2 * (1 + a));
    const sbc = -p / (2 * (1 + b));
    out[0] = (2 / Math.PI) * Math.asin(s);
    out[1] = Ks * sa;
    out[2] = Ks * sb;
    out[3] = Ks * sc;
    out[4] = Kss * sa * sa + Ks * saa;
    out[5] = Kss * sb * sb + Ks * sbb;
    out[6] = Kss * sc * sc;
    out[7] = Kss * sa * sb + Ks * sab;
    out[8] = Kss * sa * sc + Ks * sac;
    out[9] = Kss * sb * sc + Ks * sbc;
  },
};

function clampUnit(s: number): number {
  return s > 1 ? 1 : Math.max(s, -1);
}

/** σ(z) = erf(z/√2), the soft-committee activation (a sigmoid with σ′(0) = √(2/π)). */
export const erfActivation: Activation = {
  name: "erf",
  description: "erf(z/√2), the soft-committee sigmoid",
  value: (z) => erfFunction(z * SQRT1_2),
  derivative: (z) => SQRT_2_OVER_PI * Math.exp(-0.5 * z * z),
  secondDerivative: (z) => -z * SQRT_2_OVER_PI * Math.exp(-0.5 * z * z),
  population: { kind: "kernel", kernel: erfKernel },
};
