/**
 * A loss as a function of the student's effective neurons U (m×d, row i = uᵢ) and effective
 * output weights A (m). Parameterizations (ntk scaling, ‖w‖w) are applied around it by
 * `Objective`, so every loss is written once in the model's natural variables.
 */
export interface NeuronLoss {
  readonly m: number;
  readonly d: number;
  /** L(U, A). When gU / gA are given, also writes ∂L/∂U and ∂L/∂A into them. */
  evaluate(
    U: Float64Array,
    A: Float64Array,
    gU: Float64Array | null,
    gA: Float64Array | null,
  ): number;
  /**
   * Hessian-vector product: (hU, hA) = ∇²L(U, A)·(dU, dA), the directional derivative of the
   * gradient. Written analytically for every loss (tests compare it with differences of
   * gradients).
   */
  hessianVector(
    U: Float64Array,
    A: Float64Array,
    dU: Float64Array,
    dA: Float64Array,
    hU: Float64Array,
    hA: Float64Array,
  ): void;
  /**
   * Optional fused gradient descent (issue 4): up to `steps` steps U ← U − η∇ᵤL in place with
   * A fixed, bit-for-bit what the engine's loop would do, stopping before the update of a step
   * whose loss is not ≤ stopAbove or is ≤ stopAtOrBelow. Returns the steps completed, or null
   * when this loss cannot do it (the engine then steps itself).
   */
  gradientDescent?(
    U: Float64Array,
    A: Float64Array,
    eta: number,
    steps: number,
    stopAbove: number,
    stopAtOrBelow: number,
  ): number | null;
}
