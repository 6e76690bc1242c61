import type { Activation } from "../activations/types.js";
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
 * Empirical loss L̂ = c·(1/N)Σₖ(f(xₖ) − yₖ)² (reduction "mean", WA eq. 2 with c = ¼) or
 * c·Σₖ(f(xₖ) − yₖ)² (reduction "sum", DU eq. 2 with c = ½), f(x) = Σᵢ aᵢσ(uᵢᵀx).
 *   ∇ᵤᵢ = 2s Σₖ eₖ aᵢ σ′(zₖᵢ) xₖ,   ∂/∂aᵢ = 2s Σₖ eₖ σ(zₖᵢ),   s = c/N or c,
 * with zₖᵢ = uᵢᵀxₖ and residual eₖ = f(xₖ) − yₖ. The sample can be swapped between steps
 * (`setSample`) for online learning and mini-batch SGD.
 */
export class EmpiricalLoss implements NeuronLoss {
  readonly d: number;
  private Z: Float64Array;
  private residual: Float64Array;

  constructor(
    readonly m: number,
    private sample: Sample,
    private readonly activation: Activation,
    private readonly scale: number,
    private readonly reduction: Reduction,
  ) {
    this.d = sample.d;
    this.Z = new Float64Array(sample.n * m);
    this.residual = new Float64Array(sample.n);
  }

  setSample(sample: Sample): void {
    if (sample.d !== this.d) throw new RangeError(`sample has d = ${sample.d}, expected ${this.d}`);
    this.sample = sample;
    if (this.Z.length !== sample.n * this.m) {
      this.Z = new Float64Array(sample.n * this.m);
      this.residual = new Float64Array(sample.n);
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
    if (gA) {
      gA.fill(0);
      for (let k = 0; k < n; k++) {
        const e2 = 2 * s * residual[k];
        const zo = k * m;
        for (let i = 0; i < m; i++) gA[i] += e2 * act.value(Z[zo + i]);
      }
    }
    return s * total;
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
