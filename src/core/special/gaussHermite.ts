import { symmetricEigen } from "../linalg/symmetricEigen.js";

const cache = new Map<number, { nodes: Float64Array; weights: Float64Array }>();

/**
 * n-point Gauss–Hermite rule for E_{z~N(0,1)}[f(z)] ≈ Σ wᵢ f(zᵢ), exact for polynomials of
 * degree ≤ 2n − 1. Golub–Welsch (Math. Comp. 23, 1969): the nodes are the eigenvalues of the
 * Jacobi matrix of the probabilists' Hermite polynomials (zero diagonal, off-diagonal √k) and
 * the weights are the squared first components of its normalized eigenvectors.
 */
export function gaussHermiteStandardNormal(n: number): {
  nodes: Float64Array;
  weights: Float64Array;
} {
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`gaussHermite: n must be a positive integer, got ${n}`);
  const hit = cache.get(n);
  if (hit) return hit;
  const J = new Float64Array(n * n);
  for (let k = 1; k < n; k++) {
    J[(k - 1) * n + k] = Math.sqrt(k);
    J[k * n + k - 1] = Math.sqrt(k);
  }
  const { values, vectors } = symmetricEigen(J, n);
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  let total = 0;
  for (let j = 0; j < n; j++) {
    nodes[j] = values[j];
    weights[j] = vectors[j] ** 2; // first row, column j
    total += weights[j];
  }
  for (let j = 0; j < n; j++) weights[j] /= total; // Σw = 1 exactly up to rounding
  // symmetrize: the rule is symmetric about 0
  for (let j = 0; j < n >> 1; j++) {
    const x = 0.5 * (nodes[n - 1 - j] - nodes[j]);
    const w = 0.5 * (weights[j] + weights[n - 1 - j]);
    nodes[j] = -x;
    nodes[n - 1 - j] = x;
    weights[j] = w;
    weights[n - 1 - j] = w;
  }
  if (n % 2 === 1) nodes[n >> 1] = 0;
  const rule = { nodes, weights };
  cache.set(n, rule);
  return rule;
}
