import type { Activation } from "../activations/types.js";
import { largeArray, type MatrixKernels, portableKernels } from "../linalg/gemm.js";
import { type KernelInstance, layout } from "../wasm/kernels.js";
import type { NeuronLoss } from "./types.js";

/** A finite sample: inputs X (N×d, row-major) and labels y (N). */
export interface Sample {
  readonly n: number;
  readonly d: number;
  readonly X: Float64Array;
  readonly y: Float64Array;
}

export type Reduction = "mean" | "sum";

/**
 * From this many multiply-adds per product (N·m·d) on, evaluate runs as two matrix products,
 * Z = X·Uᵀ and ∇U = Cᵀ·X, through the installed MatrixKernels (issue 4: DU's N = 1000,
 * d = 1000, m = 4096 is 4·10⁹); below it the fused sample loop is as fast and allocates less.
 */
export const GEMM_MIN_WORK = 1 << 18;

/**
 * Empirical loss L̂ = c·(1/N)Σₖ(f(xₖ) − yₖ)² (reduction "mean", WA eq. 2 with c = ¼) or
 * c·Σₖ(f(xₖ) − yₖ)² (reduction "sum", DU eq. 2 with c = ½), f(x) = Σᵢ aᵢσ(uᵢᵀx).
 *   ∇ᵤᵢ = 2s Σₖ eₖ aᵢ σ′(zₖᵢ) xₖ,   ∂/∂aᵢ = 2s Σₖ eₖ σ(zₖᵢ),   s = c/N or c,
 * with zₖᵢ = uᵢᵀxₖ and residual eₖ = f(xₖ) − yₖ. The sample can be swapped between steps
 * (`setSample`) for online learning and mini-batch SGD.
 */
export class EmpiricalLoss implements NeuronLoss {
  readonly d: number;
  /** Z (N×m) of the TypeScript passes, created at first use (the SIMD pass has its own). */
  private zBuffer: Float64Array | null = null;
  private residual: Float64Array;
  /**
   * Z, A, y, residuals and ∂L/∂a in a WebAssembly instance's memory for the product path
   * (created at its first use; null when the activation has no kernel form or WebAssembly is
   * off), so the products read and write Z in place and the pass between them is SIMD.
   */
  private rowPass: RowPassArrays | null | undefined;

  constructor(
    readonly m: number,
    private sample: Sample,
    private readonly activation: Activation,
    private readonly scale: number,
    private readonly reduction: Reduction,
    /** Backend for the products X·Uᵀ and Cᵀ·X of large samples (the engine's choice). */
    private readonly kernels: MatrixKernels = portableKernels,
    /**
     * A private WebAssembly kernel instance with room for `doubles` (the engine's
     * `wasmInstance`), for the elementwise pass between the products; none: TypeScript.
     */
    private readonly wasmInstance: (doubles: number) => KernelInstance | null = () => null,
  ) {
    this.d = sample.d;
    this.residual = new Float64Array(sample.n);
  }

  private get Z(): Float64Array {
    this.zBuffer ??= largeArray(this.kernels, this.sample.n * this.m);
    return this.zBuffer;
  }

  setSample(sample: Sample): void {
    if (sample.d !== this.d) throw new RangeError(`sample has d = ${sample.d}, expected ${this.d}`);
    this.sample = sample;
    if (this.residual.length !== sample.n) {
      this.zBuffer = null;
      this.residual = new Float64Array(sample.n);
      this.rowPass = undefined;
    }
  }

  get currentSample(): Sample {
    return this.sample;
  }

  private get factor(): number {
    return this.reduction === "mean" ? this.scale / this.sample.n : this.scale;
  }

  /** Network outputs f(xₖ) for every sample row, into out (length N). */
  predict(U: Float64Array, A: Float64Array, out: Float64Array): void {
    const { m, d } = this;
    const { X, n } = this.sample;
    const sigma = this.activation.value;
    for (let k = 0; k < n; k++) {
      const xo = k * d;
      let f = 0;
      for (let i = 0; i < m; i++) {
        const io = i * d;
        let z = 0;
        for (let q = 0; q < d; q++) z += U[io + q] * X[xo + q];
        f += A[i] * sigma(z);
      }
      out[k] = f;
    }
  }

