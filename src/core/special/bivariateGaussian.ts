import { gaussHermiteStandardNormal, type QuadratureRule } from "./gaussHermite.js";

/**
 * The generic pair kernel K(a, b, c) = E[σ(z₁)σ(z₂)], (z₁, z₂) ~ N(0, [[a, c], [c, b]]), for an
 * activation known only by its values — the fallback behind every closed form (ReLU, erf, …),
 * for checking them and for exploring new activations. With z₁ = uᵀx, z₂ = vᵀx, x ~ N(0, I):
 * a = ‖u‖², b = ‖v‖², c = uᵀv.
 *
 * The pair is written through the correlation ρ = c/√(ab) as (the Cholesky factor of the
 * covariance)
 *
 *   z₁ = √a·x,   z₂ = √b·(ρx + √(1 − ρ²)·y),   x, y independent N(0, 1),
 *
 * i.e. z₂ = (c/√a)·x + √(b − c²/a)·y, and E is taken by the n × n tensor-product Gauss–Hermite
 * rule of {@link gaussHermiteStandardNormal} in (x, y).
 *
 * Accuracy (measured against the closed forms in test/core/special/bivariateGaussian.test.ts).
 * The rule is exact for σ(z₁)σ(z₂) polynomial of degree ≤ 2n − 1 in each of x, y, and
 * converges geometrically for smooth σ — as long as σ(√a·x) varies slowly on the scale of the
 * nodes: for erf(z/√2) at n = 64 the error is ≤ 2e-15 for a, b ≤ 1, 3e-13 at 2, 3e-8 at 4
 * (n = 128: 1e-14 at 4), since large norms make erf step-like. For σ with a kink at 0 (ReLU,
 * |·|) the integrand is only C⁰ along x = 0 and ρx + √(1−ρ²)y = 0, and a Gauss–Hermite rule
 * converges only like its node spacing squared, ~1/n: the error relative to √(ab) is at most
 * ≈ 0.13/n for ReLU and ≈ 0.53/n for |·| (largest at θ = π/2; about 1.3% of κ there at
 * n = 64). Even n beats odd n by 2×. Use the closed forms wherever they exist.
 */

/** σ evaluated by the quadrature: any real function of one real variable. */
export type ScalarFunction = (z: number) => number;

/**
 * E[σ(z₁)σ(z₂)] for (z₁, z₂) ~ N(0, [[a, c], [c, b]]) by an n × n Gauss–Hermite tensor rule
 * after the Cholesky map z₁ = √a·x, z₂ = (c/√a)·x + √(b − c²/a)·y (see the file header for the
 * accuracy; default n = 64 nodes per dimension, i.e. 4096 evaluations of σ, or 64 when
 * c² = ab).
 *
 * Degenerate covariances are handled as limits: a ≤ 0 (z₁ ≡ 0) gives σ(0)·E[σ(√b·y)], b ≤ 0
 * likewise, both give σ(0)²; c is clamped to the admissible range |c| ≤ √(ab) (a covariance
 * matrix with c² > ab does not exist, and rounding in the caller's dot products can put c an
 * ulp outside), and c² = ab (perfect correlation, e.g. u = v) uses z₂ = ±√(b/a)·z₁ exactly.
 */
export function gaussianPairExpectation(
  sigma: ScalarFunction,
  a: number,
  b: number,
  c: number,
  n = 64,
): number {
  const rule = gaussHermiteStandardNormal(n);
  const sa = a > 0 ? Math.sqrt(a) : 0;
  const sb = b > 0 ? Math.sqrt(b) : 0;
  if (sa === 0 || sb === 0) {
    // One of the pair is the constant 0: the expectation factorizes.
    return sigma(0) * (sa === 0 ? expectation1(sigma, sb, rule) : expectation1(sigma, sa, rule));
  }
  return pairByCorrelation(sigma, sa, sb, c / (sa * sb), rule);
}

/** E[σ(s·x)], x ~ N(0, 1), by the 1-D rule. */
function expectation1(sigma: ScalarFunction, s: number, rule: QuadratureRule): number {
  if (s === 0) return sigma(0);
  const { nodes, weights } = rule;
  let total = 0;
  for (let i = 0; i < nodes.length; i++) total += weights[i] * sigma(s * nodes[i]);
  return total;
}

/**
 * G(√a, √b, ρ) = E[σ(√a·x)·σ(√b·(ρx + √(1 − ρ²)y))], ρ clamped to [−1, 1]; sa, sb > 0. This is
 * the kernel in the chart (a, b, ρ), whose domain is a box — which the finite differences
 * below rely on.
 */
