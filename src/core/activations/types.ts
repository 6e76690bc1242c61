/**
 * An activation is one record: its pointwise value and derivatives (used by the finite-sample
 * losses) and the form of its Gaussian pair kernel κ(u, v) = E_{x~N(0,I)}[σ(uᵀx)σ(vᵀx)] (used
 * by the population loss). Adding an activation means adding one file and one line in
 * `registry.ts`.
 */
export interface Activation {
  readonly name: string;
  /** One line for `--help`, docs and error messages. */
  readonly description: string;
  value(z: number): number;
  /** σ′(z); for kinks the one-sided convention of the file (e.g. ReLU′(0) = 0). */
  derivative(z: number): number;
  /** σ″(z) away from kinks (0 for piecewise-linear activations). */
  secondDerivative(z: number): number;
  readonly population: PopulationForm;
  /**
   * The code of this activation's σ and σ′ in the WebAssembly kernel's elementwise pass of the
   * large empirical loss (`empiricalRowPass` in assembly/kernels.ts: 0 ReLU, 1 |·|, 2 linear,
   * 3 quadratic), which must compute them entry for entry as value/derivative do; absent where
   * the kernel has no form (the pass then runs in TypeScript).
   */
  readonly elementwiseKernel?: number;
}

/**
 * How the population loss is evaluated for an activation. Each form is one implementation in
 * `losses/population/`; all of them agree with Monte Carlo and with the generic quadrature.
 *
 * - `angular`: κ(u, v) = α·uᵀv + β·‖u‖‖v‖·g(θ) with g(θ) = sin θ − θ cos θ. Covers ReLU
 *   (α = ½, β = 1/2π), absolute value (α = 1, β = 2/π) and linear (α = 1, β = 0). The loss is
 *   then evaluated as in XD eq. (23): α‖Σaᵢuᵢ − Σbₙvₙ‖² plus pair terms that vanish like θ³,
 *   so it keeps full relative accuracy as students align with teachers (docs/model.md §4.1, §5).
 * - `quadratic`: κ = ‖u‖²‖v‖² + 2(uᵀv)²; the loss is c·((tr M)² + 2‖M‖²_F) with
 *   M = Σaᵢuᵢuᵢᵀ − Σbₙvₙvₙᵀ (WA's F(W)), again free of cancellation near the optimum.
 * - `kernel`: any κ given as a function K(a, b, c) of a = ‖u‖², b = ‖v‖², c = uᵀv with its
 *   first and second partial derivatives (erf, or the Gauss–Hermite fallback).
 */
export type PopulationForm =
  | { readonly kind: "angular"; readonly alpha: number; readonly beta: number }
  | { readonly kind: "quadratic" }
  | { readonly kind: "kernel"; readonly kernel: PairKernel };

/**
 * κ as a function of the overlaps a = ‖u‖², b = ‖v‖², c = uᵀv ("order parameters").
 * `partials` writes [K, K_a, K_b, K_c, K_aa, K_bb, K_cc, K_ab, K_ac, K_bc] into out.
 */
export interface PairKernel {
  value(a: number, b: number, c: number): number;
  partials(a: number, b: number, c: number, out: Float64Array): void;
}
