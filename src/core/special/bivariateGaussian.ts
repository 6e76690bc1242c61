import { gaussHermiteStandardNormal } from "./gaussHermite.js";

/**
 * E[σ(z₁)σ(z₂)] for (z₁, z₂) ~ N(0, [[a, c], [c, b]]) — the pair kernel κ(u, v) with
 * a = ‖u‖², b = ‖v‖², c = uᵀv — by a tensor-product Gauss–Hermite rule after the map
 * z₁ = √a·x, z₂ = (c/√a)·x + √(b − c²/a)·y with x, y independent standard normals.
 * Exact (to rounding) when σ(z₁)σ(z₂) is a polynomial of degree ≤ 2n − 1 in each variable;
 * kinked σ converge only algebraically in n.
 */
export function gaussianPairExpectation(
  sigma: (z: number) => number,
  a: number,
  b: number,
  c: number,
  n = 64,
): number {
  const { nodes, weights } = gaussHermiteStandardNormal(n);
  if (a <= 0) {
    // z₁ ≡ 0
    const s0 = sigma(0);
    let e = 0;
    const sb = Math.sqrt(Math.max(b, 0));
    for (let j = 0; j < n; j++) e += weights[j] * sigma(sb * nodes[j]);
    return s0 * e;
  }
  const sa = Math.sqrt(a);
  const slope = c / sa;
  const rest = Math.sqrt(Math.max(b - (c * c) / a, 0));
  let total = 0;
  for (let i = 0; i < n; i++) {
    const x = nodes[i];
    const s1 = sigma(sa * x);
    if (s1 === 0) continue;
    let inner = 0;
    if (rest === 0) inner = sigma(slope * x);
    else for (let j = 0; j < n; j++) inner += weights[j] * sigma(slope * x + rest * nodes[j]);
    total += weights[i] * s1 * inner;
  }
  return total;
}

/**
 * Value, gradient [K_a, K_b, K_c] and Hessian [K_aa, K_bb, K_cc, K_ab, K_ac, K_bc] of the
 * quadrature kernel by central differences with steps h_a = ε·a, h_b = ε·b, h_c = ε·√(ab)
 * (ε = 1e-4 for first and 1e-3 for second derivatives, balancing O(h²) truncation against
 * rounding of a sum accurate to ~1e-15): about 1e-8 relative for first and 1e-6 for second
 * derivatives of smooth σ. A fallback; closed forms are used wherever they exist.
 */
export function gaussianPairKernelDerivatives(
  sigma: (z: number) => number,
  a: number,
  b: number,
  c: number,
  n = 64,
): {
  value: number;
  grad: [number, number, number];
  hess: [number, number, number, number, number, number];
} {
  const K = (x: number, y: number, z: number) => gaussianPairExpectation(sigma, x, y, z, n);
  const ref = Math.sqrt(Math.max(a * b, 1e-300));
  const step = (eps: number) =>
    [eps * Math.max(a, 1e-8), eps * Math.max(b, 1e-8), eps * Math.max(ref, 1e-8)] as const;
  const [ha, hb, hc] = step(1e-4);
  const value = K(a, b, c);
  const Ka = (K(a + ha, b, c) - K(a - ha, b, c)) / (2 * ha);
  const Kb = (K(a, b + hb, c) - K(a, b - hb, c)) / (2 * hb);
  const Kc = (K(a, b, c + hc) - K(a, b, c - hc)) / (2 * hc);
  const [Ha, Hb, Hc] = step(1e-3);
  const second = (
    dx: [number, number, number],
    dy: [number, number, number],
    hx: number,
    hy: number,
  ) =>
    (K(a + dx[0] + dy[0], b + dx[1] + dy[1], c + dx[2] + dy[2]) -
      K(a + dx[0] - dy[0], b + dx[1] - dy[1], c + dx[2] - dy[2]) -
      K(a - dx[0] + dy[0], b - dx[1] + dy[1], c - dx[2] + dy[2]) +
      K(a - dx[0] - dy[0], b - dx[1] - dy[1], c - dx[2] - dy[2])) /
    (4 * hx * hy);
  const pure = (d: [number, number, number], h: number) =>
    (K(a + d[0], b + d[1], c + d[2]) - 2 * value + K(a - d[0], b - d[1], c - d[2])) / (h * h);
  const ea: [number, number, number] = [Ha, 0, 0];
  const eb: [number, number, number] = [0, Hb, 0];
  const ec: [number, number, number] = [0, 0, Hc];
  return {
    value,
    grad: [Ka, Kb, Kc],
    hess: [
      pure(ea, Ha),
      pure(eb, Hb),
      pure(ec, Hc),
      second(ea, eb, Ha, Hb),
      second(ea, ec, Ha, Hc),
      second(eb, ec, Hb, Hc),
    ],
  };
}
