import { createEngine, type Engine } from "../../engine.js";
import type { Teacher } from "../../model/teacher.js";
import { type KernelInstance, layout } from "../../wasm/kernels.js";
import type { NeuronLoss } from "../types.js";

/**
 * Population loss for activations whose pair kernel is κ(u, v) = α·uᵀv + β·ψ(u, v) with
 * ψ(u, v) = ‖u‖‖v‖·g(θ), g(θ) = sin θ − θ cos θ (ReLU, |·|, linear; see activations/types.ts).
 *
 * With ρ = Σᵢ aᵢuᵢ − Σₙ bₙvₙ the loss c·E[(f − f*)²] becomes
 *   L = c·[ α‖ρ‖² + 2β( Σ_{i<j} aᵢaⱼψᵢⱼ − Σᵢₙ aᵢbₙψᵢₙ + Σ_{n<k} bₙbₖψₙₖ ) ],
 * which for ReLU with c = ½, aᵢ = bₙ = 1 is exactly XD eq. (23). Every pair term is O(θ³) when
 * its two vectors align, so the loss keeps full relative precision far into convergence
 * instead of being the difference of O(1) kernel sums (docs/model.md §5).
 *
 * ∇ᵤψ(u, v) = ‖v‖ sin θ ū − θ v (XD eq. 4 is this with the ReLU constants).
 */
export class AngularPopulationLoss implements NeuronLoss {
  readonly m: number;
  readonly d: number;
  private readonly rho: Float64Array;
  private readonly dRho: Float64Array;
  private readonly uNorms: Float64Array;
  /**
   * Unit vectors, (m + r)×d: rows 0..m−1 the students ūᵢ (refreshed by each evaluate), rows
   * m..m+r−1 the teachers v̄ₙ (constant).
   */
  private readonly units: Float64Array;
  private readonly vNorms: Float64Array;
  /** Σ_{n<k} bₙbₖψ(vₙ, vₖ): constant, computed once. */
  private readonly teacherPairSum: number;
  private readonly pairOut = new Float64Array(4);
  /**
   * The WebAssembly SIMD version of evaluate (assembly/kernels.ts, same formulas, the gradient
   * as one small matrix product) with its memory layout, or null where it is unavailable. For
   * m = 8, r = 1, d = 9 the TypeScript loop below takes 3.0 µs per loss and gradient, the
   * kernel 0.75 µs per fused GD step (CPU time, 2026-11-30).
   */
  private readonly kernel: {
    instance: KernelInstance;
    U: Float64Array;
    A: Float64Array;
    gU: Float64Array;
    gA: Float64Array;
    at: number[]; // byte offsets of U, A, units, vNorms, b, V, uNorms, gU, gA, scratch
  } | null;

  constructor(
    private readonly teacher: Teacher,
    m: number,
    private readonly scale: number,
    private readonly alpha: number,
    private readonly beta: number,
    engine: Engine = createEngine(),
  ) {
    this.m = m;
    this.d = teacher.d;
    const { V, b, r, d } = teacher;
    this.rho = new Float64Array(d);
    this.dRho = new Float64Array(d);
    this.uNorms = new Float64Array(m);
    this.units = new Float64Array((m + r) * d);
    this.vNorms = new Float64Array(r);
    for (let n = 0; n < r; n++) this.vNorms[n] = unitRow(V, n * d, this.units, (m + n) * d, d);
    let teacherPairs = 0;
    for (let n = 0; n < r; n++)
      for (let k = n + 1; k < r; k++) {
        const norms = this.vNorms[n] * this.vNorms[k];
        if (norms !== 0)
          teacherPairs +=
            b[n] *
            b[k] *
            norms *
            unitPairG(this.units, (m + n) * d, this.units, (m + k) * d, d, null);
      }
    this.teacherPairSum = teacherPairs;
    this.kernel = this.createKernel(engine);
  }

