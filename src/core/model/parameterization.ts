/**
 * How a student's trainable row wᵢ becomes its effective neuron uᵢ (docs/model.md §2). Each entry
 * maps forward, pulls a gradient back (Jᵀg) and supplies the second-order term of the chain
 * rule needed by Hessian-vector products. Rows are addressed by offset into flat buffers.
 */
export interface Parameterization {
  readonly name: string;
  readonly description: string;
  /** u = φ(w) for one row. */
  forward(w: Float64Array, wo: number, u: Float64Array, uo: number, d: number): void;
  /** out = J(w)ᵀ g, with J = ∂u/∂w (here J is symmetric). */
  pullback(
    w: Float64Array,
    wo: number,
    g: Float64Array,
    go: number,
    out: Float64Array,
    oo: number,
    d: number,
  ): void;
  /** out = J(w)·dw (the forward-mode tangent du). */
  pushforward(
    w: Float64Array,
    wo: number,
    dw: Float64Array,
    dwo: number,
    out: Float64Array,
    oo: number,
    d: number,
  ): void;
  /** out += Σₖ gₖ ∂²uₖ/∂w² · dw (zero for linear maps). */
  addCurvature(
    w: Float64Array,
    wo: number,
    g: Float64Array,
    go: number,
    dw: Float64Array,
    dwo: number,
    out: Float64Array,
    oo: number,
    d: number,
  ): void;
  readonly isLinear: boolean;
  /** u = w: Objective then copies whole blocks instead of calling the maps row by row. */
  readonly isIdentity: boolean;
}

const identity: Omit<Parameterization, "name" | "description"> = {
  isLinear: true,
  isIdentity: true,
  forward(w, wo, u, uo, d) {
    for (let k = 0; k < d; k++) u[uo + k] = w[wo + k];
  },
  pullback(_w, _wo, g, go, out, oo, d) {
    for (let k = 0; k < d; k++) out[oo + k] = g[go + k];
  },
  pushforward(_w, _wo, dw, dwo, out, oo, d) {
    for (let k = 0; k < d; k++) out[oo + k] = dw[dwo + k];
  },
  addCurvature() {},
};

/** uᵢ = wᵢ, output weight 1 (WA, XD). */
export const plain: Parameterization = {
  name: "plain",
  description: "uᵢ = wᵢ with output weights aᵢ = 1 (WA, XD)",
  ...identity,
};

/** uᵢ = wᵢ with output weights aᵢ = ±1/√m, fixed unless trainOutput (DU eq. 1). */
export const ntk: Parameterization = {
  name: "ntk",
  description: "uᵢ = wᵢ, output weights ±1 scaled by 1/√m, fixed unless trainOutput (DU)",
  ...identity,
};

/**
 * uᵢ = ‖wᵢ‖wᵢ (ZGJ eq. 1: the output weight of a neuron is its own norm). With n = ‖w‖:
 * J = nI + wwᵀ/n, and the curvature term Σₖgₖ∂²uₖ/∂w²·dw =
 * (wᵀdw/n)g + (wᵀg/n)dw + (gᵀdw/n)w − (wᵀg)(wᵀdw)/n³·w.
 */
export const normWeighted: Parameterization = {
  name: "norm-weighted",
  description: "uᵢ = ‖wᵢ‖wᵢ, i.e. output weight ‖wᵢ‖ on unit direction (ZGJ)",
  isLinear: false,
  isIdentity: false,
  forward(w, wo, u, uo, d) {
    const n = rowNorm(w, wo, d);
    for (let k = 0; k < d; k++) u[uo + k] = n * w[wo + k];
  },
  pullback(w, wo, g, go, out, oo, d) {
    const n = rowNorm(w, wo, d);
    if (n === 0) {
      for (let k = 0; k < d; k++) out[oo + k] = 0;
      return;
    }
    let wg = 0;
    for (let k = 0; k < d; k++) wg += w[wo + k] * g[go + k];
    for (let k = 0; k < d; k++) out[oo + k] = n * g[go + k] + (wg / n) * w[wo + k];
  },
  pushforward(w, wo, dw, dwo, out, oo, d) {
    normWeighted.pullback(w, wo, dw, dwo, out, oo, d); // J is symmetric
  },
  addCurvature(w, wo, g, go, dw, dwo, out, oo, d) {
    const n = rowNorm(w, wo, d);
    if (n === 0) return;
    let wdw = 0;
    let wg = 0;
    let gdw = 0;
    for (let k = 0; k < d; k++) {
      wdw += w[wo + k] * dw[dwo + k];
      wg += w[wo + k] * g[go + k];
      gdw += g[go + k] * dw[dwo + k];
    }
    const c = (wg * wdw) / (n * n * n);
    for (let k = 0; k < d; k++) {
      out[oo + k] += (wdw / n) * g[go + k] + (wg / n) * dw[dwo + k] + (gdw / n - c) * w[wo + k];
    }
  },
};

function rowNorm(w: Float64Array, wo: number, d: number): number {
  let s = 0;
  for (let k = 0; k < d; k++) s += w[wo + k] * w[wo + k];
  return Math.sqrt(s);
}

export const parameterizations = Object.freeze({
  plain,
  ntk,
  "norm-weighted": normWeighted,
} satisfies Record<string, Parameterization>);

/** "plain" | "ntk" | "norm-weighted". */
export type ParameterizationName = keyof typeof parameterizations;

export const parameterizationNames = Object.keys(parameterizations) as [
  ParameterizationName,
  ...ParameterizationName[],
];
