import { type KernelExports, kernelModule } from "../wasm/kernels.js";
import { checkGemmShapes, type MatrixKernels, portableKernels } from "./gemm.js";

/**
 * Matrix products by the WebAssembly SIMD kernel of assembly/kernels.ts (`gemm`: packed
 * panels, a 4×4 f64x2 register tile, cache blocking over K; issue 11). Plain ECMAScript +
 * WebAssembly, so it runs in Node and in a browser Web Worker alike: the default wherever
 * ONNX Runtime is absent (src/core/engine.ts, src/kernels/index.ts).
 *
 * The kernel works on its own linear memory, so the operands are copied in and the product
 * copied out (O(MK + KN + MN) against the product's O(MNK): ~1% of a DU step, see
 * BENCHMARKS.md). Products larger than the memory budget run in blocks of rows and columns of C.
 */
export interface WasmGemmOptions {
  /** Most bytes of WebAssembly memory for operands and product (default 256 MiB). */
  budgetBytes?: number;
  /**
   * The compiled kernel module to instantiate (default: this thread's kernelModule()); a helper
   * thread of the threaded GEMM gets its creator's, so it compiles nothing.
   */
  module?: WebAssembly.Module | null;
}

/** The WebAssembly GEMM, with products restricted to a block of C (what a thread computes). */
export interface WasmGemm extends MatrixKernels {
  /**
   * Rows r0..r1 and columns c0..c1 of C = op(A)·op(B) (shapes as gemm's), written at their
   * place in the M×N row-major C; shapes are not checked here (the caller did).
   */
  region(
    transA: boolean,
    transB: boolean,
    M: number,
    N: number,
    K: number,
    A: Float64Array,
    B: Float64Array,
    C: Float64Array,
    r0: number,
    r1: number,
    c0: number,
    c1: number,
  ): void;
}

const PAGE = 65536;
const DEFAULT_BUDGET = 256 * 2 ** 20;

/** Copies rows r0..r1, columns c0..c1 of a row-major matrix of width w into dst at offset. */
function copyBlock(
  src: Float64Array,
  w: number,
  r0: number,
  r1: number,
  c0: number,
  c1: number,
  dst: Float64Array,
  offset: number,
): void {
  if (c0 === 0 && c1 === w) {
    dst.set(src.subarray(r0 * w, r1 * w), offset);
    return;
  }
  const width = c1 - c0;
  for (let r = r0; r < r1; r++)
    dst.set(src.subarray(r * w + c0, r * w + c1), offset + (r - r0) * width);
}

/**
 * The WebAssembly GEMM. Nothing is compiled or allocated until the first product: then the
 * kernel module is compiled (once per thread, shared with the other kernels) and a private
 * instance made, its memory grown as products need and never shared, so two engines in one
 * thread never touch each other's memory. Where WebAssembly SIMD is unavailable, or memory
 * cannot grow, products run on the portable TypeScript kernel and `name` says so.
 */