  evaluate(
    U: Float64Array,
    A: Float64Array,
    gU: Float64Array | null,
    gA: Float64Array | null,
  ): number {
    const { m, d, Z, residual } = this;
    const { X, y, n } = this.sample;
    if (n * m * d >= GEMM_MIN_WORK) return this.evaluateByProducts(U, A, gU, gA);
    const act = this.activation;
    let total = 0;
    for (let k = 0; k < n; k++) {
      const xo = k * d;
      const zo = k * m;
      let f = 0;
      for (let i = 0; i < m; i++) {
        const io = i * d;
        let z = 0;
        for (let q = 0; q < d; q++) z += U[io + q] * X[xo + q];
        Z[zo + i] = z;
        f += A[i] * act.value(z);
      }
      const e = f - y[k];
      residual[k] = e;
      total += e * e;
    }
    const s = this.factor;
    if (gU) {
      gU.fill(0);
      for (let k = 0; k < n; k++) {
        const e2 = 2 * s * residual[k];
        if (e2 === 0) continue;
        const xo = k * d;
        const zo = k * m;
        for (let i = 0; i < m; i++) {
          const coef = e2 * A[i] * act.derivative(Z[zo + i]);
          if (coef === 0) continue;
          const io = i * d;
          for (let q = 0; q < d; q++) gU[io + q] += coef * X[xo + q];
        }
      }
    }
    if (gA) this.outputGradient(gA);
    return s * total;
  }

  /** ∂L/∂aᵢ = 2s Σₖ eₖ σ(zₖᵢ) from the Z (N×m) and residuals of the last evaluate. */
  private outputGradient(gA: Float64Array): void {
    const { m, Z, residual } = this;
    const n = this.sample.n;
    const s = this.factor;
    gA.fill(0);
    for (let k = 0; k < n; k++) {
      const e2 = 2 * s * residual[k];
      const zo = k * m;
      for (let i = 0; i < m; i++) gA[i] += e2 * this.activation.value(Z[zo + i]);
    }
  }

  /**
   * evaluate as two products with one pass over Z between them: Z = X·Uᵀ (N×m), then for each
   * sample row k, while its m entries are in cache, fₖ and eₖ, ∂L/∂aᵢ's share of row k, and
   * the gradient coefficients Cₖᵢ = 2s·eₖ·aᵢσ′(zₖᵢ) written over zₖᵢ; then ∇U = Cᵀ·X. Writing
   * C over Z in its own layout (rather than transposed, or in a second array) keeps the
   * elementwise work to one sequential read and write of Z per step: at DU's N = 1000,
   * m = 4096 that pass is ~32 MB, against ~8 GFLOP per product (BENCHMARKS.md). Same formulas
   * as the loop; Z no longer holds X·Uᵀ after a gradient evaluation.
   */
  private evaluateByProducts(
    U: Float64Array,
    A: Float64Array,
    gU: Float64Array | null,
    gA: Float64Array | null,
  ): number {
    const { m, d, residual } = this;
    const { X, y, n } = this.sample;
    const act = this.activation;
    const value = act.value;
    const derivative = act.derivative;
    const kernels = this.kernels;
    const s = this.factor;
    const wasm = this.rowPassArrays();
    const Z = wasm ? wasm.Z : this.Z;
    kernels.gemm(false, true, n, m, d, X, U, Z);
    if (wasm) {
      const { instance, offsets } = wasm;
      wasm.A.set(A);
      wasm.y.set(y.subarray(0, n));
      if (gA) wasm.gA.fill(0);
      const total = instance.exports.empiricalRowPass(
        act.elementwiseKernel as number,
        n,
        m,
        offsets.Z,
        offsets.A,
        offsets.y,
        offsets.residual,
        2 * s,
        gU ? 1 : 0,
        gA ? 1 : 0,
        offsets.gA,
      );
      residual.set(wasm.residual);
      if (gA) gA.set(wasm.gA);
      if (gU) kernels.gemm(true, false, m, d, n, Z, X, gU);
      return s * total;
    }
    if (gA) gA.fill(0);
    let total = 0;
    for (let k = 0; k < n; k++) {
      const zo = k * m;
      let f = 0;
      for (let i = 0; i < m; i++) f += A[i] * value(Z[zo + i]);
      const e = f - y[k];
      residual[k] = e;
      total += e * e;
      const e2 = 2 * s * e;
      if (gA) for (let i = 0; i < m; i++) gA[i] += e2 * value(Z[zo + i]);
      if (gU) for (let i = 0; i < m; i++) Z[zo + i] = e2 * A[i] * derivative(Z[zo + i]);
    }
    if (gU) kernels.gemm(true, false, m, d, n, Z, X, gU);
    return s * total;
  }

