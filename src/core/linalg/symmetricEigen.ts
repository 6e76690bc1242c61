import { norm } from "./vector.js";

/** Unit roundoff of IEEE double (2⁻⁵²). */
const EPS = 2 ** -52;
/** Smallest normal double; off-diagonals below it are treated as zero to avoid denormal loops. */
const SAFE_MIN = 2 ** -1022;
/** Implicit QR steps allowed per deflated eigenvalue before giving up (typically 1–3 are used). */
const MAX_STEPS_PER_EIGENVALUE = 60;

/**
 * All eigenvalues (ascending) and orthonormal eigenvectors of a symmetric n×n matrix.
 *
 * Algorithm: Householder reduction to tridiagonal form A = Q T Qᵀ (Golub & Van Loan, Matrix
 * Computations, 4th ed., §8.3.1, Algorithm 8.3.1, with Q accumulated backwards as in §5.1.6),
 * then the implicit symmetric QR algorithm with Wilkinson shifts on T (GVL §8.3.5, Algorithms
 * 8.3.2–8.3.3), applying every Givens rotation to Q as well. Cost ≈ 9n³ flops; backward stable,
 * so eigenvalues are accurate to a small multiple of ε‖A‖ and the eigenvectors are orthonormal
 * to working precision.
 *
 * `a` is row-major and not modified. It is read as (A + Aᵀ)/2, so an input that is symmetric
 * only up to rounding is fine. It is scaled by max|aᵢⱼ| internally, so entries near the overflow
 * or underflow limits are fine too. `vectors` is row-major with eigenvector j in column j
 * (`vectors[i * n + j]`), paired with `values[j]`. The sign of each eigenvector is arbitrary
 * but deterministic.
 *
 * @throws RangeError if n is not a non-negative integer, `a` is shorter than n², or an entry is
 * not finite.
 */
export function symmetricEigen(
  a: Float64Array,
  n: number,
): { values: Float64Array; vectors: Float64Array } {
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`symmetricEigen: n must be a non-negative integer, got ${n}`);
  if (a.length < n * n)
    throw new RangeError(`symmetricEigen: matrix has ${a.length} entries, expected ${n}×${n}`);
  let scale = 0;
  for (let k = 0; k < n * n; k++) {
    const v = a[k];
    if (!Number.isFinite(v)) {
      const i = Math.floor(k / n);
      throw new RangeError(
        `symmetricEigen: entry (${i}, ${k - i * n}) is ${v}; the matrix must be finite`,
      );
    }
    const abs = Math.abs(v);
    if (abs > scale) scale = abs;
  }
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  if (scale === 0) {
    // The zero matrix (and n = 0): every vector is an eigenvector; return the identity.
    for (let i = 0; i < n; i++) vectors[i * n + i] = 1;
    return { values, vectors };
  }

  // Divide before adding so that entries near ±1.8e308 cannot overflow in the average.
  const w = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) w[i * n + j] = 0.5 * (a[i * n + j] / scale + a[j * n + i] / scale);

  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(n - 1, 0));
  // qt holds Qᵀ: row k is column k of Q, so the rotations of the QR phase touch contiguous rows.
  const qt = new Float64Array(n * n);
  tridiagonalize(w, n, d, e, qt);
  tridiagonalEigen(d, e, qt, n);

  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => d[i] - d[j]);
  for (let j = 0; j < n; j++) {
    const src = order[j];
    values[j] = d[src] * scale;
    for (let i = 0; i < n; i++) vectors[i * n + j] = qt[src * n + i];
  }
  return { values, vectors };
}

