import type { NeuronLoss } from "../losses/types.js";
import type { Parameterization } from "./parameterization.js";

/** The student network's shape and how its parameters map to effective neurons. */
export interface StudentNetwork {
  /** Number of student neurons. */
  readonly m: number;
  /** Input dimension. */
  readonly d: number;
  readonly parameterization: Parameterization;
  /** Effective output weight is aᵢ = outputScale·âᵢ (1/√m for ntk, else 1). */
  readonly outputScale: number;
  /** Whether the raw output weights â are trained (they then follow W in the parameter vector). */
  readonly trainOutput: boolean;
}

/**
 * The training objective as a function of the flat parameter vector θ = [vec(W); â] (W is m×d
 * row-major; â only when trainOutput). Wraps a NeuronLoss, applying the parameterization by
 * the chain rule, so gradient and Hessian-vector products are exact for every combination.
 */
export class Objective {
  readonly dim: number;
  readonly A: Float64Array;
  private readonly gA: Float64Array;
  private readonly dA: Float64Array;
  private readonly hA: Float64Array;
  // m·d work arrays, created at first use: an identity parameterization evaluates θ in place
  // and never needs U or gU, and only Hessian products need dU and hU (at DU's m = 4096,
  // d = 1000 each is 32 MB that a run would otherwise allocate for nothing)
  private work: { U?: Float64Array; gU?: Float64Array; dU?: Float64Array; hU?: Float64Array } = {};
  /** Raw output weights used when they are not part of θ. */
  readonly fixedOutput: Float64Array;

  constructor(
    readonly network: StudentNetwork,
    public loss: NeuronLoss,
    fixedOutput: Float64Array,
  ) {
    const { m, d } = network;
    if (loss.m !== m || loss.d !== d) throw new RangeError("loss and network shapes differ");
    if (fixedOutput.length !== m)
      throw new RangeError(`output weights have length ${fixedOutput.length}, expected ${m}`);
    this.dim = m * d + (network.trainOutput ? m : 0);
    this.A = new Float64Array(m);
    this.gA = new Float64Array(m);
    this.dA = new Float64Array(m);
    this.hA = new Float64Array(m);
    this.fixedOutput = new Float64Array(fixedOutput);
  }

  private workArray(name: "U" | "gU" | "dU" | "hU"): Float64Array {
    const { m, d } = this.network;
    this.work[name] ??= new Float64Array(m * d);
    return this.work[name];
  }

  /** The effective neurons (m×d) of the last setPoint. */
  get U(): Float64Array {
    return this.workArray("U");
  }

  private get gU(): Float64Array {
    return this.workArray("gU");
  }

  private get dU(): Float64Array {
    return this.workArray("dU");
  }

  private get hU(): Float64Array {
    return this.workArray("hU");
  }

  /** Writes the effective neurons and output weights of θ into this.U, this.A. */
  setPoint(theta: Float64Array): void {
    const { m, d, parameterization } = this.network;
    const md = m * d;
    if (parameterization.isIdentity)
      this.U.set(theta.length === md ? theta : theta.subarray(0, md));
    else for (let i = 0; i < m; i++) parameterization.forward(theta, i * d, this.U, i * d, d);
    this.setOutput(theta);
  }

  /** Raw output weights â of θ. */
  rawOutput(theta: Float64Array): Float64Array {
    const { m, d, trainOutput } = this.network;
    return trainOutput ? theta.subarray(m * d, m * d + m) : this.fixedOutput;
  }

  /** Writes only the effective output weights of θ into this.A. */
  private setOutput(theta: Float64Array): void {
    const { m, d, outputScale, trainOutput } = this.network;
    const md = m * d;
    for (let i = 0; i < m; i++)
      this.A[i] = outputScale * (trainOutput ? theta[md + i] : this.fixedOutput[i]);
  }