  private createKernel(engine: Engine) {
    const { m, d, teacher } = this;
    const r = teacher.r;
    const { stride, scratch } = angularKernelLayout(m, r, d);
    const { offsets, total } = layout([
      m * d,
      m,
      (m + r + 1) * stride,
      r,
      r,
      r * d,
      m,
      m * d,
      m,
      scratch,
    ]);
    const instance = engine.wasmInstance(total);
    if (!instance) return null;
    const { f64 } = instance;
    const [oU, oA, oUnits, oVNorms, oB, oV, , oGU, oGA] = offsets;
    for (let n = 0; n < r; n++) {
      f64.set(this.units.subarray((m + n) * d, (m + n + 1) * d), oUnits + (m + n) * stride);
      // the kernel takes e₁ for the direction of a zero row (its terms vanish with its norm)
      if (this.vNorms[n] === 0) f64[oUnits + (m + n) * stride] = 1;
    }
    f64.set(this.vNorms, oVNorms);
    f64.set(teacher.b, oB);
    f64.set(teacher.V.subarray(0, r * d), oV);
    return {
      instance,
      U: f64.subarray(oU, oU + m * d),
      A: f64.subarray(oA, oA + m),
      gU: f64.subarray(oGU, oGU + m * d),
      gA: f64.subarray(oGA, oGA + m),
      at: offsets.map((o) => o * 8),
    };
  }

  /**
   * The inner loop of every ReLU/|·|/linear population run (issue 4): unit vectors once per
   * call, each pair's angle from ‖ū − v̄‖ and ‖ū + v̄‖ (docs/model.md §5) with sin θ from the same
   * half-angle quantities, g(θ) by a fixed polynomial, no allocation.
   */
  evaluate(
    U: Float64Array,
    A: Float64Array,
    gU: Float64Array | null,
    gA: Float64Array | null,
  ): number {
    const { m, d, rho, alpha, beta, scale, uNorms, units, vNorms, kernel } = this;
    if (kernel) {
      kernel.U.set(U.length === m * d ? U : U.subarray(0, m * d));
      kernel.A.set(A.length === m ? A : A.subarray(0, m));
      const [oU, oA, oUnits, oVNorms, oB, oV, oUNorms, oGU, oGA, oScratch] = kernel.at;
      const value = kernel.instance.exports.angularEvaluate(
        m,
        this.teacher.r,
        d,
        gU ? 1 : 0,
        gA ? 1 : 0,
        alpha,
        beta,
        scale,
        this.teacherPairSum,
        oU,
        oA,
        oUnits,
        oVNorms,
        oB,
        oV,
        oUNorms,
        oGU,
        oGA,
        oScratch,
      );
      if (gU) gU.set(kernel.gU);
      if (gA) gA.set(kernel.gA);
      return value;
    }
    const { V, b, r } = this.teacher;
    rho.fill(0);
    for (let i = 0; i < m; i++) {
      const ai = A[i];
      const io = i * d;
      for (let k = 0; k < d; k++) rho[k] += ai * U[io + k];
      uNorms[i] = unitRow(U, io, units, io, d);
    }
    for (let n = 0; n < r; n++) {
      const no = n * d;
      const bn = b[n];
      for (let k = 0; k < d; k++) rho[k] -= bn * V[no + k];
    }
    let rho2 = 0;
    for (let k = 0; k < d; k++) rho2 += rho[k] * rho[k];

    if (gA) {
      for (let i = 0; i < m; i++) {
        let s = 0;
        const io = i * d;
        for (let k = 0; k < d; k++) s += U[io + k] * rho[k];
        gA[i] = 2 * alpha * scale * s;
      }
    }
    if (gU) {
      // ∂(α‖ρ‖²)/∂uᵢ = 2α aᵢ ρ
      for (let i = 0; i < m; i++) {
        const fa = 2 * alpha * A[i] * scale;
        const io = i * d;
        for (let k = 0; k < d; k++) gU[io + k] = fa * rho[k];
      }
    }
    let pairSum = this.teacherPairSum;
    if (beta !== 0) {
      const f = 2 * beta * scale;
      const trig = this.pairOut;
      for (let i = 0; i < m; i++) {
        const ni = uNorms[i];
        if (ni === 0) continue;
        const io = i * d;
        for (let j = i + 1; j < m; j++) {
          const nj = uNorms[j];
          if (nj === 0) continue;
          const psi = ni * nj * unitPairG(units, io, units, j * d, d, trig);
          const aa = A[i] * A[j];
          pairSum += aa * psi;
          if (gU) {
            // ∇ᵤψ = ‖v‖(sin θ ū − θ v̄), ∇ᵥψ = ‖u‖(sin θ v̄ − θ ū)
            const theta = trig[0];
            const st = trig[1];
            const fi = f * aa * nj;
            const fj = f * aa * ni;
            const jo = j * d;
            for (let k = 0; k < d; k++) {
              const ui = units[io + k];
              const uj = units[jo + k];
              gU[io + k] += fi * (st * ui - theta * uj);
              gU[jo + k] += fj * (st * uj - theta * ui);
            }
          }
          if (gA) {
            gA[i] += f * A[j] * psi;
            gA[j] += f * A[i] * psi;
          }
        }
        for (let n = 0; n < r; n++) {
          const vn = vNorms[n];
          if (vn === 0) continue;
          const psi = ni * vn * unitPairG(units, io, units, (m + n) * d, d, trig);
          const ab = -A[i] * b[n];
          pairSum += ab * psi;
          if (gU) {
            const theta = trig[0];
            const st = trig[1];
            const fi = f * ab * vn;
            const vo = (m + n) * d;
            for (let k = 0; k < d; k++)
              gU[io + k] += fi * (st * units[io + k] - theta * units[vo + k]);
          }
          if (gA) gA[i] -= f * b[n] * psi;
        }
      }
    }
    return scale * (alpha * rho2 + 2 * beta * pairSum);
  }

