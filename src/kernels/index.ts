/**
 * Choosing the matrix-product backend in Node (the core defaults to the portable kernels and
 * never imports this). "auto" takes ONNX Runtime when it loads and passes its self-check, and
 * otherwise the portable kernels; "onnx" insists; "portable" forces the pure-TypeScript path.
 */
import { type MatrixKernels, portableKernels, useMatrixKernels } from "../core/linalg/gemm.js";
import { loadOnnxKernels, ONNX_MIN_WORK } from "./onnxRuntime.js";

export const KERNEL_CHOICES = ["auto", "portable", "onnx"] as const;
export type KernelChoice = (typeof KERNEL_CHOICES)[number];

export interface KernelSelection {
  /** What to install. */
  choice: KernelChoice;
  /** ORT threads (default: all cores). */
  threads?: number;
}

/** The default: $OVERPARAM_KERNELS when set, else "auto". */
export function defaultKernelChoice(): KernelChoice {
  return parseKernelChoice(process.env.OVERPARAM_KERNELS ?? "auto", "OVERPARAM_KERNELS");
}

export function parseKernelChoice(value: string, where = "--kernels"): KernelChoice {
  if ((KERNEL_CHOICES as readonly string[]).includes(value)) return value as KernelChoice;
  throw new RangeError(
    `${where}: "${value}" is not a kernel backend; use one of ${KERNEL_CHOICES.join(", ")}`,
  );
}

/**
 * Installs the chosen backend for this thread and returns it; its `name` says what actually
 * ran (read it after the run). "auto" loads ONNX Runtime only when the first product large
 * enough for it comes (a population run never pays its ~30 MB and load time) and falls back
 * to the portable kernels, naming the reason, when it cannot load. "onnx" loads at once and
 * throws when it is not available.
 */
export function installKernels(selection: KernelSelection): MatrixKernels {
  if (selection.choice === "portable") {
    useMatrixKernels(portableKernels);
    return portableKernels;
  }
  if (selection.choice === "onnx") {
    const { kernels, reason } = loadOnnxKernels({ threads: selection.threads });
    if (!kernels) throw new Error(`--kernels onnx: ${reason}`);
    useMatrixKernels(kernels);
    return kernels;
  }
  let onnx: MatrixKernels | null | undefined; // undefined: not tried yet
  let reason = "";
  const auto: MatrixKernels = {
    get name() {
      if (onnx) return onnx.name;
      return onnx === null
        ? `portable (${reason})`
        : "portable (auto: no product large enough for onnxruntime)";
    },
    gemm(transA, transB, M, N, K, A, B, C) {
      if (onnx === undefined && M * N * K >= ONNX_MIN_WORK) {
        const loaded = loadOnnxKernels({ threads: selection.threads });
        onnx = loaded.kernels;
        reason = loaded.reason;
      }
      (onnx ?? portableKernels).gemm(transA, transB, M, N, K, A, B, C);
    },
  };
  useMatrixKernels(auto);
  return auto;
}
