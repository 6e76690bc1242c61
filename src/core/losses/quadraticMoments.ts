import { createEngine, type Engine } from "../engine.js";
import type { Teacher } from "../model/teacher.js";
import { type KernelInstance, layout } from "../wasm/kernels.js";
import type { Sample } from "./empirical.js";
import type { NeuronLoss } from "./types.js";

/**
 * The empirical loss of a quadratic-activation network through the sample's moments, so a step
 * costs O(p² + m·d²) with p = d(d+1)/2, independent of the sample size N (issue 4; WA's setting
 * d = 10, N = 200 needs 3 025 + 1 000 multiply-adds instead of ~40 000).
 *
 * With f(x) = Σᵢ aᵢ(uᵢᵀx)² = xᵀMx, M = Σᵢ aᵢuᵢuᵢᵀ, and a reference M* (the quadratic teacher
 * Σₙ bₙvₙvₙᵀ, or 0), each residual is eₖ = xₖᵀΔxₖ + εₖ with Δ = M − M* and εₖ = xₖᵀM*xₖ − yₖ
 * (label noise or rounding; exactly what the sample-loop loss sees). Writing xᵀΔx = ⟨δ, φ(x)⟩
 * with φ(x) = (x_a x_b)_{a≤b} and δ the packed Δ with off-diagonal entries doubled:
 *   L = s·[δᵀPδ + 2Bᵀδ + Σεₖ²],  P = Σₖ φₖφₖᵀ,  B = Σₖ εₖφₖ,  s = c/N (mean) or c (sum).
 * Near a teacher-matching optimum Δ and ε are small, so the loss keeps its relative precision
 * (no O(1) terms cancel), as the sample loop does.
 *   ∂L/∂M = G with G_ab = 2s·(Pδ + B)_ab,  ∂L/∂uᵢ = 2aᵢGuᵢ,  ∂L/∂aᵢ = uᵢᵀGuᵢ.
 * Only for a fixed sample (full-batch GD/flow); SGD and online batches use EmpiricalLoss.
 */
export class QuadraticMomentLoss implements NeuronLoss {
  readonly d: number;
  private readonly p: number;
  /** P (p×p, row-major). */
  private readonly P: Float64Array;
  private readonly B: Float64Array;
  private readonly epsSq: number;
  private readonly Mstar: Float64Array;
  private readonly factor: number;
  // scratch
  private readonly delta: Float64Array;
  private readonly Pd: Float64Array;
  private readonly G: Float64Array;
  private readonly Gu: Float64Array;
  private readonly kernel: KernelInstance | null;
  private readonly kernelArrays: Record<"U" | "A" | "gU" | "gA", Float64Array> | null = null;
  /** Byte offsets of P, δ, Pδ, B, packed M*, G, Gu, U, A, gU, gA in the kernel's memory. */
  private readonly kernelOffsets: number[] = [];

  constructor(
    readonly m: number,
    sample: Sample,
    teacher: Teacher | null,
    scale: number,
    reduction: "mean" | "sum",
    engine: Engine = createEngine(),
  ) {
    const d = sample.d;
    this.d = d;
    const p = (d * (d + 1)) / 2;
    this.p = p;
    this.factor = reduction === "mean" ? scale / sample.n : scale;
    const Mstar = new Float64Array(d * d);
    if (teacher) {
      for (let n = 0; n < teacher.r; n++) {
        const vo = n * d;
        for (let a = 0; a < d; a++)
          for (let b = 0; b < d; b++)
            Mstar[a * d + b] += teacher.b[n] * teacher.V[vo + a] * teacher.V[vo + b];
      }
    }
    this.Mstar = Mstar;
    const P = new Float64Array(p * p);
    const B = new Float64Array(p);
    const phi = new Float64Array(p);
    let epsSq = 0;
    const { X, y, n } = sample;
    for (let k = 0; k < n; k++) {
      const xo = k * d;
      let idx = 0;
      let quad = 0;
      for (let a = 0; a < d; a++) {
        for (let b = a; b < d; b++) {
          phi[idx++] = X[xo + a] * X[xo + b];
          quad += (a === b ? 1 : 2) * Mstar[a * d + b] * X[xo + a] * X[xo + b];
        }
      }
      const eps = quad - y[k];
      epsSq += eps * eps;
      for (let i = 0; i < p; i++) {
        B[i] += eps * phi[i];
        const pi = phi[i];
        const row = i * p;
        for (let j = i; j < p; j++) P[row + j] += pi * phi[j];
      }
    }
    for (let i = 0; i < p; i++) for (let j = 0; j < i; j++) P[i * p + j] = P[j * p + i];
    this.B = B;
    this.epsSq = epsSq;
    // P, δ and Pδ live in a WebAssembly kernel's memory when SIMD is available (issue 4: the
    // p×p mat-vec is most of a step; 3.0 → 0.7 µs for p = 55), else in ordinary arrays.
    const sizes = [p * p, p, p, p, p, d * d, d, m * d, m, m * d, m];
    const { offsets, total } = layout(sizes);
    this.kernel = engine.wasmInstance(total);
    if (this.kernel) {
      const { f64 } = this.kernel;
      const view = (k: number) => f64.subarray(offsets[k], offsets[k] + sizes[k]);
      this.P = view(0);
      this.P.set(P);
      this.delta = view(1);
      this.Pd = view(2);
      view(3).set(B);
      const packed = view(4);
      let idx = 0;
      for (let a = 0; a < d; a++) for (let b = a; b < d; b++) packed[idx++] = Mstar[a * d + b];
      this.kernelArrays = { U: view(7), A: view(8), gU: view(9), gA: view(10) };
      this.kernelOffsets = offsets.map((o) => o * 8);
    } else {
      this.P = P;
      this.delta = new Float64Array(p);
      this.Pd = new Float64Array(p);
    }
    this.G = new Float64Array(d * d);
    this.Gu = new Float64Array(d);
  }