  gradientDescent(
    U: Float64Array,
    A: Float64Array,
    eta: number,
    steps: number,
    stopAbove: number,
    stopAtOrBelow: number,
  ): number | null {
    const { m, d, kernel } = this;
    if (!kernel) return null;
    kernel.U.set(U.length === m * d ? U : U.subarray(0, m * d));
    kernel.A.set(A.length === m ? A : A.subarray(0, m));
    const [oU, oA, oUnits, oVNorms, oB, oV, oUNorms, oGU, , oScratch] = kernel.at;
    const done = kernel.instance.exports.angularGradientDescent(
      steps,
      eta,
      stopAbove,
      stopAtOrBelow,
      m,
      this.teacher.r,
      d,
      this.alpha,
      this.beta,
      this.scale,
      this.teacherPairSum,
      oU,
      oA,
      oUnits,
      oVNorms,
      oB,
      oV,
      oUNorms,
      oGU,
      oScratch,
    );
    U.set(kernel.U);
    return done;
  }

  hessianVector(
    U: Float64Array,
    A: Float64Array,
    dU: Float64Array,
    dA: Float64Array,
    hU: Float64Array,
    hA: Float64Array,
  ): void {
    const { m, d, teacher, rho, dRho, alpha, beta, scale, uNorms } = this;
    const { V, b, r } = teacher;
    rho.fill(0);
    dRho.fill(0);
    for (let i = 0; i < m; i++) {
      const io = i * d;
      let s = 0;
      for (let k = 0; k < d; k++) {
        rho[k] += A[i] * U[io + k];
        dRho[k] += A[i] * dU[io + k] + dA[i] * U[io + k];
        s += U[io + k] * U[io + k];
      }
      uNorms[i] = Math.sqrt(s);
    }
    for (let n = 0; n < r; n++) for (let k = 0; k < d; k++) rho[k] -= b[n] * V[n * d + k];
    // Quadratic part α‖ρ‖²: ∇ᵤᵢ = 2αaᵢρ, ∇aᵢ = 2α uᵢᵀρ.
    for (let i = 0; i < m; i++) {
      const io = i * d;
      let uDr = 0;
      let duR = 0;
      for (let k = 0; k < d; k++) {
        hU[io + k] = 2 * alpha * scale * (dA[i] * rho[k] + A[i] * dRho[k]);
        uDr += U[io + k] * dRho[k];
        duR += dU[io + k] * rho[k];
      }
      hA[i] = 2 * alpha * scale * (uDr + duR);
    }
    if (beta === 0) return;
    const out = this.pairOut;
    const f = 2 * beta * scale;
    for (let i = 0; i < m; i++) {
      for (let j = i + 1; j < m; j++) {
        // term f·aᵢaⱼψ(uᵢ, uⱼ)
        const psi = this.pairWithDerivatives(
          U,
          i * d,
          uNorms[i],
          U,
          j * d,
          uNorms[j],
          dU,
          i * d,
          dU,
          j * d,
          out,
        );
        const [gi_dot_du, gj_dot_du] = [out[0], out[1]]; // ∇ᵤψ·duᵢ and ∇ᵥψ·duⱼ
        const w = A[i] * A[j];
        const dw = dA[i] * A[j] + A[i] * dA[j];
        this.accumulatePairHvp(
          U,
          i * d,
          uNorms[i],
          U,
          j * d,
          uNorms[j],
          dU,
          i * d,
          dU,
          j * d,
          hU,
          i * d,
          f * w,
          f * dw,
          true,
          j * d,
        );
        const dpsi = gi_dot_du + gj_dot_du;
        hA[i] += f * (dA[j] * psi + A[j] * dpsi);
        hA[j] += f * (dA[i] * psi + A[i] * dpsi);
      }
      for (let n = 0; n < r; n++) {
        const vn = rowNorm(V, n * d, d);
        this.pairWithDerivatives(U, i * d, uNorms[i], V, n * d, vn, dU, i * d, null, 0, out);
        const w = -A[i] * b[n];
        const dw = -dA[i] * b[n];
        this.accumulatePairHvp(
          U,
          i * d,
          uNorms[i],
          V,
          n * d,
          vn,
          dU,
          i * d,
          null,
          0,
          hU,
          i * d,
          f * w,
          f * dw,
          false,
          0,
        );
        hA[i] -= f * b[n] * out[0];
      }
    }
  }

