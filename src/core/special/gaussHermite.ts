/**
 * Gauss–Hermite quadrature rules, computed by Newton's method on the three-term recurrence of
 * the orthonormal Hermite functions, started from asymptotic approximations of the zeros.
 *
 * The orthonormal Hermite functions ψₖ(x) = pₖ(x)·e^(−x²/2), with pₖ the polynomials
 * orthonormal for the weight e^(−x²), satisfy (Szegő, Orthogonal Polynomials, §5.5; DLMF 18.9)
 *
 *   ψ₀ = π^(−1/4) e^(−x²/2),  ψ₁ = √2·x·ψ₀,  ψₖ = √(2/k)·x·ψₖ₋₁ − √((k−1)/k)·ψₖ₋₂,
 *
 * and pₙ′ = √(2n)·pₙ₋₁. The nodes are the zeros of ψₙ; Newton's step pₙ/pₙ′ = ψₙ/(√(2n)ψₙ₋₁)
 * is the same for the functions as for the polynomials (the Gaussian factor cancels), and
 * the functions stay within the floating-point range where the polynomials (≈ e^(x²/2) at the
 * outer nodes) would overflow. The Christoffel weights are wᵢ = 1/(n·pₙ₋₁(xᵢ)²)
 * = e^(−xᵢ²)/(n·ψₙ₋₁(xᵢ)²) (Szegő eq. 3.4.8 with the Christoffel–Darboux formula).
 *
 * Starting values (Gatteschi; Gil, Segura & Temme, "Numerical Methods for Special Functions",
 * SIAM 2007, §7.6, and Townsend, Trogdon & Olver, IMA J. Numer. Anal. 36 (2016)): with
 * ν = 2n + 1 and the zeros counted from the largest, k = 1, 2, …,
 *   - near the turning point √ν (Airy regime, k ≤ 3): xₖ ≈ √ν + 2^(−1/3)·aₖ·ν^(−1/6), aₖ the
 *     k-th zero of Ai;
 *   - in the oscillatory bulk (Tricomi/WKB): xₖ ≈ √ν·cos tₖ, where tₖ solves
 *     2t − sin 2t = (4k − 1)π/ν (the WKB phase ∫ₓ^√ν √(ν − s²) ds = (k − ¼)π).
 * Both are accurate to a small fraction of the spacing of the zeros, so Newton converges
 * quadratically to the intended zero; only the positive half is computed and mirrored, so the
 * rule is exactly symmetric (and an odd rule has the node 0 exactly).
 *
 * Accuracy: against 40-digit mpmath rules, nodes are within 1 ulp and weights within a few
 * ulp near the centre, growing to ~1e-13 relative at |x| ≈ 10 — the weight's own sensitivity
 * to the node's rounding (∂ ln w/∂x ≈ −2x). test/core/special/gaussHermite.test.ts checks
 * moments E[z^(2k)] = (2k − 1)!! to ≤ 2(2k+1)·ε relative up to degree 2n − 1 (n = 1…100, and
 * n up to 200 for the physicists' rule), and positive, symmetric weights summing to 1 within
 * 3 ulp for n = 1…200. The outermost weights of large rules are tiny
 * (≈ e^(−2n)); that is the rule itself, not an error. n is limited to 512, where ψ₀ at the
 * outermost node (≈ e^(−496)) is still far from underflow.
 */

/** A quadrature rule Σᵢ weights[i]·f(nodes[i]); nodes increasing. Shared, cached: read only. */
export interface QuadratureRule {
  readonly nodes: Float64Array;
  readonly weights: Float64Array;
}

const MAX_NODES = 512;
// −aₖ, the first zeros of the Airy function Ai (DLMF Table 9.9.1).
const AIRY_ZEROS = [2.338107410459767, 4.08794944413097, 5.520559828095551];

const physicistsCache = new Map<number, QuadratureRule>();
const normalCache = new Map<number, QuadratureRule>();

function checkCount(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_NODES)
    throw new RangeError(`gaussHermite: n must be an integer in [1, ${MAX_NODES}], got ${n}`);
}

/**
 * The n-point Gauss–Hermite rule for ∫ f(x) e^(−x²) dx ≈ Σ wᵢ f(xᵢ) (physicists' weight),
 * exact for polynomials f of degree ≤ 2n − 1; Σ wᵢ = √π. Newton iteration on the Hermite
 * function recurrence from asymptotic starting values (see the file header). Cached by n:
 * the returned arrays are shared and must not be modified.
 */
export function gaussHermite(n: number): QuadratureRule {
  checkCount(n);
  const hit = physicistsCache.get(n);
  if (hit) return hit;
  const { nodes, weights, total } = unnormalizedRule(n);
  const scale = Math.sqrt(Math.PI) / total;
  for (let i = 0; i < n; i++) weights[i] *= scale;
  const rule = { nodes, weights };
  physicistsCache.set(n, rule);
  return rule;
}