function pairByCorrelation(
  sigma: ScalarFunction,
  sa: number,
  sb: number,
  rho: number,
  rule: QuadratureRule,
): number {
  const r = rho >= 1 ? 1 : rho <= -1 ? -1 : rho;
  const { nodes, weights } = rule;
  const n = nodes.length;
  const slope = sb * r;
  const rest = sb * Math.sqrt((1 - r) * (1 + r)); // (1 − r)(1 + r): no cancellation near |r| = 1
  let total = 0;
  for (let i = 0; i < n; i++) {
    const x = nodes[i];
    const s1 = sigma(sa * x);
    if (s1 === 0) continue; // e.g. ReLU on half the nodes: skip n evaluations
    let inner: number;
    if (rest === 0) inner = sigma(slope * x);
    else {
      inner = 0;
      const shift = slope * x;
      for (let j = 0; j < n; j++) inner += weights[j] * sigma(shift + rest * nodes[j]);
    }
    total += weights[i] * s1 * inner;
  }
  return total;
}

/** Value, gradient and Hessian of K(a, b, c), in the order of activations/types.ts `PairKernel`. */
export interface PairKernelDerivatives {
  value: number;
  /** [K_a, K_b, K_c] */
  grad: [number, number, number];
  /** [K_aa, K_bb, K_cc, K_ab, K_ac, K_bc] */
  hess: [number, number, number, number, number, number];
}

// Relative steps of the finite differences. The quadrature value carries rounding noise of
// δ ≈ 1e-16 relative (σ's own rounding included), and for smooth σ it is an analytic function
// of (a, b, ρ). A central first difference with step h = ε·scale has error ≈ ε²/6·|f‴| + δ/ε,
// smallest near ε = δ^(1/3) ≈ 5e-6; a second difference (central or mixed) has
// ≈ ε²/12·|f⁗| + 4δ/ε², smallest near ε = (48δ)^(1/4) ≈ 2e-4. These were confirmed by a scan
// of ε against the analytic erf kernel (ε₂ = 1e-4 is noise-limited at small a, b; 3e-4
// truncation-limited at a = b = c = 2).
const EPS_FIRST = 5e-6;
const EPS_SECOND = 2e-4;
// Below this relative size, a or b is treated as this size for the derivatives (see below).
const FLOOR = 1e-6;

/**
 * K(a, b, c) = E[σ(z₁)σ(z₂)] with its gradient [K_a, K_b, K_c] and Hessian
 * [K_aa, K_bb, K_cc, K_ab, K_ac, K_bc], by finite differences of the quadrature
 * {@link gaussianPairExpectation} — a fallback for activations without a closed form.
 *
 * The differences are taken in the chart (a, b, ρ), ρ = c/√(ab), and mapped to (a, b, c) by
 * the chain rule (ρ_a = −ρ/2a, ρ_c = 1/√(ab), ρ_aa = 3ρ/4a², ρ_ab = ρ/4ab,
 * ρ_ac = −1/(2a√(ab)), ρ_cc = 0). That chart's domain is the box a, b > 0, |ρ| ≤ 1, so every
 * stencil stays inside it: steps in a and b are relative (h_a = ε·a; multiplying a by 1 ± ε
 * at fixed ρ keeps the covariance admissible), steps in ρ are absolute (h = ε), and where a
 * central stencil in ρ would cross ±1 — in particular at ρ = ±1 exactly, the diagonal terms
 * κ(w, w) of a loss — second-order one-sided stencils are used instead. A central difference
 * in c there would straddle the boundary of the admissible cone, where the quadrature is
 * clamped and not smooth, and give silently wrong derivatives.
 *
 * Steps: ε = 5e-6 for first and 2e-4 for second derivatives (the error-balancing choices for
 * a value accurate to ~1e-16 relative, see above). Measured against the analytic derivatives
 * of the erf and quadratic kernels at n = 64, relative to the largest entry: gradient
 * ≤ 2e-10, Hessian ≤ 7e-7, at interior points and at c² = ab alike. Kinked σ are another
 * matter: the discrete rule is then only piecewise smooth in (a, b, ρ) — it has a kink each
 * time a node crosses σ's kink — so differences on these small steps see the rule, not the
 * kernel. Measured for ReLU at n = 64 against its closed form: gradient off by 0.4–2.5%, and
 * the Hessian wrong by O(1) (useless); at ρ = ±1 ReLU's true K_cc is infinite anyway. Use the
 * closed forms (activations/) for kinked σ.
 *
 * a below 1e-6·max(a, b, 1) (and likewise b) is raised to that floor for the derivatives
 * (the chart is singular at a = 0, and e.g. ReLU's K ∝ √a has no derivative there): for smooth
 * σ the gradient is then off by ~1e-6 relative and the Hessian by ~1e-2 — finite, but rough.
 * The value is always the exact degenerate limit.
 */