  /** ψ(u, v); out[0] = ∇ᵤψ·du, out[1] = ∇ᵥψ·dv (0 if dv is null). */
  private pairWithDerivatives(
    X: Float64Array,
    xo: number,
    nx: number,
    Y: Float64Array,
    yo: number,
    ny: number,
    dX: Float64Array,
    dxo: number,
    dY: Float64Array | null,
    dyo: number,
    out: Float64Array,
  ): number {
    out[0] = 0;
    out[1] = 0;
    if (nx === 0 || ny === 0) return 0;
    const d = this.d;
    const theta = angle(X, xo, nx, Y, yo, ny, d);
    const st = Math.sin(theta);
    let gu = 0;
    let gv = 0;
    for (let k = 0; k < d; k++) {
      gu += ((ny * st * X[xo + k]) / nx - theta * Y[yo + k]) * dX[dxo + k];
      if (dY) gv += ((nx * st * Y[yo + k]) / ny - theta * X[xo + k]) * dY[dyo + k];
    }
    out[0] = gu;
    out[1] = gv;
    return nx * ny * sinMinusThetaCos(theta);
  }

  /**
   * Adds to h the directional derivative of weight·∇ᵤψ(u, v) along (du, dv) plus
   * dWeight·∇ᵤψ; when symmetric, also the same for ∇ᵥψ into h[hvo..].
   *
   * With s = ‖v‖ sin θ/‖u‖, ∇ᵤψ = s·u − θ·v and
   *   δθ = −(ê_u·du)/‖u‖ − (ê_v·dv)/‖v‖,  ê_u = (v̄ − cos θ ū)/sin θ,  ê_v = (ū − cos θ v̄)/sin θ,
   *   δs = (v̄·dv) sin θ/‖u‖ + ‖v‖ cos θ δθ/‖u‖ − ‖v‖ sin θ (ū·du)/‖u‖²,
   *   δ∇ᵤψ = δs·u + s·du − δθ·v − θ·dv.
   * At sin θ = 0 the unit vectors ê are undefined but every term they enter is multiplied by a
   * factor that vanishes with θ, so they are taken as 0.
   */
  private accumulatePairHvp(
    X: Float64Array,
    xo: number,
    nx: number,
    Y: Float64Array,
    yo: number,
    ny: number,
    dX: Float64Array,
    dxo: number,
    dY: Float64Array | null,
    dyo: number,
    h: Float64Array,
    hxo: number,
    weight: number,
    dWeight: number,
    symmetric: boolean,
    hyo: number,
  ): void {
    if (nx === 0 || ny === 0) return;
    const d = this.d;
    const theta = angle(X, xo, nx, Y, yo, ny, d);
    const st = Math.sin(theta);
    const ct = Math.cos(theta);
    // dot products needed: ū·du, v̄·dv, v̄·du, ū·dv
    let uDu = 0;
    let vDu = 0;
    let vDv = 0;
    let uDv = 0;
    for (let k = 0; k < d; k++) {
      const ub = X[xo + k] / nx;
      const vb = Y[yo + k] / ny;
      uDu += ub * dX[dxo + k];
      vDu += vb * dX[dxo + k];
      if (dY) {
        vDv += vb * dY[dyo + k];
        uDv += ub * dY[dyo + k];
      }
    }
    let dTheta = 0;
    if (st > 0) {
      // ê_u·du = (v̄·du − cos θ ū·du)/sin θ, ê_v·dv = (ū·dv − cos θ v̄·dv)/sin θ
      dTheta = -(vDu - ct * uDu) / (st * nx) - (dY ? (uDv - ct * vDv) / (st * ny) : 0);
    }
    const s = (ny * st) / nx;
    const ds = (vDv * st) / nx + (ny * ct * dTheta) / nx - (ny * st * uDu) / (nx * nx);
    for (let k = 0; k < d; k++) {
      const grad = s * X[xo + k] - theta * Y[yo + k];
      const dgrad =
        ds * X[xo + k] + s * dX[dxo + k] - dTheta * Y[yo + k] - theta * (dY ? dY[dyo + k] : 0);
      h[hxo + k] += weight * dgrad + dWeight * grad;
    }
    if (symmetric && dY) {
      const s2 = (nx * st) / ny;
      const ds2 = (uDu * st) / ny + (nx * ct * dTheta) / ny - (nx * st * vDv) / (ny * ny);
      for (let k = 0; k < d; k++) {
        const grad = s2 * Y[yo + k] - theta * X[xo + k];
        const dgrad = ds2 * Y[yo + k] + s2 * dY[dyo + k] - dTheta * X[xo + k] - theta * dX[dxo + k];
        h[hyo + k] += weight * dgrad + dWeight * grad;
      }
    }
  }
}

