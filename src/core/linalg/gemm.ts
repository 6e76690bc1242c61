/**
 * Dense matrix products behind one small interface (issue 4), so the large empirical losses
 * can hand their O(N·m·d) products to a fast backend (ONNX Runtime's multithreaded float64
 * GEMM in Node, see src/kernels/) while the portable TypeScript kernel below stays the
 * default that runs anywhere, a browser Web Worker included.
 */
export interface MatrixKernels {
  readonly name: string;
  /**
   * C = op(A)·op(B), overwriting C (M×N, row-major). op(A) is M×K: A is stored M×K, or K×M
   * when transA. op(B) is K×N: B is stored K×N, or N×K when transB.
   */
  gemm(
    transA: boolean,
    transB: boolean,
    M: number,
    N: number,
    K: number,
    A: Float64Array,
    B: Float64Array,
    C: Float64Array,
  ): void;
  /**
   * Optional: y ← y + α·x, entry by entry (BLAS daxpy), for the GD update θ ← θ − η∇L of large
   * parameter vectors. A backend may fuse each multiply-add (one rounding instead of two) and
   * use several threads; where it is absent, or declines small vectors, the caller loops.
   */
  axpy?(alpha: number, x: Float64Array, y: Float64Array): void;
  /**
   * Optional: a hint for a large array that has not been written yet (the engine's θ, ∇θ and
   * Z): Node's backends ask the OS for huge pages there (fewer page faults and TLB misses in
   * the memory-bound passes). Changes no number; absent in the browser.
   */
  adviseLargeArray?(array: Float64Array): void;
}

/** A fresh zeroed array, with the kernels' hint (adviseLargeArray) before its first write. */
export function largeArray(kernels: MatrixKernels, length: number): Float64Array {
  const array = new Float64Array(length);
  kernels.adviseLargeArray?.(array);
  return array;
}

/** y ← y + α·x in a plain loop (two roundings per entry): what runs without a kernel's axpy. */
export function axpyLoop(alpha: number, x: Float64Array, y: Float64Array): void {
  const n = y.length;
  for (let k = 0; k < n; k++) y[k] += alpha * x[k];
}

/** Checks that the buffers hold the shapes gemm was given (one clear error instead of garbage). */
export function checkGemmShapes(
  M: number,
  N: number,
  K: number,
  A: Float64Array,
  B: Float64Array,
  C: Float64Array,
): void {
  for (const [name, v] of [
    ["M", M],
    ["N", N],
    ["K", K],
  ] as const)
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`gemm: ${name} = ${v} is not a size`);
  if (A.length < M * K) throw new RangeError(`gemm: A has ${A.length} entries, needs ${M * K}`);
  if (B.length < K * N) throw new RangeError(`gemm: B has ${B.length} entries, needs ${K * N}`);
  if (C.length < M * N) throw new RangeError(`gemm: C has ${C.length} entries, needs ${M * N}`);
}

function transpose(rows: number, cols: number, X: Float64Array, out: Float64Array): Float64Array {
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = X[i * cols + j];
  return out;
}

/** Columns of B (rows of Bᵀ) processed together in the dot-product kernel. */
const PANEL = 4;
/** Rows of A per block: a block of A stays in L1/L2 while it meets every row of Bᵀ. */
const ROW_BLOCK = 16;

/**
 * The portable kernel: every product is brought to the form C[i, j] = A[i, :]·Bᵀ[j, :] with
 * both operands contiguous along K (transposing an operand costs O(MK) or O(KN), small next to
 * O(MNK)), then rows of A are blocked and four rows of Bᵀ share each pass over a row of A, so
 * every loaded A entry feeds four independent accumulators.
 */
export const portableKernels: MatrixKernels = {
  name: "portable",
  gemm(transA, transB, M, N, K, A, B, C) {
    checkGemmShapes(M, N, K, A, B, C);
    const a = transA ? transpose(K, M, A, new Float64Array(M * K)) : A;
    const bt = transB ? B : transpose(K, N, B, new Float64Array(K * N));
    for (let i0 = 0; i0 < M; i0 += ROW_BLOCK) {
      const i1 = Math.min(M, i0 + ROW_BLOCK);
      let j = 0;
      for (; j + PANEL <= N; j += PANEL) {
        const b0 = j * K;
        const b1 = b0 + K;
        const b2 = b1 + K;
        const b3 = b2 + K;
        for (let i = i0; i < i1; i++) {
          const ao = i * K;
          let s0 = 0;
          let s1 = 0;
          let s2 = 0;
          let s3 = 0;
          for (let k = 0; k < K; k++) {
            const x = a[ao + k];
            s0 += x * bt[b0 + k];
            s1 += x * bt[b1 + k];
            s2 += x * bt[b2 + k];
            s3 += x * bt[b3 + k];
          }
          const co = i * N + j;
          C[co] = s0;
          C[co + 1] = s1;
          C[co + 2] = s2;
          C[co + 3] = s3;
        }
      }
      for (; j < N; j++) {
        const bo = j * K;
        for (let i = i0; i < i1; i++) {
          const ao = i * K;
          let s = 0;
          for (let k = 0; k < K; k++) s += a[ao + k] * bt[bo + k];
          C[i * N + j] = s;
        }
      }
    }
  },
};