/**
 * Eigenvalues of the symmetric tridiagonal matrix T with diagonal d (length n) and
 * off-diagonal e (length n − 1, e[k] = T[k, k+1]), in place, by the implicit symmetric QR
 * algorithm with Wilkinson shifts (Golub & Van Loan, 4th ed., §8.3.5, Algorithms 8.3.2–8.3.3).
 *
 * On exit d holds the eigenvalues, unsorted, and e is destroyed. If `zt` (n rows of `width`
 * entries, row-major) is given, each rotation is applied to its rows. On exit row j is
 * Σₖ S[k, j]·(row k on entry), where T = S diag(d) Sᵀ. Seeding zt with the identity yields
 * the eigenvectors of T as rows. Seeding it with Qᵀ from a tridiagonalization yields those of
 * A. Seeding it with the last unit vector (width 1) yields only the bottom entries S[n−1, j],
 * in O(n²) instead of O(n³). Lanczos needs exactly those entries for its residual estimates.
 *
 * @throws Error if an eigenvalue needs more than 60 QR steps. With Wilkinson's shift the
 * iteration converges globally (Wilkinson 1968; GVL §8.3.5), so this cannot happen for finite
 * input.
 */
export function tridiagonalEigen(
  d: Float64Array,
  e: Float64Array,
  zt?: Float64Array,
  width = 0,
): void {
  const n = d.length;
  if (n <= 1) return;
  if (e.length < n - 1)
    throw new RangeError(`tridiagonalEigen: off-diagonal has ${e.length} entries, need ${n - 1}`);
  if (zt && zt.length < n * width)
    throw new RangeError(`tridiagonalEigen: zt has ${zt.length} entries, need ${n}×${width}`);
  // Relative test (GVL eq. 8.3.13): e[k] is dropped when it cannot change T's eigenvalues by
  // more than rounding already has, which keeps small eigenvalues of graded matrices accurate.
  const negligible = (k: number) =>
    Math.abs(e[k]) <= EPS * (Math.abs(d[k]) + Math.abs(d[k + 1])) || Math.abs(e[k]) < SAFE_MIN;
  let hi = n - 1;
  let steps = 0;
  while (hi > 0) {
    if (negligible(hi - 1)) {
      e[hi - 1] = 0;
      hi--;
      steps = 0;
      continue;
    }
    let lo = hi - 1;
    while (lo > 0 && !negligible(lo - 1)) lo--;
    if (lo > 0) e[lo - 1] = 0;
    if (++steps > MAX_STEPS_PER_EIGENVALUE)
      throw new Error("tridiagonalEigen: implicit QR iteration did not converge");
    implicitQrStep(d, e, lo, hi, zt, width);
  }
}

/**
 * One implicit QR step with Wilkinson shift on the unreduced block T[lo..hi, lo..hi]
 * (GVL Algorithm 8.3.2). The first rotation is the one that QR of T − μI would start with. The
 * rest chase the bulge it creates down the band, which by the implicit-Q theorem yields the same
 * matrix as an explicit shifted QR step without forming T − μI.
 */
function implicitQrStep(
  d: Float64Array,
  e: Float64Array,
  lo: number,
  hi: number,
  zt: Float64Array | undefined,
  width: number,
): void {
  // Wilkinson shift: the eigenvalue of the trailing 2×2 nearer d[hi]. Written so that neither
  // cancellation (sign choice) nor overflow (hypot, eh·(eh/denom)) can occur.
  const delta = (d[hi - 1] - d[hi]) / 2;
  const eh = e[hi - 1];
  const root = Math.hypot(delta, eh);
  const mu = d[hi] - eh * (eh / (delta + (delta >= 0 ? root : -root)));
  let x = d[lo] - mu;
  let y = e[lo];
  for (let k = lo; k < hi; k++) {
    // Rotation R = [[c, s], [−s, c]] in the (k, k+1) plane with R·[x, y]ᵀ = [r, 0]ᵀ.
    const r = Math.hypot(x, y);
    const c = r === 0 ? 1 : x / r;
    const s = r === 0 ? 0 : y / r;
    if (k > lo) e[k - 1] = r; // the bulge below e[k−1] is annihilated
    // T ← R T Rᵀ on the 2×2 diagonal block.
    const a = d[k];
    const f = e[k];
    const g = d[k + 1];
    const cs = c * s;
    d[k] = c * c * a + 2 * cs * f + s * s * g;
    d[k + 1] = s * s * a - 2 * cs * f + c * c * g;
    e[k] = cs * (g - a) + (c * c - s * s) * f;
    if (k + 1 < hi) {
      // The rotation pushes e[k+1] partly into a new bulge at (k, k+2); chase it next.
      x = e[k];
      y = s * e[k + 1];
      e[k + 1] *= c;
    }
    if (zt) {
      // A = Z T Zᵀ and T = Rᵀ T′ R, so Z ← Z Rᵀ: columns k and k+1 of Z (rows of zt) mix.
      const rk = k * width;
      const rk1 = rk + width;
      for (let i = 0; i < width; i++) {
        const u = zt[rk + i];
        const v = zt[rk1 + i];
        zt[rk + i] = c * u + s * v;
        zt[rk1 + i] = c * v - s * u;
      }
    }
  }
}