/**
 * The sizes angularEvaluate (assembly/kernels.ts) expects, computed here because the host sizes
 * the kernel's memory before it has an instance (test/core/wasm.test.ts checks them against the
 * kernel's angularStride and angularScratchDoubles): the units block is m + r + 1 rows
 * (students, teachers, ρ) of `stride` = d rounded up to even, the pad lane left 0; the scratch
 * holds 26 constants, three arrays of one entry per pair (rounded up to a multiple of 4 for
 * four-pair passes), the rows' signed norms twice and the m × (m + r + 1) coefficients.
 */
export function angularKernelLayout(
  m: number,
  r: number,
  d: number,
): { stride: number; scratch: number } {
  const pairs = (((m * (m - 1)) >> 1) + m * r + 3) & ~3;
  return { stride: (d + 1) & ~1, scratch: 26 + 3 * pairs + 2 * (m + r) + m * (m + r + 1) };
}

function rowNorm(x: Float64Array, o: number, d: number): number {
  let s = 0;
  for (let k = 0; k < d; k++) s += x[o + k] * x[o + k];
  return Math.sqrt(s);
}

/** θ = 2·atan2(‖ū − v̄‖, ‖ū + v̄‖) (docs/model.md §5). */
export function angle(
  X: Float64Array,
  xo: number,
  nx: number,
  Y: Float64Array,
  yo: number,
  ny: number,
  d: number,
): number {
  let diff = 0;
  let sum = 0;
  for (let k = 0; k < d; k++) {
    const a = X[xo + k] / nx;
    const b = Y[yo + k] / ny;
    diff += (a - b) * (a - b);
    sum += (a + b) * (a + b);
  }
  return 2 * Math.atan2(Math.sqrt(diff), Math.sqrt(sum));
}

/** Writes x[xo..]/‖x[xo..]‖ into out[oo..] (zeros for a zero row) and returns the norm. */
function unitRow(x: Float64Array, xo: number, out: Float64Array, oo: number, d: number): number {
  let s = 0;
  for (let k = 0; k < d; k++) s += x[xo + k] * x[xo + k];
  const n = Math.sqrt(s);
  const inv = n > 0 ? 1 / n : 0;
  for (let k = 0; k < d; k++) out[oo + k] = x[xo + k] * inv;
  return n;
}

