import type { RunContext } from "../experiment/context.js";
import type { ExperimentConfig } from "../spec.js";
import { firstProblem, needsSingleTeacher } from "./applicability.js";
import { indexed, type Metric } from "./types.js";

/** WA's diagnostics are stated for σ = z², uᵢ = wᵢ, aᵢ = 1 and one teacher neuron w*. */
function waSetting(spec: ExperimentConfig): string | null {
  return firstProblem(
    spec.activation === "quadratic"
      ? null
      : `is defined for the quadratic activation (activation is ${spec.activation})`,
    spec.student.parameterization === "plain" ? null : "is defined for the plain parameterization",
    spec.student.trainOutput
      ? "is defined with fixed output weights (student.trainOutput is true)"
      : null,
    needsSingleTeacher(spec),
  );
}

/** w* as a vector and its squared norm. */
function teacherVector(ctx: RunContext): { w: Float64Array; ww: number } {
  const t = ctx.teacher!;
  const w = t.V.subarray(0, ctx.d);
  let ww = 0;
  for (let k = 0; k < ctx.d; k++) ww += w[k] * w[k];
  return { w, ww };
}

/**
 * Per-neuron ⟨wₖ, w*⟩ and ‖wₖ⊥‖ (the part orthogonal to w*), WA eq. (3). The perpendicular
 * part is formed explicitly, wₖ − (⟨wₖ,w*⟩/‖w*‖²)w*, not as √(‖wₖ‖² − ⟨wₖ,w*⟩²/‖w*‖²): the
 * latter cancels and cannot resolve ‖wₖ⊥‖ below √ε·‖wₖ‖ ≈ 1e-8 (docs/model.md §5; Figs. 2, 5 go lower).
 */
function parallelParts(
  theta: Float64Array,
  m: number,
  d: number,
  w: Float64Array,
  ww: number,
  par: Float64Array,
  perpNorm: Float64Array,
): void {
  for (let i = 0; i < m; i++) {
    let p = 0;
    for (let k = 0; k < d; k++) p += theta[i * d + k] * w[k];
    par[i] = p;
    const c = p / ww;
    let q2 = 0;
    for (let k = 0; k < d; k++) q2 += (theta[i * d + k] - c * w[k]) ** 2;
    perpNorm[i] = Math.sqrt(q2);
  }
}

/**
 * dist²(W, w*) = ‖W‖²_F + ‖w*‖² − 2‖Wᵀw*‖ (WA eq. 13), evaluated without cancellation as
 * Σₖ‖wₖ⊥‖² + (‖Wᵀw*‖/‖w*‖ − ‖w*‖)² (the same quantity: ‖W‖² = Σₖ(⟨wₖ,w*⟩²/‖w*‖² + ‖wₖ⊥‖²)),
 * so it follows the linear phase down to ~1e-30 instead of stopping at rounding level 1e-16.
 * Note: this is min over ‖q‖ = 1; it equals WA's eq. (4) (min over ‖q‖ ≤ 1) only when
 * ‖Wᵀw*‖ ≥ ‖w*‖², i.e. not at small initialization.
 */
export const waDist: Metric = {
  name: "wa_dist",
  description: "WA dist²(W, w*) = ‖W‖²_F + ‖w*‖² − 2‖Wᵀw*‖ (eq. 13)",
  applies: waSetting,
  create: (ctx) => {
    const { w, ww } = teacherVector(ctx);
    const { m, d } = ctx;
    const par = new Float64Array(m);
    const perp = new Float64Array(m);
    return {
      columns: ["wa_dist"],
      observe: (p, out) => {
        parallelParts(p.theta, m, d, w, ww, par, perp);
        let perp2 = 0;
        let wtw = 0;
        for (let i = 0; i < m; i++) {
          perp2 += perp[i] * perp[i];
          wtw += par[i] * par[i];
        }
        const gap = Math.sqrt(wtw / ww) - Math.sqrt(ww);
        out.push(perp2 + gap * gap);
      },
    };
  },
};

/**
 * ‖E‖²_F with E = (I − qqᵀ)·W·(I − w*w*ᵀ/‖w*‖²) in our m×d layout (row i is neuron wᵢ) and
 * q = Ww* ÷ ‖Ww*‖ (WA's q of eq. 4, the minimiser in eq. 13): the part of W whose rows are
 * perpendicular to w* and whose columns are perpendicular to q. Writing W = q(cw̄ + b)ᵀ + E
 * with w̄ = w* ÷ ‖w*‖ and b ⊥ w̄ gives WᵀW = (cw̄ + b)(cw̄ + b)ᵀ + EᵀE, because qᵀE = 0: E enters
 * the model's output Σₖ(wₖᵀx)² = xᵀWᵀWx only through EᵀE, so the objective is of order ‖E‖⁴
 * where the rank-one part has converged, and its gradient on E is cubic in E. For K = 1, E = 0.
 * E is formed entry by entry (R = W(I − P) explicitly, then R − q(qᵀR)) rather than as
 * ‖R‖² − ‖qᵀR‖², which would cancel and lose ‖E‖² below ~1e-16·‖W‖².
 */