  /** The WebAssembly arrays of the product path, created at first use (see rowPass). */
  private rowPassArrays(): RowPassArrays | null {
    if (this.rowPass !== undefined) return this.rowPass;
    this.rowPass = null;
    if (this.activation.elementwiseKernel === undefined) return null;
    const { m } = this;
    const n = this.sample.n;
    // Z first: it is the one large array, and BLAS reads it at a 16-byte aligned offset
    const sizes = [n * m, m, n, n, m];
    const { offsets, total } = layout(sizes);
    const instance = this.wasmInstance(total);
    if (!instance) return null;
    const view = (k: number) => instance.f64.subarray(offsets[k], offsets[k] + sizes[k]);
    const bytes = offsets.map((o) => o * 8);
    // the instance's memory is fresh: Z gets the backend's hint before the first product
    this.kernels.adviseLargeArray?.(view(0));
    this.rowPass = {
      instance,
      Z: view(0),
      A: view(1),
      y: view(2),
      residual: view(3),
      gA: view(4),
      offsets: { Z: bytes[0], A: bytes[1], y: bytes[2], residual: bytes[3], gA: bytes[4] },
    };
    return this.rowPass;
  }

  /**
   * Gauss–Newton part plus curvature part of the Hessian:
   *   δ∇ᵤᵢ = 2s Σₖ [δfₖ aᵢσ′(zₖᵢ) + eₖ(δaᵢσ′(zₖᵢ) + aᵢσ″(zₖᵢ)δzₖᵢ)] xₖ,
   *   δ∂ₐᵢ = 2s Σₖ [δfₖ σ(zₖᵢ) + eₖσ′(zₖᵢ)δzₖᵢ],
   * with δzₖᵢ = duᵢᵀxₖ and δfₖ = Σᵢ δaᵢσ(zₖᵢ) + aᵢσ′(zₖᵢ)δzₖᵢ.
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
    const { X, y, n } = this.sample;
    const act = this.activation;
    const s = this.factor;
    const z = new Float64Array(m);
    const dz = new Float64Array(m);
    hU.fill(0);
    hA.fill(0);
    for (let k = 0; k < n; k++) {
      const xo = k * d;
      let f = 0;
      let df = 0;
      for (let i = 0; i < m; i++) {
        const io = i * d;
        let zi = 0;
        let dzi = 0;
        for (let q = 0; q < d; q++) {
          zi += U[io + q] * X[xo + q];
          dzi += dU[io + q] * X[xo + q];
        }
        z[i] = zi;
        dz[i] = dzi;
        const sv = act.value(zi);
        const sd = act.derivative(zi);
        f += A[i] * sv;
        df += dA[i] * sv + A[i] * sd * dzi;
      }
      const e = f - y[k];
      for (let i = 0; i < m; i++) {
        const sv = act.value(z[i]);
        const sd = act.derivative(z[i]);
        const s2 = act.secondDerivative(z[i]);
        const coef = 2 * s * (df * A[i] * sd + e * (dA[i] * sd + A[i] * s2 * dz[i]));
        const io = i * d;
        if (coef !== 0) for (let q = 0; q < d; q++) hU[io + q] += coef * X[xo + q];
        hA[i] += 2 * s * (df * sv + e * sd * dz[i]);
      }
    }
  }
}

interface RowPassArrays {
  readonly instance: KernelInstance;
  readonly Z: Float64Array;
  readonly A: Float64Array;
  readonly y: Float64Array;
  readonly residual: Float64Array;
  readonly gA: Float64Array;
  /** Byte offsets in the instance's memory. */
  readonly offsets: { Z: number; A: number; y: number; residual: number; gA: number };
}
