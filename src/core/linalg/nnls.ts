/**
 * Non-negative least squares min ‖Ax − b‖ subject to x ≥ 0 by the Lawson–Hanson active-set
 * algorithm (Lawson & Hanson, Solving Least Squares Problems, 1974, ch. 23). The
 * unconstrained subproblems on the passive set are solved by Householder QR of those columns
 * (no normal equations, so conditioning is not squared). A is rows×cols, row-major.
 */
export function nnls(
  A: Float64Array,
  rows: number,
  cols: number,
  b: Float64Array,
  options: { maxIterations?: number; tolerance?: number } = {},
): { x: Float64Array; residualNorm: number; iterations: number } {
  const maxIter = options.maxIterations ?? 3 * cols + 30;
  let scaleA = 0;
  for (let k = 0; k < A.length; k++) scaleA = Math.max(scaleA, Math.abs(A[k]));
  let scaleB = 0;
  for (let k = 0; k < b.length; k++) scaleB = Math.max(scaleB, Math.abs(b[k]));
  const tol = options.tolerance ?? 1e-12 * Math.max(1, scaleA * scaleB * rows);
  const x = new Float64Array(cols);
  const passive = new Array<boolean>(cols).fill(false);
  const w = new Float64Array(cols);
  let iterations = 0;
  const gradient = () => {
    // w = Aᵀ(b − Ax)
    const r = residual(A, rows, cols, x, b);
    w.fill(0);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) w[j] += A[i * cols + j] * r[i];
  };
  gradient();
  while (iterations < maxIter) {
    let jMax = -1;
    let wMax = tol;
    for (let j = 0; j < cols; j++) {
      if (!passive[j] && w[j] > wMax) {
        wMax = w[j];
        jMax = j;
      }
    }
    if (jMax < 0) break;
    passive[jMax] = true;
    for (;;) {
      iterations++;
      const P = passive.map((p, j) => (p ? j : -1)).filter((j) => j >= 0);
      const z = leastSquares(A, rows, cols, P, b);
      if (P.every((_j, k) => z[k] > 0)) {
        x.fill(0);
        P.forEach((j, k) => {
          x[j] = z[k];
        });
        break;
      }
      // step back to the boundary of the feasible region and drop the columns that hit zero
      let alpha = Number.POSITIVE_INFINITY;
      P.forEach((j, k) => {
        if (z[k] <= 0) alpha = Math.min(alpha, x[j] / (x[j] - z[k]));
      });
      P.forEach((j, k) => {
        x[j] += alpha * (z[k] - x[j]);
        if (x[j] <= 1e-15 * Math.max(1, Math.abs(z[k]))) {
          x[j] = 0;
          passive[j] = false;
        }
      });
      if (iterations >= maxIter) break;
    }
    gradient();
  }
  const r = residual(A, rows, cols, x, b);
  return { x, residualNorm: Math.sqrt(r.reduce((s, v) => s + v * v, 0)), iterations };
}

function residual(
  A: Float64Array,
  rows: number,
  cols: number,
  x: Float64Array,
  b: Float64Array,
): Float64Array {
  const r = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = b[i];
    for (let j = 0; j < cols; j++) s -= A[i * cols + j] * x[j];
    r[i] = s;
  }
  return r;
}

/** min ‖A_P z − b‖ over the columns P by Householder QR; rank-deficient columns get z = 0. */
function leastSquares(
  A: Float64Array,
  rows: number,
  cols: number,
  P: number[],
  b: Float64Array,
): Float64Array {
  const k = P.length;
  const R = new Float64Array(rows * k);
  for (let i = 0; i < rows; i++) for (let c = 0; c < k; c++) R[i * k + c] = A[i * cols + P[c]];
  const y = new Float64Array(b);
  const steps = Math.min(rows, k);
  for (let c = 0; c < steps; c++) {
    let norm = 0;
    for (let i = c; i < rows; i++) norm += R[i * k + c] ** 2;
    norm = Math.sqrt(norm);
    if (norm === 0) continue;
    const alpha = R[c * k + c] > 0 ? -norm : norm;
    const v = new Float64Array(rows - c);
    for (let i = c; i < rows; i++) v[i - c] = R[i * k + c];
    v[0] -= alpha;
    const vv = v.reduce((s, t) => s + t * t, 0);
    if (vv === 0) continue;
    for (let cc = c; cc < k; cc++) {
      let s = 0;
      for (let i = c; i < rows; i++) s += v[i - c] * R[i * k + cc];
      const f = (2 * s) / vv;
      for (let i = c; i < rows; i++) R[i * k + cc] -= f * v[i - c];
    }
    let s = 0;
    for (let i = c; i < rows; i++) s += v[i - c] * y[i];
    const f = (2 * s) / vv;
    for (let i = c; i < rows; i++) y[i] -= f * v[i - c];
  }
  const z = new Float64Array(k);
  let diagMax = 0;
  for (let c = 0; c < steps; c++) diagMax = Math.max(diagMax, Math.abs(R[c * k + c]));
  for (let c = steps - 1; c >= 0; c--) {
    const d = R[c * k + c];
    if (Math.abs(d) <= 1e-12 * diagMax) {
      z[c] = 0;
      continue;
    }
    let s = y[c];
    for (let cc = c + 1; cc < steps; cc++) s -= R[c * k + cc] * z[cc];
    z[c] = s / d;
  }
  return z;
}