export const waPerpPart: Metric = {
  name: "wa_perp_part",
  description:
    "WA: ‖E‖²_F, the part of W perpendicular to w* (rows) and to q = Ww* ÷ ‖Ww*‖ (columns)",
  applies: waSetting,
  create: (ctx) => {
    const { m, d } = ctx;
    const { w, ww } = teacherVector(ctx);
    const R = new Float64Array(m * d);
    const q = new Float64Array(m);
    const qR = new Float64Array(d);
    return {
      columns: ["wa_perp_part_sq"],
      observe: (p, out) => {
        const th = p.theta;
        let qn = 0;
        for (let i = 0; i < m; i++) {
          let s = 0;
          for (let k = 0; k < d; k++) s += th[i * d + k] * w[k];
          q[i] = s;
          qn += s * s;
          for (let k = 0; k < d; k++) R[i * d + k] = th[i * d + k] - (s / ww) * w[k];
        }
        qn = Math.sqrt(qn);
        if (!(qn > 0)) {
          out.push(Number.NaN); // q undefined: W has no component along w*
          return;
        }
        for (let i = 0; i < m; i++) q[i] /= qn;
        qR.fill(0);
        for (let i = 0; i < m; i++) for (let k = 0; k < d; k++) qR[k] += q[i] * R[i * d + k];
        let e2 = 0;
        for (let i = 0; i < m; i++)
          for (let k = 0; k < d; k++) e2 += (R[i * d + k] - q[i] * qR[k]) ** 2;
        out.push(e2);
      },
    };
  },
};

/** Direction vec(w*qᵀ − W) with q = Wᵀw* ÷ ‖Wᵀw*‖, row i = qᵢw* − wᵢ. */
function towardsOptimum(
  theta: Float64Array,
  m: number,
  d: number,
  w: Float64Array,
  dir: Float64Array,
): void {
  let qn = 0;
  const q = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += theta[i * d + k] * w[k];
    q[i] = s;
    qn += s * s;
  }
  qn = Math.sqrt(qn);
  for (let i = 0; i < m; i++)
    for (let k = 0; k < d; k++) dir[i * d + k] = (qn > 0 ? q[i] / qn : 0) * w[k] - theta[i * d + k];
}

function hessianForm(ctx: RunContext) {
  const { w } = teacherVector(ctx);
  const { m, d } = ctx;
  const objective = ctx.trainObjective;
  const dir = new Float64Array(objective.dim);
  const hv = new Float64Array(objective.dim);
  return (theta: Float64Array): number => {
    towardsOptimum(theta, m, d, w, dir);
    objective.hessianVector(theta, dir, hv);
    let s = 0;
    for (let k = 0; k < dir.length; k++) s += dir[k] * hv[k];
    return s;
  };
}

export const waHessianForm: Metric = {
  name: "wa_hessian_form",
  description: "WA eq. (9): vec(w*qᵀ − W)ᵀ ∇²f(W) vec(w*qᵀ − W) of the training objective",
  applies: waSetting,
  create: (ctx) => {
    const form = hessianForm(ctx);
    return { columns: ["wa_hessian_form"], observe: (p, out) => void out.push(form(p.theta)) };
  },
};

/** WA Fig. 8: the first step at which eq. (9) is positive; checked after every step until it is. */
export const waHessianPositiveStep: Metric = {
  name: "wa_hessian_positive_step",
  description:
    "WA Fig. 8: first step at which the Hessian form (9) turns positive (manifest summary)",
  applies: waSetting,
  create: (ctx) => {
    const form = hessianForm(ctx);
    let first: number | null = null;
    return {
      columns: [],
      observe: () => {},
      everyStep: (p) => {
        if (first === null && form(p.theta) > 0) first = p.step;
      },
      summary: () => ({ wa_hessian_positive_step: first }),
    };
  },
};

