/**
 * MatrixKernels backed by ONNX Runtime's float64 GEMM (MLAS, multithreaded), for Node only.
 *
 * Why this backend (measured on the 2-core development machine, BENCHMARKS.md): a plain
 * TypeScript product runs at ~1–2 GFLOP/s and WebAssembly SIMD has no float64 FMA, while ORT's
 * float64 Gemm ran at ~77–86 GFLOP/s on two threads against numpy/OpenBLAS's ~100. The npm
 * package ships its CPU binaries (its postinstall only fetches optional CUDA providers, which
 * the project's .npmrc turns off) and is an optional dependency: where it cannot be loaded, or
 * fails the self-check below, the portable kernels are used and the reason is reported.
 *
 * ORT's public `InferenceSession.run` is asynchronous only in name: it defers a synchronous
 * native call with setImmediate. The engine's loop is synchronous, so this module calls that
 * native session directly (onnxruntime-node's `dist/binding.js`, hence the exact version pin
 * in package.json), with the operands wrapped in place and the product written straight into
 * the caller's C: no copies, no worker thread. Products too small to pay for the call stay on
 * the portable kernel.
 */
import { createRequire } from "node:module";
import { cpus } from "node:os";
import type { MatrixKernels } from "../core/linalg/gemm.js";
import { checkAgainstPortable, firstLine, type NativeGemm, nativeKernels } from "./native.js";
import { gemmModel } from "./onnxModel.js";

export interface OnnxKernelOptions {
  /** ORT intra-op threads (default: the number of CPU cores). */
  threads?: number;
  /** Products with fewer multiply-adds (M·N·K) than this use the portable kernel. */
  minWork?: number;
}

/** Default for minWork: below ~250 000 multiply-adds the portable kernel takes well under 1 ms. */
export const ONNX_MIN_WORK = 1 << 18;

interface NativeSession {
  loadModel(buffer: ArrayBufferLike, offset: number, length: number, options: object): void;
  run(feeds: object, fetches: object, options: object): unknown;
}
type TensorClass = new (type: "float64", data: Float64Array, dims: readonly number[]) => object;

/**
 * ONNX Runtime kernels, checked on small products of every transpose combination against the
 * portable kernel; `kernels` is null (and `reason` says why) when that is not possible here.
 */
export function loadOnnxKernels(options: OnnxKernelOptions = {}): {
  kernels: MatrixKernels | null;
  reason: string;
} {
  let binding: { InferenceSession: new () => NativeSession };
  let Tensor: TensorClass;
  try {
    const require = createRequire(import.meta.url);
    const internal = require("onnxruntime-node/dist/binding.js");
    Tensor = require("onnxruntime-node").Tensor;
    internal.initOrt();
    binding = internal.binding;
  } catch (e) {
    return { kernels: null, reason: `onnxruntime-node is not available (${firstLine(e)})` };
  }
  const threads = options.threads ?? Math.max(1, cpus().length);
  const minWork = options.minWork ?? ONNX_MIN_WORK;
  const sessions = new Map<string, NativeSession>();
  const session = (transA: boolean, transB: boolean): NativeSession => {
    const key = `${+transA}${+transB}`;
    let s = sessions.get(key);
    if (!s) {
      s = new binding.InferenceSession();
      const model = gemmModel(transA, transB);
      s.loadModel(model.buffer, model.byteOffset, model.byteLength, {
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        executionMode: "sequential",
        graphOptimizationLevel: "all",
      });
      sessions.set(key, s);
    }
    return s;
  };

  const native: NativeGemm = (transA, transB, M, N, K, A, B, C) => {
    const feeds = {
      A: new Tensor("float64", A.subarray(0, M * K), transA ? [K, M] : [M, K]),
      B: new Tensor("float64", B.subarray(0, K * N), transB ? [N, K] : [K, N]),
    };
    const fetches = { Y: new Tensor("float64", C.subarray(0, M * N), [M, N]) };
    session(transA, transB).run(feeds, fetches, {});
  };

  const kernels = nativeKernels(
    `onnxruntime ${threads} thread${threads === 1 ? "" : "s"}`,
    minWork,
    native,
  );
  // Small products through ORT itself before it is trusted: this catches a binding whose
  // internals moved as well as a broken installation.
  try {
    checkAgainstPortable(native);
  } catch (e) {
    return { kernels: null, reason: `ONNX Runtime failed its self-check: ${firstLine(e)}` };
  }
  return { kernels, reason: "" };
}