  /** δ = packed (M − M*) with off-diagonals doubled, M = Σ aᵢuᵢuᵢᵀ (or its directional change). */
  private pack(
    U: Float64Array,
    A: Float64Array,
    dU: Float64Array | null,
    dA: Float64Array | null,
    subtractTeacher: boolean,
  ): void {
    const { m, d, delta, Mstar } = this;
    // accumulate neuron by neuron (rank-one updates of the packed upper triangle)
    if (subtractTeacher) {
      let idx = 0;
      for (let a = 0; a < d; a++) for (let b = a; b < d; b++) delta[idx++] = -Mstar[a * d + b];
    } else delta.fill(0);
    for (let i = 0; i < m; i++) {
      const io = i * d;
      const ai = A[i];
      let idx = 0;
      if (dU && dA) {
        const dai = dA[i];
        for (let a = 0; a < d; a++) {
          const ua = U[io + a];
          const dua = dU[io + a];
          for (let b = a; b < d; b++) {
            delta[idx++] += dai * ua * U[io + b] + ai * (dua * U[io + b] + ua * dU[io + b]);
          }
        }
      } else {
        for (let a = 0; a < d; a++) {
          const ua = ai * U[io + a];
          for (let b = a; b < d; b++) delta[idx++] += ua * U[io + b];
        }
      }
    }
    // off-diagonal entries appear twice in xᵀΔx
    let idx = 0;
    for (let a = 0; a < d; a++) {
      idx++;
      for (let b = a + 1; b < d; b++) delta[idx++] *= 2;
    }
  }

  /** Pd = P·delta (+ B when withB). */
  private applyP(withB: boolean): void {
    const { p, P, delta, Pd, B, kernel } = this;
    if (kernel) {
      kernel.exports.matVec(p, P.byteOffset, delta.byteOffset, Pd.byteOffset);
      if (withB) for (let i = 0; i < p; i++) Pd[i] += B[i];
      return;
    }
    // four independent accumulators: a single running sum is bound by the add latency, not by
    // arithmetic (p = 55: 5.5 µs → 3.4 µs per product on the development machine)
    const p4 = p - (p % 4);
    for (let i = 0; i < p; i++) {
      const row = i * p;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let j = 0;
      for (; j < p4; j += 4) {
        s0 += P[row + j] * delta[j];
        s1 += P[row + j + 1] * delta[j + 1];
        s2 += P[row + j + 2] * delta[j + 2];
        s3 += P[row + j + 3] * delta[j + 3];
      }
      for (; j < p; j++) s0 += P[row + j] * delta[j];
      Pd[i] = (withB ? B[i] : 0) + (s0 + s1 + (s2 + s3));
    }
  }