/**
 * The n-point Gauss–Hermite rule for expectations over a standard normal,
 * E_{z~N(0,1)}[f(z)] ≈ Σ wᵢ f(zᵢ), exact for polynomials of degree ≤ 2n − 1 (so
 * E[z^(2k)] = (2k − 1)!! for k ≤ n − 1); Σ wᵢ = 1 to rounding, all wᵢ > 0. It is the
 * physicists' rule of {@link gaussHermite} under z = √2·x: zᵢ = √2·xᵢ, wᵢ = wᵢ(phys)/√π.
 * Cached by n: the arrays are shared and must not be modified.
 */
export function gaussHermiteStandardNormal(n: number): QuadratureRule {
  checkCount(n);
  const hit = normalCache.get(n);
  if (hit) return hit;
  const { nodes, weights, total } = unnormalizedRule(n);
  for (let i = 0; i < n; i++) {
    nodes[i] *= Math.SQRT2;
    weights[i] /= total;
  }
  const rule = { nodes, weights };
  normalCache.set(n, rule);
  return rule;
}

/**
 * Nodes and Christoffel weights of the physicists' rule (see the file header), and the sum of
 * the weights. The weights are returned unnormalized so that each public rule is scaled once:
 * the computed weights carry a relative error of a few ulp each (the n-step recurrence), and
 * dividing by their computed sum — which should be √π exactly — makes the zeroth moment exact
 * to rounding without changing the others beyond that (numpy's hermgauss does the same).
 */
function unnormalizedRule(n: number): {
  nodes: Float64Array;
  weights: Float64Array;
  total: number;
} {
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  const nu = 2 * n + 1;
  const sqrtNu = Math.sqrt(nu);
  const half = n >> 1; // number of positive zeros
  const psi = { value: 0, previous: 0 };
  for (let k = 1; k <= half; k++) {
    let x = initialGuess(k, nu, sqrtNu);
    for (let iter = 0; iter < 100; iter++) {
      hermiteFunctions(n, x, psi);
      const dx = psi.value / (Math.sqrt(2 * n) * psi.previous);
      x -= dx;
      // Newton converges quadratically: once the step is at rounding level, x is as good as
      // it gets (the recurrence itself is accurate to a few ulp of ψ).
      if (Math.abs(dx) <= 1e-15 * Math.abs(x)) break;
    }
    hermiteFunctions(n, x, psi);
    const w = Math.exp(-x * x) / (n * psi.previous * psi.previous);
    nodes[n - k] = x;
    nodes[k - 1] = -x;
    weights[n - k] = w;
    weights[k - 1] = w;
  }
  if (n % 2 === 1) {
    hermiteFunctions(n, 0, psi);
    nodes[half] = 0;
    weights[half] = 1 / (n * psi.previous * psi.previous);
  }
  // Sum from the smallest (outermost) weights inwards, so the tiny ones are not lost.
  let total = 0;
  for (let k = 0; k < half; k++) total += weights[k] + weights[n - 1 - k];
  if (n % 2 === 1) total += weights[half];
  return { nodes, weights, total };
}

/**
 * ψₙ(x) and ψₙ₋₁(x) by the forward recurrence, which is stable in the oscillatory region
 * |x| < √(2n + 1) where all the zeros lie (ψₙ is the dominant solution there and beyond).
 */
function hermiteFunctions(n: number, x: number, out: { value: number; previous: number }): void {
  let pPrev = 0;
  let p = Math.PI ** -0.25 * Math.exp(-0.5 * x * x);
  for (let k = 1; k <= n; k++) {
    const next = Math.sqrt(2 / k) * x * p - Math.sqrt((k - 1) / k) * pPrev;
    pPrev = p;
    p = next;
  }
  out.value = p;
  out.previous = pPrev;
}

/** Starting value for the k-th largest zero of ψₙ, ν = 2n + 1 (see the file header). */
function initialGuess(k: number, nu: number, sqrtNu: number): number {
  if (k <= AIRY_ZEROS.length) {
    const airy = sqrtNu - 2 ** (-1 / 3) * AIRY_ZEROS[k - 1] * nu ** (-1 / 6);
    // For tiny n the Airy formula can undershoot; the zeros are positive and the bulk formula
    // is the better one when the turning-point region is not resolved (ν small).
    if (nu >= 20 || k === 1) return Math.max(airy, 0.5 / sqrtNu);
  }
  const r = ((4 * k - 1) * Math.PI) / nu;
  // Solve 2t − sin 2t = r for t ∈ (0, π/2]: start from the small-t expansion 4t³/3 and take
  // Newton steps (the function is convex and increasing there, so they cannot overshoot).
  let t = Math.min(Math.cbrt(0.75 * r), Math.PI / 2);
  for (let i = 0; i < 50; i++) {
    const g = 2 * t - Math.sin(2 * t) - r;
    const dg = 4 * Math.sin(t) ** 2;
    const step = g / dg;
    t -= step;
    if (Math.abs(step) < 1e-14) break;
  }
  return sqrtNu * Math.cos(t);
}