export const waNeurons: Metric = {
  name: "wa_neurons",
  description: "WA Figs. 2, 5: ⟨wₖ,w*⟩, ‖wₖ⊥‖, ‖wₖ‖² per neuron, their l2 aggregates and ‖W‖²_F",
  applies: waSetting,
  create: (ctx) => {
    const { m, d } = ctx;
    const { w, ww } = teacherVector(ctx);
    const par = new Float64Array(m);
    const perp = new Float64Array(m);
    return {
      columns: [
        ...indexed("wa_parallel", m),
        ...indexed("wa_perp_norm", m),
        ...indexed("wa_norm_sq", m),
        "wa_parallel_l2",
        "wa_perp_l2",
        "wa_frobenius_sq",
      ],
      observe: (p, out) => {
        parallelParts(p.theta, m, d, w, ww, par, perp);
        let pl = 0;
        let ql = 0;
        let fro = 0;
        for (let i = 0; i < m; i++) out.push(par[i]);
        for (let i = 0; i < m; i++) out.push(perp[i]);
        for (let i = 0; i < m; i++) {
          const n2 = (par[i] * par[i]) / ww + perp[i] * perp[i];
          out.push(n2);
          pl += par[i] * par[i];
          ql += perp[i] * perp[i];
          fro += n2;
        }
        out.push(Math.sqrt(pl), Math.sqrt(ql), fro);
      },
    };
  },
};

/**
 * WA eq. (8): the population-GD update of each neuron split into its own part (A: parallel,
 * C: perpendicular) and the interaction with the other neurons (B, D):
 *   A = wₖ∥(1 + 3η(‖w*‖² − ‖wₖ‖²)),  B = 2ηΣ_{j≠k}⟨wⱼ,wₖ⟩wⱼ∥ + ηwₖ∥Σ_{j≠k}‖wⱼ‖²,
 *   C = ‖wₖ⊥(1 + η(‖w*‖² − 3‖wₖ‖²))‖,  D = ‖2ηΣ_{j≠k}⟨wⱼ,wₖ⟩wⱼ⊥ + ηwₖ⊥Σ_{j≠k}‖wⱼ‖²‖,
 * with w∥ = ⟨w, w*⟩ and w⊥ the component orthogonal to w*. Ratios |B|/|A| and D/C (Fig. 4).
 */
export const waComponents: Metric = {
  name: "wa_components",
  description:
    "WA eq. (8) components A, B, C, D per neuron and ratios |B|/|A|, ‖D‖/‖C‖ (Figs. 3, 4)",
  applies: (spec) =>
    waSetting(spec) ??
    (spec.optimizer.kind === "flow" ? "needs a step size η (optimizer is flow)" : null),
  create: (ctx) => {
    const { m, d } = ctx;
    const eta = ctx.learningRate!;
    const { w, ww } = teacherVector(ctx);
    const par = new Float64Array(m);
    const perpVec = new Float64Array(m * d);
    const norms2 = new Float64Array(m);
    const G = new Float64Array(m * m);
    const acc = new Float64Array(d);
    return {
      columns: [
        ...indexed("wa_A", m),
        ...indexed("wa_B", m),
        ...indexed("wa_C", m),
        ...indexed("wa_D", m),
        ...indexed("wa_B_over_A", m),
        ...indexed("wa_D_over_C", m),
      ],
      observe: (p, out) => {
        const th = p.theta;
        for (let i = 0; i < m; i++) {
          let s = 0;
          for (let k = 0; k < d; k++) s += th[i * d + k] * w[k];
          par[i] = s;
          for (let k = 0; k < d; k++) perpVec[i * d + k] = th[i * d + k] - (s / ww) * w[k];
          for (let j = 0; j < m; j++) {
            let g = 0;
            for (let k = 0; k < d; k++) g += th[i * d + k] * th[j * d + k];
            G[i * m + j] = g;
          }
          norms2[i] = G[i * m + i];
        }
        const A = new Float64Array(m);
        const B = new Float64Array(m);
        const C = new Float64Array(m);
        const D = new Float64Array(m);
        for (let i = 0; i < m; i++) {
          let others = 0;
          let bsum = 0;
          acc.fill(0);
          for (let j = 0; j < m; j++) {
            if (j === i) continue;
            others += norms2[j];
            bsum += G[i * m + j] * par[j];
            for (let k = 0; k < d; k++) acc[k] += 2 * eta * G[i * m + j] * perpVec[j * d + k];
          }
          A[i] = par[i] * (1 + 3 * eta * (ww - norms2[i]));
          B[i] = 2 * eta * bsum + eta * par[i] * others;
          let c2 = 0;
          let d2 = 0;
          const cf = 1 + eta * (ww - 3 * norms2[i]);
          for (let k = 0; k < d; k++) {
            c2 += (perpVec[i * d + k] * cf) ** 2;
            d2 += (acc[k] + eta * perpVec[i * d + k] * others) ** 2;
          }
          C[i] = Math.sqrt(c2);
          D[i] = Math.sqrt(d2);
        }
        out.push(...A, ...B, ...C, ...D);
        for (let i = 0; i < m; i++) out.push(Math.abs(B[i]) / Math.abs(A[i]));
        for (let i = 0; i < m; i++) out.push(D[i] / C[i]);
      },
    };
  },
};
