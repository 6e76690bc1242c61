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
export function createWasmGemm(options: WasmGemmOptions = {}): MatrixKernels {
  const budget = Math.max(options.budgetBytes ?? DEFAULT_BUDGET, 1 << 20);
  let kernel: KernelExports | null = null;
  let f64 = new Float64Array(0);
  let workBytes = 0;
  let fallback = "";

  /** Memory for `doubles` operand values after the scratch; false when it cannot grow. */
  const reserve = (doubles: number): boolean => {
    if (!kernel) {
      const module = kernelModule();
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

  return {
    get name() {
      if (!fallback) return "wasm";
      return kernel ? `wasm (portable where ${fallback})` : `portable (${fallback})`;
    },
    gemm(transA, transB, M, N, K, A, B, C) {
      checkGemmShapes(M, N, K, A, B, C);
      if (M === 0 || N === 0) return;
      // blocks of C: Mc rows × Nc columns, with the operands they need, within the budget
      const doubles = Math.floor(budget / 8);
      let Nc = N;
      let Mc = M;
      if (M * K + K * N + M * N > doubles) {
        if (K * N > doubles / 3) Nc = Math.max(1, Math.floor(doubles / 3 / K));
        Mc = Math.min(M, Math.floor((doubles - K * Nc) / (K + Nc)));
      }
      if (Mc < 1 || !reserve(Mc * K + K * Nc + Mc * Nc)) {
        if (Mc < 1) fallback = `K = ${K} leaves no room within ${budget} bytes`;
        portableKernels.gemm(transA, transB, M, N, K, A, B, C);
        return;
      }
      const k = kernel as KernelExports;
      const work = 0;
      const offA = workBytes / 8;
      const offB = offA + Mc * K;
      const offC = offB + K * Nc;
      for (let j0 = 0; j0 < N; j0 += Nc) {
        const j1 = Math.min(N, j0 + Nc);
        const nc = j1 - j0;
        // op(B)[:, j0:j1]: rows j0..j1 of a stored N×K, or columns j0..j1 of a stored K×N
        if (transB) copyBlock(B, K, j0, j1, 0, K, f64, offB);
        else copyBlock(B, N, 0, K, j0, j1, f64, offB);
        for (let i0 = 0; i0 < M; i0 += Mc) {
          const i1 = Math.min(M, i0 + Mc);
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
    },
  };
}
