import type { Teacher } from "../../model/teacher.js";
import type { NeuronLoss } from "../types.js";

/**
 * Population loss for σ(z) = z². With M = Σᵢ aᵢuᵢuᵢᵀ − Σₙ bₙvₙvₙᵀ (d×d) the network error is
 * f(x) − f*(x) = xᵀMx, and for x ~ N(0, I) E[(xᵀMx)²] = (tr M)² + 2‖M‖²_F, so
 *   L = c·((tr M)² + 2‖M‖²_F),   ∇ᵤᵢL = c·aᵢ(4 tr M·uᵢ + 8 M uᵢ),
 *   ∂L/∂aᵢ = c(2 tr M‖uᵢ‖² + 4uᵢᵀMuᵢ).
 * With c = ¼ and aᵢ = 1 this is WA's F(W) and its gradient eq. (6). M is formed explicitly, so
 * the loss is computed from the residual matrix itself and does not cancel near the optimum.
 */
export class QuadraticPopulationLoss implements NeuronLoss {
  readonly m: number;
  readonly d: number;
  private readonly M: Float64Array;
  private readonly dM: Float64Array;
  private readonly Mu: Float64Array;
  private readonly teacherPart: Float64Array;

  constructor(
    teacher: Teacher,
    m: number,
    private readonly scale: number,
  ) {
    this.m = m;
    const d = teacher.d;
    this.d = d;
    this.M = new Float64Array(d * d);
    this.dM = new Float64Array(d * d);
    this.Mu = new Float64Array(d);
    this.teacherPart = new Float64Array(d * d);
    for (let n = 0; n < teacher.r; n++) {
      addOuter(this.teacherPart, -teacher.b[n], teacher.V, n * d, teacher.V, n * d, d);
    }
  }

  private formM(U: Float64Array, A: Float64Array): number {
    const { M, d, m } = this;
    M.set(this.teacherPart);
    for (let i = 0; i < m; i++) addOuter(M, A[i], U, i * d, U, i * d, d);
    let tr = 0;
    for (let k = 0; k < d; k++) tr += M[k * d + k];
    return tr;
  }

  evaluate(
    U: Float64Array,
    A: Float64Array,
    gU: Float64Array | null,
    gA: Float64Array | null,
  ): number {
    const { M, d, m, scale, Mu } = this;
    const tr = this.formM(U, A);
    let fro = 0;
    for (let k = 0; k < d * d; k++) fro += M[k] * M[k];
    if (gU || gA) {
      for (let i = 0; i < m; i++) {
        const io = i * d;
        matVec(M, U, io, Mu, d);
        if (gU)
          for (let k = 0; k < d; k++) gU[io + k] = scale * A[i] * (4 * tr * U[io + k] + 8 * Mu[k]);
        if (gA) {
          let uu = 0;
          let uMu = 0;
          for (let k = 0; k < d; k++) {
            uu += U[io + k] * U[io + k];
            uMu += U[io + k] * Mu[k];
          }
          gA[i] = scale * (2 * tr * uu + 4 * uMu);
        }
      }
    }
    return scale * (tr * tr + 2 * fro);
  }

  hessianVector(
    U: Float64Array,
    A: Float64Array,
    dU: Float64Array,
    dA: Float64Array,
    hU: Float64Array,
    hA: Float64Array,
  ): void {
    const { M, dM, d, m, scale, Mu } = this;
    const tr = this.formM(U, A);
    dM.fill(0);
    for (let i = 0; i < m; i++) {
      addOuter(dM, A[i], dU, i * d, U, i * d, d);
      addOuter(dM, A[i], U, i * d, dU, i * d, d);
      addOuter(dM, dA[i], U, i * d, U, i * d, d);
    }
    let dTr = 0;
    for (let k = 0; k < d; k++) dTr += dM[k * d + k];
    const dMu = new Float64Array(d);
    const Mdu = new Float64Array(d);
    for (let i = 0; i < m; i++) {
      const io = i * d;
      matVec(M, U, io, Mu, d);
      matVec(dM, U, io, dMu, d);
      matVec(M, dU, io, Mdu, d);
      let uu = 0;
      let uDu = 0;
      let duMu = 0;
      let udMu = 0;
      for (let k = 0; k < d; k++) {
        const g = 4 * tr * U[io + k] + 8 * Mu[k];
        const dg = 4 * dTr * U[io + k] + 4 * tr * dU[io + k] + 8 * dMu[k] + 8 * Mdu[k];
        hU[io + k] = scale * (dA[i] * g + A[i] * dg);
        uu += U[io + k] * U[io + k];
        uDu += U[io + k] * dU[io + k];
        duMu += dU[io + k] * Mu[k];
        udMu += U[io + k] * dMu[k];
      }
      hA[i] = scale * (2 * dTr * uu + 4 * tr * uDu + 8 * duMu + 4 * udMu);
    }
  }
}

/** M += α·x yᵀ for rows x = X[xo..], y = Y[yo..]. */
function addOuter(
  M: Float64Array,
  alpha: number,
  X: Float64Array,
  xo: number,
  Y: Float64Array,
  yo: number,
  d: number,
): void {
  if (alpha === 0) return;
  for (let p = 0; p < d; p++) {
    const f = alpha * X[xo + p];
    if (f === 0) continue;
    const po = p * d;
    for (let q = 0; q < d; q++) M[po + q] += f * Y[yo + q];
  }
}

function matVec(M: Float64Array, X: Float64Array, xo: number, out: Float64Array, d: number): void {
  for (let p = 0; p < d; p++) {
    let s = 0;
    const po = p * d;
    for (let q = 0; q < d; q++) s += M[po + q] * X[xo + q];
    out[p] = s;
  }
}