/**
 * g(θ) for the angle between unit rows ū = X[xo..] and v̄ = Y[yo..]. With D = ‖ū − v̄‖² and
 * S = ‖ū + v̄‖² (both free of cancellation) and τ = tan(θ/2) = √(D/S), θ = 2·atan τ (docs/model.md §5's
 * 2·atan2(‖ū − v̄‖, ‖ū + v̄‖)), sin θ = 2τ/(1 + τ²) and cos θ = (1 − τ²)/(1 + τ²): one sqrt
 * and one atan per pair, no sin/cos calls. When trig is given, trig[0] = θ, trig[1] = sin θ.
 */
function unitPairG(
  X: Float64Array,
  xo: number,
  Y: Float64Array,
  yo: number,
  d: number,
  trig: Float64Array | null,
): number {
  let diff = 0;
  let sum = 0;
  for (let k = 0; k < d; k++) {
    const a = X[xo + k];
    const b = Y[yo + k];
    diff += (a - b) * (a - b);
    sum += (a + b) * (a + b);
  }
  let theta = Math.PI;
  let st = 0;
  let g = Math.PI; // antipodal: sin π − π cos π
  if (sum > 0) {
    const tau2 = diff / sum;
    const tau = Math.sqrt(tau2);
    theta = 2 * Math.atan(tau);
    st = (2 * tau) / (1 + tau2);
    g = theta < 1 ? gSeries(theta) : st - (theta * (1 - tau2)) / (1 + tau2);
  }
  if (trig) {
    trig[0] = theta;
    trig[1] = st;
  }
  return g;
}

/**
 * g(θ) = sin θ − θ cos θ = Σₖ≥₁ cₖθ^(2k+1), cₖ = (−1)^(k+1)·2k/(2k+1)!, for 0 ≤ θ < 1: ten
 * terms (the eleventh is below 1e-20 of the first there) evaluated in Estrin's scheme so the
 * dependency chain is short; the direct formula cancels catastrophically here (docs/model.md §5).
 */
function gSeries(theta: number): number {
  const t2 = theta * theta;
  const t4 = t2 * t2;
  const p01 = G1 + G2 * t2;
  const p23 = G3 + G4 * t2;
  const p45 = G5 + G6 * t2;
  const p67 = G7 + G8 * t2;
  const p89 = G9 + G10 * t2;
  const t8 = t4 * t4;
  const p = p01 + t4 * p23 + t8 * (p45 + t4 * p67 + t8 * p89);
  return theta * t2 * p;
}

/** cₖ of gSeries. */
const G1 = 0.3333333333333333; // 2·1/3!
const G2 = -0.03333333333333333; // −2·2/5!
const G3 = 0.0011904761904761906; // 2·3/7!
const G4 = -2.2045855379188714e-5; // −2·4/9!
const G5 = 2.505210838544172e-7; // 2·5/11!
const G6 = -1.9270852604185937e-9; // −2·6/13!
const G7 = 1.0706029224547743e-11; // 2·7/15!
const G8 = -4.498331606952833e-14; // −2·8/17!
const G9 = 1.4797143443923793e-16; // 2·9/19!
const G10 = -3.9145882126782523e-19; // −2·10/21!

/**
 * g(θ) = sin θ − θ cos θ, by its Taylor series Σₖ≥₁ (−1)^(k+1)·2k·θ^(2k+1)/(2k+1)! below θ = 1
 * (= θ³/3 − θ⁵/30 + θ⁷/840 − …), where the direct formula cancels catastrophically (docs/model.md §5).
 */
export function sinMinusThetaCos(theta: number): number {
  if (theta >= 1) return Math.sin(theta) - theta * Math.cos(theta);
  const t2 = theta * theta;
  let term = theta; // θ^(2k+1)/(2k+1)! at k = 0
  let sum = 0;
  for (let k = 1; k < 20; k++) {
    term *= -t2 / (2 * k * (2 * k + 1));
    const add = -2 * k * term; // (−1)^(k+1)·2k·θ^(2k+1)/(2k+1)!
    sum += add;
    if (Math.abs(add) <= 1e-17 * Math.abs(sum)) break;
  }
  return sum;
}
