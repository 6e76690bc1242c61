import type { PairKernel } from "../../activations/types.js";
import type { Teacher } from "../../model/teacher.js";
import type { NeuronLoss } from "../types.js";

/**
 * Population loss from a pair kernel written in order parameters, K(a, b, c) with a = ‖u‖²,
 * b = ‖v‖², c = uᵀv (docs/model.md §4.3; the organisation of MLPGradientFlow.jl):
 *   L = c₀·[Σᵢⱼ aᵢaⱼK(Qᵢᵢ, Qⱼⱼ, Qᵢⱼ) − 2Σᵢₙ aᵢbₙK(Qᵢᵢ, Tₙₙ, Rᵢₙ) + Σₙₖ bₙbₖK(Tₙₙ, Tₖₖ, Tₙₖ)].
 * Each unordered pair term w·K(u, v) contributes ∇ᵤ = w(2K_a u + K_c v), ∇ᵥ = w(2K_b v + K_c u);
 * a diagonal term K(u, u) gets both contributions on the same row, which is its exact gradient
 * 2(K_a + K_b + K_c)u. Used for erf and for the Gauss–Hermite fallback of any activation.
 */
export class KernelPopulationLoss implements NeuronLoss {
  readonly m: number;
  readonly d: number;
  private readonly p = new Float64Array(10);
  private readonly teacherConstant: number;
  private readonly vNormSq: Float64Array;

  constructor(
    private readonly teacher: Teacher,
    m: number,
    private readonly scale: number,
    private readonly kernel: PairKernel,
  ) {
    this.m = m;
    this.d = teacher.d;
    const { V, b, r, d } = teacher;
    this.vNormSq = new Float64Array(r);
    for (let n = 0; n < r; n++) this.vNormSq[n] = dotRows(V, n * d, V, n * d, d);
    let t = 0;
    for (let n = 0; n < r; n++) {
      for (let k = 0; k < r; k++) {
        t +=
          b[n] *
          b[k] *
          kernel.value(this.vNormSq[n], this.vNormSq[k], dotRows(V, n * d, V, k * d, d));
      }
    }
    this.teacherConstant = t;
  }

  evaluate(
    U: Float64Array,
    A: Float64Array,
    gU: Float64Array | null,
    gA: Float64Array | null,
  ): number {
    const { m, d, teacher, kernel, p, scale } = this;
    const { V, b, r } = teacher;
    if (gU) gU.fill(0);
    if (gA) gA.fill(0);
    let total = this.teacherConstant;
    for (let i = 0; i < m; i++) {
      const io = i * d;
      const a = dotRows(U, io, U, io, d);
      for (let j = i; j < m; j++) {
        const jo = j * d;
        const bb = dotRows(U, jo, U, jo, d);
        const c = dotRows(U, io, U, jo, d);
        const mult = i === j ? 1 : 2;
        const w = mult * A[i] * A[j];
        if (gU) {
          kernel.partials(a, bb, c, p);
          total += w * p[0];
          addScaled(gU, io, scale * w * 2 * p[1], U, io, scale * w * p[3], U, jo, d);
          addScaled(gU, jo, scale * w * 2 * p[2], U, jo, scale * w * p[3], U, io, d);
        } else {
          p[0] = kernel.value(a, bb, c);
          total += w * p[0];
        }
        if (gA) {
          gA[i] += scale * mult * A[j] * p[0];
          gA[j] += scale * mult * A[i] * p[0];
        }
      }
      for (let n = 0; n < r; n++) {
        const no = n * d;
        const c = dotRows(U, io, V, no, d);
        const w = -2 * A[i] * b[n];
        if (gU) {
          kernel.partials(a, this.vNormSq[n], c, p);
          addScaled(gU, io, scale * w * 2 * p[1], U, io, scale * w * p[3], V, no, d);
        } else {
          p[0] = kernel.value(a, this.vNormSq[n], c);
        }
        total += w * p[0];
        if (gA) gA[i] -= scale * 2 * b[n] * p[0];
      }
    }
    return scale * total;
  }