export function gaussianPairKernelDerivatives(
  sigma: ScalarFunction,
  a: number,
  b: number,
  c: number,
  n = 64,
): PairKernelDerivatives {
  const rule = gaussHermiteStandardNormal(n);
  const value = gaussianPairExpectation(sigma, a, b, c, n);
  const floor = FLOOR * Math.max(a, b, 1);
  const A = Math.max(a, floor);
  const B = Math.max(b, floor);
  const sab = Math.sqrt(A * B);
  const rawRho = c / sab;
  const rho = rawRho >= 1 ? 1 : rawRho <= -1 ? -1 : rawRho;
  // G(a·(1 + p), b·(1 + q), ρ + r): the kernel in the chart, at relative offsets p, q in a and
  // b and absolute offset r in ρ.
  const G = (p: number, q: number, r: number) =>
    pairByCorrelation(sigma, Math.sqrt(A * (1 + p)), Math.sqrt(B * (1 + q)), rho + r, rule);

  // First derivatives with respect to the relative offsets: ∂G/∂p = a·G_a.
  const e1 = EPS_FIRST;
  const Gp = (G(e1, 0, 0) - G(-e1, 0, 0)) / (2 * e1);
  const Gq = (G(0, e1, 0) - G(0, -e1, 0)) / (2 * e1);
  const Gr = rhoDerivative((r) => G(0, 0, r), rho, e1);

  // Second derivatives (relative offsets in a, b; absolute in ρ).
  const e2 = EPS_SECOND;
  const G0 = G(0, 0, 0);
  const Gpp = (G(e2, 0, 0) - 2 * G0 + G(-e2, 0, 0)) / (e2 * e2);
  const Gqq = (G(0, e2, 0) - 2 * G0 + G(0, -e2, 0)) / (e2 * e2);
  const Gpq = (G(e2, e2, 0) - G(e2, -e2, 0) - G(-e2, e2, 0) + G(-e2, -e2, 0)) / (4 * e2 * e2);
  const Grr = rhoSecondDerivative((r) => G(0, 0, r), rho, e2, G0);
  // Mixed a–ρ: central in a, and in ρ the same (possibly one-sided) first-derivative stencil.
  const Gpr =
    (rhoDerivative((r) => G(e2, 0, r), rho, e2) - rhoDerivative((r) => G(-e2, 0, r), rho, e2)) /
    (2 * e2);
  const Gqr =
    (rhoDerivative((r) => G(0, e2, r), rho, e2) - rhoDerivative((r) => G(0, -e2, r), rho, e2)) /
    (2 * e2);

  // Back from relative offsets: G_a = Gp/a, G_aa = Gpp/a², G_ab = Gpq/(ab), G_aρ = Gpr/a.
  const Ga = Gp / A;
  const Gb = Gq / B;
  const Gaa = Gpp / (A * A);
  const Gbb = Gqq / (B * B);
  const Gab = Gpq / (A * B);
  const Gar = Gpr / A;
  const Gbr = Gqr / B;

  // Chain rule through ρ(a, b, c) = c/√(ab).
  const ra = -rho / (2 * A);
  const rb = -rho / (2 * B);
  const rc = 1 / sab;
  const raa = (3 * rho) / (4 * A * A);
  const rbb = (3 * rho) / (4 * B * B);
  const rab = rho / (4 * A * B);
  const rac = -rc / (2 * A);
  const rbc = -rc / (2 * B);
  return {
    value,
    grad: [Ga + Gr * ra, Gb + Gr * rb, Gr * rc],
    hess: [
      Gaa + 2 * Gar * ra + Grr * ra * ra + Gr * raa,
      Gbb + 2 * Gbr * rb + Grr * rb * rb + Gr * rbb,
      Grr * rc * rc,
      Gab + Gar * rb + Gbr * ra + Grr * ra * rb + Gr * rab,
      Gar * rc + Grr * ra * rc + Gr * rac,
      Gbr * rc + Grr * rb * rc + Gr * rbc,
    ],
  };
}

/**
 * d/dρ of g at ρ with step h: central (g(ρ+h) − g(ρ−h))/2h inside, the second-order one-sided
 * (∓3g(ρ) ± 4g(ρ∓h) ∓ g(ρ∓2h))/2h where ρ ± h would leave [−1, 1].
 */
function rhoDerivative(g: (r: number) => number, rho: number, h: number): number {
  if (rho + h > 1) return (3 * g(0) - 4 * g(-h) + g(-2 * h)) / (2 * h);
  if (rho - h < -1) return (-3 * g(0) + 4 * g(h) - g(2 * h)) / (2 * h);
  return (g(h) - g(-h)) / (2 * h);
}

/**
 * d²/dρ² of g at ρ: central (g(ρ+h) − 2g(ρ) + g(ρ−h))/h² inside, the second-order one-sided
 * (2g(ρ) − 5g(ρ∓h) + 4g(ρ∓2h) − g(ρ∓3h))/h² near ±1. g0 = g(0), already known.
 */
function rhoSecondDerivative(g: (r: number) => number, rho: number, h: number, g0: number): number {
  if (rho + h > 1) return (2 * g0 - 5 * g(-h) + 4 * g(-2 * h) - g(-3 * h)) / (h * h);
  if (rho - h < -1) return (2 * g0 - 5 * g(h) + 4 * g(2 * h) - g(3 * h)) / (h * h);
  return (g(h) - 2 * g0 + g(-h)) / (h * h);
}