/**
 * Householder tridiagonalization of the symmetric matrix w (overwritten), GVL Algorithm 8.3.1:
 * for each column k a reflector P = I − βvvᵀ maps w[k+1.., k] onto a multiple of e₁. The
 * trailing block is updated as the symmetric rank-2 change B ← B − vpᵀ − pvᵀ (so it stays
 * exactly symmetric in floating point). Outputs the diagonal d, off-diagonal e and
 * qt = Qᵀ with A = Q T Qᵀ. The reflectors are kept in w's strictly lower part.
 */
function tridiagonalize(
  w: Float64Array,
  n: number,
  d: Float64Array,
  e: Float64Array,
  qt: Float64Array,
): void {
  const v = new Float64Array(n);
  const p = new Float64Array(n);
  const betas = new Float64Array(n);
  for (let k = 0; k + 2 < n; k++) {
    const m = n - k - 1;
    const off = k + 1;
    for (let i = 0; i < m; i++) v[i] = w[(off + i) * n + k];
    d[k] = w[k * n + k];
    if (norm(v, 1, m - 1) === 0) {
      // Column already reduced: P = I (β = 0 marks it for the accumulation).
      e[k] = v[0];
      continue;
    }
    const sigma = norm(v, 0, m);
    const x0 = v[0];
    // Reflect onto −sign(x0)·σ·e₁ so that v₀ = x0 + sign(x0)σ involves no cancellation.
    const alpha = x0 >= 0 ? -sigma : sigma;
    v[0] = x0 - alpha;
    const beta = 1 / (sigma * (sigma + Math.abs(x0))); // = 2 / vᵀv
    e[k] = alpha;
    // p = βBv, then p ← p − (β pᵀv / 2) v, so that PBP = B − vpᵀ − pvᵀ.
    let pv = 0;
    for (let i = 0; i < m; i++) {
      const row = (off + i) * n + off;
      let s = 0;
      for (let j = 0; j < m; j++) s += w[row + j] * v[j];
      p[i] = beta * s;
      pv += p[i] * v[i];
    }
    const half = (beta * pv) / 2;
    for (let i = 0; i < m; i++) p[i] -= half * v[i];
    for (let i = 0; i < m; i++) {
      const row = (off + i) * n + off;
      const vi = v[i];
      const pi = p[i];
      for (let j = 0; j < m; j++) w[row + j] -= vi * p[j] + pi * v[j];
    }
    for (let i = 0; i < m; i++) w[(off + i) * n + k] = v[i];
    betas[k] = beta;
  }
  if (n >= 2) {
    d[n - 2] = w[(n - 2) * n + n - 2];
    e[n - 2] = w[(n - 1) * n + n - 2];
  }
  d[n - 1] = w[(n - 1) * n + n - 1];

  // Q = P₀P₁⋯P_{n−3}, built backwards (Q ← P_k Q). At step k only the trailing block of rows
  // and columns k+1.. differs from the identity, which makes this 4n³/3 flops instead of 2n³.
  // The result is stored transposed, so Qᵀ ← Qᵀ P_k acts on rows of qt.
  for (let i = 0; i < n; i++) qt[i * n + i] = 1;
  for (let k = n - 3; k >= 0; k--) {
    const beta = betas[k];
    if (beta === 0) continue;
    const off = k + 1;
    const m = n - off;
    for (let j = off; j < n; j++) {
      const row = j * n + off;
      let s = 0;
      for (let i = 0; i < m; i++) s += qt[row + i] * w[(off + i) * n + k];
      s *= beta;
      for (let i = 0; i < m; i++) qt[row + i] -= s * w[(off + i) * n + k];
    }
  }
}