  value(theta: Float64Array): number {
    const { m, d, parameterization } = this.network;
    if (parameterization.isIdentity) {
      // the neurons are θ's first m·d entries: evaluate them in place (no copy of W)
      this.setOutput(theta);
      return this.loss.evaluate(theta.subarray(0, m * d), this.A, null, null);
    }
    this.setPoint(theta);
    return this.loss.evaluate(this.U, this.A, null, null);
  }

  valueAndGradient(theta: Float64Array, grad: Float64Array): number {
    const { m, d, parameterization, outputScale, trainOutput } = this.network;
    const gA = trainOutput ? this.gA : null;
    if (parameterization.isIdentity) {
      // W is θ's first m·d entries and ∇W is the gradient's: the loss reads and writes them in
      // place, which saves two copies of W per step (64 MB at DU's m = 4096, d = 1000)
      const md = m * d;
      this.setOutput(theta);
      const L = this.loss.evaluate(theta.subarray(0, md), this.A, grad.subarray(0, md), gA);
      if (trainOutput) for (let i = 0; i < m; i++) grad[md + i] = outputScale * this.gA[i];
      return L;
    }
    this.setPoint(theta);
    const L = this.loss.evaluate(this.U, this.A, this.gU, gA);
    this.pullback(theta, grad);
    return L;
  }

  private pullback(theta: Float64Array, grad: Float64Array): void {
    const { m, d, parameterization, outputScale, trainOutput } = this.network;
    if (parameterization.isIdentity) grad.set(this.gU);
    else
      for (let i = 0; i < m; i++)
        parameterization.pullback(theta, i * d, this.gU, i * d, grad, i * d, d);
    if (trainOutput) for (let i = 0; i < m; i++) grad[m * d + i] = outputScale * this.gA[i];
  }

  /**
   * Whether fusedGradientDescent can run here: an identity parameterization, fixed output
   * weights and a loss with its own GD loop (NeuronLoss.gradientDescent).
   */
  get fusesSteps(): boolean {
    const { parameterization, trainOutput } = this.network;
    return parameterization.isIdentity && !trainOutput && this.loss.gradientDescent !== undefined;
  }

  /**
   * Up to `steps` fused GD steps θ ← θ − η∇L(θ) in place, when the parameterization is the
   * identity, output weights are fixed and the loss can run them (NeuronLoss.gradientDescent):
   * the same iterates as stepping one at a time. Returns the steps completed, or null.
   */
  fusedGradientDescent(
    theta: Float64Array,
    eta: number,
    steps: number,
    stopAbove: number,
    stopAtOrBelow: number,
  ): number | null {
    if (!this.fusesSteps || !this.loss.gradientDescent) return null;
    this.setPoint(theta);
    const done = this.loss.gradientDescent(this.U, this.A, eta, steps, stopAbove, stopAtOrBelow);
    if (done !== null) theta.set(this.U);
    return done;
  }

  /** out = ∇²L(θ)·v. */
  hessianVector(theta: Float64Array, v: Float64Array, out: Float64Array): void {
    const { m, d, parameterization, outputScale, trainOutput } = this.network;
    this.setPoint(theta);
    const md = m * d;
    for (let i = 0; i < m; i++)
      parameterization.pushforward(theta, i * d, v, i * d, this.dU, i * d, d);
    for (let i = 0; i < m; i++) this.dA[i] = trainOutput ? outputScale * v[md + i] : 0;
    if (!parameterization.isLinear) this.loss.evaluate(this.U, this.A, this.gU, null);
    this.loss.hessianVector(this.U, this.A, this.dU, this.dA, this.hU, this.hA);
    for (let i = 0; i < m; i++) {
      parameterization.pullback(theta, i * d, this.hU, i * d, out, i * d, d);
      if (!parameterization.isLinear) {
        parameterization.addCurvature(theta, i * d, this.gU, i * d, v, i * d, out, i * d, d);
      }
    }
    if (trainOutput) for (let i = 0; i < m; i++) out[md + i] = outputScale * this.hA[i];
  }
}
