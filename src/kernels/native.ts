/**
 * What the native backends (src/kernels/blas.ts, src/kernels/onnxRuntime.ts) share: the
 * MatrixKernels wrapper that keeps small products on the portable kernel, and the self-check
 * a backend passes before it is trusted.
 */
import { checkGemmShapes, type MatrixKernels, portableKernels } from "../core/linalg/gemm.js";

/** A native product C = op(A)·op(B) of checked, non-empty shapes. */
export type NativeGemm = MatrixKernels["gemm"];

/**
 * MatrixKernels over a native product: products with fewer multiply-adds (M·N·K) than
 * `minWork`, or an empty dimension, run on the portable kernel (the call would cost more).
 */
export function nativeKernels(name: string, minWork: number, native: NativeGemm): MatrixKernels {
  return {
    name,
    gemm(transA, transB, M, N, K, A, B, C) {
      checkGemmShapes(M, N, K, A, B, C);
      if (M * N * K < minWork || M === 0 || N === 0 || K === 0)
        portableKernels.gemm(transA, transB, M, N, K, A, B, C);
      else native(transA, transB, M, N, K, A, B, C);
    },
  };
}

/**
 * Small products of every transpose combination through `native`, against the portable kernel
 * (A an offset view, so a backend that ignores a view's offset fails too); throws naming the
 * first combination that differs. This catches a broken installation, a binding whose
 * internals moved, or a library with another calling convention.
 */
export function checkAgainstPortable(native: NativeGemm): void {
  const [M, N, K] = [3, 5, 7];
  for (const transA of [false, true])
    for (const transB of [false, true]) {
      const A = Float64Array.from({ length: M * K + 1 }, (_, i) => Math.sin(i + 1)).subarray(1);
      const B = Float64Array.from({ length: K * N }, (_, i) => Math.cos(i + 1));
      const ours = new Float64Array(M * N).fill(Number.NaN);
      const reference = new Float64Array(M * N);
      native(transA, transB, M, N, K, A, B, ours);
      portableKernels.gemm(transA, transB, M, N, K, A, B, reference);
      for (let i = 0; i < ours.length; i++)
        if (!(Math.abs(ours[i] - reference[i]) <= 1e-13 * (1 + Math.abs(reference[i]))))
          throw new Error(`its product (transA ${transA}, transB ${transB}) differs`);
    }
}

/** An error's first line, for one-line reasons. */
export function firstLine(e: unknown): string {
  return String(e instanceof Error ? e.message : e).split("\n")[0];
}