export function createWasmGemm(options: WasmGemmOptions = {}): WasmGemm {
  const budget = Math.max(options.budgetBytes ?? DEFAULT_BUDGET, 1 << 20);
  let kernel: KernelExports | null = null;
  let f64 = new Float64Array(0);
  let workBytes = 0;
  let fallback = "";

  /** Memory for `doubles` operand values after the scratch; false when it cannot grow. */
  const reserve = (doubles: number): boolean => {
    if (!kernel) {
      const module = options.module !== undefined ? options.module : kernelModule();
      if (!module) {
        fallback = "WebAssembly SIMD is unavailable";
        return false;
      }
      try {
        kernel = new WebAssembly.Instance(module, {}).exports as unknown as KernelExports;
      } catch (e) {
        fallback = `no WebAssembly instance (${(e as Error).message})`;
        return false;
      }
      workBytes = kernel.gemmWorkBytes();
    }
    const bytes = workBytes + doubles * 8;
    const have = kernel.memory.buffer.byteLength;
    if (bytes > have) {
      try {
        kernel.memory.grow(Math.ceil((bytes - have) / PAGE));
      } catch (e) {
        fallback = `WebAssembly memory could not grow to ${bytes} bytes: ${(e as Error).message}`;
        return false;
      }
    }
    if (f64.buffer !== kernel.memory.buffer) f64 = new Float64Array(kernel.memory.buffer);
    return true;
  };

  /**
   * C[r0:r1, c0:c1] of the M×N product op(A)·op(B), written into C at its place in the full
   * row-major M×N layout (the rest of C untouched). Every entry is the same kernel sum over k
   * (KC-deep slices added in order) whatever block it is computed in, so a product cut into
   * blocks, here for the memory budget or by the threaded GEMM (threadedGemm.ts) across
   * threads, gives bit for bit the numbers of the whole product.
   */
  const region: WasmGemm["region"] = (transA, transB, M, N, K, A, B, C, r0, r1, c0, c1) => {
    const rows = r1 - r0;
    const cols = c1 - c0;
    if (rows <= 0 || cols <= 0) return;
    // blocks of C: Mc rows × Nc columns, with the operands they need, within the budget
    const doubles = Math.floor(budget / 8);
    let Nc = cols;
    let Mc = rows;
    if (rows * K + K * cols + rows * cols > doubles) {
      if (K * cols > doubles / 3) Nc = Math.max(1, Math.floor(doubles / 3 / K));
      Mc = Math.min(rows, Math.floor((doubles - K * Nc) / (K + Nc)));
    }
    if (Mc < 1 || !reserve(Mc * K + K * Nc + Mc * Nc)) {
      if (Mc < 1) fallback = `K = ${K} leaves no room within ${budget} bytes`;
      portableRegion(transA, transB, M, N, K, A, B, C, r0, r1, c0, c1);
      return;
    }
    const k = kernel as KernelExports;
    const work = 0;
    const offA = workBytes / 8;
    const offB = offA + Mc * K;
    const offC = offB + K * Nc;
    for (let j0 = c0; j0 < c1; j0 += Nc) {
      const j1 = Math.min(c1, j0 + Nc);
      const nc = j1 - j0;
      // op(B)[:, j0:j1]: rows j0..j1 of a stored N×K, or columns j0..j1 of a stored K×N
      if (transB) copyBlock(B, K, j0, j1, 0, K, f64, offB);
      else copyBlock(B, N, 0, K, j0, j1, f64, offB);
      for (let i0 = r0; i0 < r1; i0 += Mc) {
        const i1 = Math.min(r1, i0 + Mc);
        const mc = i1 - i0;
        if (transA) copyBlock(A, M, 0, K, i0, i1, f64, offA);
        else copyBlock(A, K, i0, i1, 0, K, f64, offA);
        k.gemm(transA ? 1 : 0, transB ? 1 : 0, mc, nc, K, offA * 8, offB * 8, offC * 8, work);
        if (nc === N) C.set(f64.subarray(offC, offC + mc * N), i0 * N);
        else
          for (let r = 0; r < mc; r++)
            C.set(f64.subarray(offC + r * nc, offC + (r + 1) * nc), (i0 + r) * N + j0);
      }
    }
  };

  return {
    get name() {
      if (!fallback) return "wasm";
      return kernel ? `wasm (portable where ${fallback})` : `portable (${fallback})`;
    },
    gemm(transA, transB, M, N, K, A, B, C) {
      checkGemmShapes(M, N, K, A, B, C);
      region(transA, transB, M, N, K, A, B, C, 0, M, 0, N);
    },
    region,
  };
}

/**
 * The portable kernel on one block of C (where the WebAssembly kernel cannot run): op(A)'s rows
 * and op(B)'s columns of the block copied out, multiplied, and the block copied into place.
 */
const portableRegion: WasmGemm["region"] = (transA, transB, M, N, K, A, B, C, r0, r1, c0, c1) => {
  if (r0 === 0 && r1 === M && c0 === 0 && c1 === N) {
    portableKernels.gemm(transA, transB, M, N, K, A, B, C);
    return;
  }
  const rows = r1 - r0;
  const cols = c1 - c0;
  const a = new Float64Array(rows * K); // op(A)[r0:r1, :], row-major
  if (transA)
    for (let k = 0; k < K; k++) for (let i = r0; i < r1; i++) a[(i - r0) * K + k] = A[k * M + i];
  else a.set(A.subarray(r0 * K, r1 * K));
  const bt = new Float64Array(cols * K); // op(B)[:, c0:c1]ᵀ, row-major
  if (transB) bt.set(B.subarray(c0 * K, c1 * K));
  else
    for (let k = 0; k < K; k++) for (let j = c0; j < c1; j++) bt[(j - c0) * K + k] = B[k * N + j];
  const c = new Float64Array(rows * cols);
  portableKernels.gemm(false, true, rows, cols, K, a, bt, c);
  for (let r = 0; r < rows; r++) C.set(c.subarray(r * cols, (r + 1) * cols), (r0 + r) * N + c0);
};
