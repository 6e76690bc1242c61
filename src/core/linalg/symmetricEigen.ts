/**
 * All eigenvalues (ascending) and orthonormal eigenvectors of a symmetric n×n matrix by the
 * cyclic Jacobi method (Golub & Van Loan, Matrix Computations, 4th ed., §8.5): rotations
 * annihilate off-diagonal entries until they are negligible. Slower than tridiagonal QL for
 * large n (O(n³) per sweep, ~6–10 sweeps) but simple and accurate to a few ulp of ‖A‖, which
 * is what the Hessian spectra, ZGJ's M̂ and Gram matrices here need.
 *
 * Input is row-major and not modified. `vectors` is row-major with eigenvector j in column j.
 */
export function symmetricEigen(
  a: Float64Array,
  n: number,
): { values: Float64Array; vectors: Float64Array } {
  for (let k = 0; k < n * n; k++) {
    if (!Number.isFinite(a[k]))
      throw new RangeError("symmetricEigen: matrix has non-finite entries");
  }
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) A[i * n + j] = 0.5 * (a[i * n + j] + a[j * n + i]);
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  let norm = 0;
  for (let k = 0; k < n * n; k++) norm += A[k] * A[k];
  norm = Math.sqrt(norm);
  for (let sweep = 0; sweep < 100 && norm > 0; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += A[p * n + q] * A[p * n + q];
    if (Math.sqrt(2 * off) <= 1e-17 * norm) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = A[p * n + q];
        if (apq === 0) continue;
        const app = A[p * n + p];
        const aqq = A[q * n + q];
        // rotation angle with tan(2φ) = 2apq/(aqq − app), smaller root for stability (GVL Alg. 8.5.1)
        const tau = (aqq - app) / (2 * apq);
        const t = Math.sign(tau || 1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = A[k * n + p];
          const akq = A[k * n + q];
          A[k * n + p] = c * akp - s * akq;
          A[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p * n + k];
          const aqk = A[q * n + k];
          A[p * n + k] = c * apk - s * aqk;
          A[q * n + k] = s * apk + c * aqk;
        }
        A[p * n + q] = 0;
        A[q * n + p] = 0;
        for (let k = 0; k < n; k++) {
          const vkp = V[k * n + p];
          const vkq = V[k * n + q];
          V[k * n + p] = c * vkp - s * vkq;
          V[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => A[i * n + i] - A[j * n + j]);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = A[src * n + src];
    for (let k = 0; k < n; k++) vectors[k * n + dst] = V[k * n + src];
  });
  return { values, vectors };
}
