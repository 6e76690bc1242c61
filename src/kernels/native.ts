/**
 * What the native backends (src/kernels/blas.ts, src/kernels/onnxRuntime.ts) share: the
 * MatrixKernels wrapper that keeps small products on the portable kernel, and the self-check
 * a backend passes before it is trusted.
 */
import {
  axpyLoop,
  checkGemmShapes,
  type MatrixKernels,
  portableKernels,
} from "../core/linalg/gemm.js";
import { adviseHugePages } from "./hugePages.js";

/** A native product C = op(A)·op(B) of checked, non-empty shapes. */
export type NativeGemm = MatrixKernels["gemm"];

/** A native y ← y + α·x on vectors of equal length. */
export type NativeAxpy = NonNullable<MatrixKernels["axpy"]>;

/**
 * Below this many entries the GD update stays a loop: the call costs ~1 µs, and a small run's
 * numbers (a population run's θ has hundreds of entries) stay those of the loop.
 */
export const AXPY_MIN_LENGTH = 1 << 16;

/**
 * MatrixKernels over a native product: products with fewer multiply-adds (M·N·K) than
 * `minWork`, or an empty dimension, run on the portable kernel (the call would cost more).
 */
export function nativeKernels(
  name: string,
  minWork: number,
  native: NativeGemm,
  nativeAxpy?: NativeAxpy,
): MatrixKernels {
  const kernels: MatrixKernels = {
    name,
    adviseLargeArray: adviseHugePages,
    gemm(transA, transB, M, N, K, A, B, C) {
      checkGemmShapes(M, N, K, A, B, C);
      if (M * N * K < minWork || M === 0 || N === 0 || K === 0)
        portableKernels.gemm(transA, transB, M, N, K, A, B, C);
      else native(transA, transB, M, N, K, A, B, C);
    },
  };
  if (nativeAxpy)
    kernels.axpy = (alpha, x, y) => {
      if (x.length !== y.length)
        throw new RangeError(`axpy: x has ${x.length} entries, y ${y.length}`);
      if (y.length < AXPY_MIN_LENGTH) axpyLoop(alpha, x, y);
      else nativeAxpy(alpha, x, y);
    };
  return kernels;
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

/**
 * y ← y + α·x through `native` on a vector long enough to reach it, against the loop; a fused
 * multiply-add may differ from the loop's two roundings by an ulp, anything more fails.
 */
export function checkAxpyAgainstLoop(native: NativeAxpy): void {
  const n = AXPY_MIN_LENGTH + 3;
  // offset views, as for the products
  const x = Float64Array.from({ length: n + 1 }, (_, i) => Math.sin(i + 1)).subarray(1);
  const ours = Float64Array.from({ length: n + 2 }, (_, i) => Math.cos(i + 1)).subarray(2);
  const reference = ours.slice();
  native(-0.37, x, ours);
  axpyLoop(-0.37, x, reference);
  for (let i = 0; i < n; i++)
    if (!(Math.abs(ours[i] - reference[i]) <= 4e-16 * (1 + Math.abs(reference[i]))))
      throw new Error(`its axpy differs at entry ${i} of ${n}`);
}

/** An error's first line, for one-line reasons. */
export function firstLine(e: unknown): string {
  return String(e instanceof Error ? e.message : e).split("\n")[0];
}