  hessianVector(
    U: Float64Array,
    A: Float64Array,
    dU: Float64Array,
    dA: Float64Array,
    hU: Float64Array,
    hA: Float64Array,
  ): void {
    const { m, d, teacher, kernel, p, scale } = this;
    const { V, b, r } = teacher;
    hU.fill(0);
    hA.fill(0);
    for (let i = 0; i < m; i++) {
      const io = i * d;
      const a = dotRows(U, io, U, io, d);
      const da = 2 * dotRows(U, io, dU, io, d);
      for (let j = i; j < m; j++) {
        const jo = j * d;
        const bb = dotRows(U, jo, U, jo, d);
        const c = dotRows(U, io, U, jo, d);
        const db = 2 * dotRows(U, jo, dU, jo, d);
        const dc = dotRows(U, io, dU, jo, d) + dotRows(dU, io, U, jo, d);
        kernel.partials(a, bb, c, p);
        const mult = i === j ? 1 : 2;
        const w = scale * mult * A[i] * A[j];
        const dw = scale * mult * (dA[i] * A[j] + A[i] * dA[j]);
        const dKa = p[4] * da + p[7] * db + p[8] * dc;
        const dKb = p[7] * da + p[5] * db + p[9] * dc;
        const dKc = p[8] * da + p[9] * db + p[6] * dc;
        // δ[w(2K_a u + K_c v)] with u = row i, v = row j
        pairTangent(hU, io, w, dw, p[1], p[3], dKa, dKc, U, io, U, jo, dU, io, dU, jo, d);
        pairTangent(hU, jo, w, dw, p[2], p[3], dKb, dKc, U, jo, U, io, dU, jo, dU, io, d);
        const dK = p[1] * da + p[2] * db + p[3] * dc;
        // For i = j both lines hit row i, giving δ(2aᵢK) as required.
        hA[i] += scale * mult * (dA[j] * p[0] + A[j] * dK);
        hA[j] += scale * mult * (dA[i] * p[0] + A[i] * dK);
      }
      for (let n = 0; n < r; n++) {
        const no = n * d;
        const c = dotRows(U, io, V, no, d);
        const dc = dotRows(dU, io, V, no, d);
        kernel.partials(a, this.vNormSq[n], c, p);
        const w = -2 * scale * A[i] * b[n];
        const dw = -2 * scale * dA[i] * b[n];
        const dKa = p[4] * da + p[8] * dc;
        const dKc = p[8] * da + p[6] * dc;
        for (let k = 0; k < d; k++) {
          hU[io + k] +=
            w * (2 * dKa * U[io + k] + 2 * p[1] * dU[io + k] + dKc * V[no + k]) +
            dw * (2 * p[1] * U[io + k] + p[3] * V[no + k]);
        }
        hA[i] -= 2 * scale * b[n] * (p[1] * da + p[3] * dc);
      }
    }
  }
}

/** h[ho..] += w·(2δK_a u + 2K_a du + δK_c v + K_c dv) + dw·(2K_a u + K_c v). */
function pairTangent(
  h: Float64Array,
  ho: number,
  w: number,
  dw: number,
  Ka: number,
  Kc: number,
  dKa: number,
  dKc: number,
  U: Float64Array,
  uo: number,
  Vv: Float64Array,
  vo: number,
  dU: Float64Array,
  duo: number,
  dV: Float64Array,
  dvo: number,
  d: number,
): void {
  for (let k = 0; k < d; k++) {
    h[ho + k] +=
      w * (2 * dKa * U[uo + k] + 2 * Ka * dU[duo + k] + dKc * Vv[vo + k] + Kc * dV[dvo + k]) +
      dw * (2 * Ka * U[uo + k] + Kc * Vv[vo + k]);
  }
}

function dotRows(X: Float64Array, xo: number, Y: Float64Array, yo: number, d: number): number {
  let s = 0;
  for (let k = 0; k < d; k++) s += X[xo + k] * Y[yo + k];
  return s;
}

function addScaled(
  g: Float64Array,
  go: number,
  alpha: number,
  X: Float64Array,
  xo: number,
  beta: number,
  Y: Float64Array,
  yo: number,
  d: number,
): void {
  for (let k = 0; k < d; k++) g[go + k] += alpha * X[xo + k] + beta * Y[yo + k];
}