  /** G (d×d symmetric) = 2s·unpack(Pd). */
  private unpackG(target: Float64Array): void {
    const { d, Pd } = this;
    const s2 = 2 * this.factor;
    let idx = 0;
    for (let a = 0; a < d; a++) {
      for (let b = a; b < d; b++) {
        const g = s2 * Pd[idx++];
        target[a * d + b] = g;
        target[b * d + a] = g;
      }
    }
  }

  evaluate(
    U: Float64Array,
    A: Float64Array,
    gU: Float64Array | null,
    gA: Float64Array | null,
  ): number {
    const { m, d, p, delta, Pd, G, Gu, B, kernel, kernelArrays: io } = this;
    if (kernel && io) {
      // the whole evaluation in one WebAssembly call (assembly/kernels.ts, same formulas)
      io.U.set(U.length === m * d ? U : U.subarray(0, m * d));
      io.A.set(A.length === m ? A : A.subarray(0, m));
      const [oP, oDelta, oPd, oB, oMstar, oG, oGu, oU, oA, oGU, oGA] = this.kernelOffsets;
      const loss = kernel.exports.quadraticMomentEvaluate(
        m,
        d,
        oU,
        oA,
        oMstar,
        oP,
        oB,
        oDelta,
        oPd,
        oG,
        oGu,
        oGU,
        oGA,
        gU ? 1 : 0,
        gA ? 1 : 0,
        this.factor,
        this.epsSq,
      );
      if (gU) gU.set(io.gU);
      if (gA) gA.set(io.gA);
      return loss;
    }
    this.pack(U, A, null, null, true);
    this.applyP(false);
    let quad = 0;
    let lin = 0;
    for (let i = 0; i < p; i++) {
      quad += delta[i] * Pd[i];
      lin += B[i] * delta[i];
    }
    const loss = this.factor * (quad + 2 * lin + this.epsSq);
    if (gU || gA) {
      for (let i = 0; i < p; i++) Pd[i] += B[i];
      this.unpackG(G);
      for (let i = 0; i < m; i++) {
        const io = i * d;
        // Guᵢ column by column: d independent sums instead of one dependent chain per row
        for (let a = 0; a < d; a++) Gu[a] = 0;
        for (let b = 0; b < d; b++) {
          const ub = U[io + b];
          const gb = b * d; // G is symmetric: row b = column b
          for (let a = 0; a < d; a++) Gu[a] += G[gb + a] * ub;
        }
        let uGu = 0;
        for (let a = 0; a < d; a++) uGu += U[io + a] * Gu[a];
        if (gU) for (let a = 0; a < d; a++) gU[io + a] = 2 * A[i] * Gu[a];
        if (gA) gA[i] = uGu;
      }
    }
    // the quadratic form can round to a tiny negative value at an exact optimum (NaN stays NaN)
    return loss < 0 ? 0 : loss;
  }

  /**
   * δ∇ᵤᵢ = 2δaᵢGuᵢ + 2aᵢ(δG)uᵢ + 2aᵢGδuᵢ,  δ∂ₐᵢ = 2uᵢᵀGδuᵢ + uᵢᵀ(δG)uᵢ,
   * with δG = 2s·unpack(P·δM) and δM = Σ δaᵢuᵢuᵢᵀ + aᵢ(δuᵢuᵢᵀ + uᵢδuᵢᵀ).
   */
  hessianVector(
    U: Float64Array,
    A: Float64Array,
    dU: Float64Array,
    dA: Float64Array,
    hU: Float64Array,
    hA: Float64Array,
  ): void {
    const { m, d } = this;
    const G = new Float64Array(d * d);
    const dG = new Float64Array(d * d);
    this.pack(U, A, null, null, true);
    this.applyP(true);
    this.unpackG(G);
    this.pack(U, A, dU, dA, false);
    this.applyP(false);
    this.unpackG(dG);
    for (let i = 0; i < m; i++) {
      const io = i * d;
      let a1 = 0;
      let a2 = 0;
      for (let a = 0; a < d; a++) {
        let gu = 0;
        let dgu = 0;
        let gdu = 0;
        for (let b = 0; b < d; b++) {
          gu += G[a * d + b] * U[io + b];
          dgu += dG[a * d + b] * U[io + b];
          gdu += G[a * d + b] * dU[io + b];
        }
        hU[io + a] = 2 * dA[i] * gu + 2 * A[i] * dgu + 2 * A[i] * gdu;
        a1 += U[io + a] * gdu;
        a2 += U[io + a] * dgu;
      }
      hA[i] = 2 * a1 + a2;
    }
  }
}
