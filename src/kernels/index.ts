/**
 * Choosing the matrix-product backend in Node (the core defaults to the portable kernels and
 * never imports this). "auto" takes ONNX Runtime when it loads and passes its self-check, and
 * otherwise the portable kernels; "onnx" insists; "portable" forces the pure-TypeScript path.
 */
import { type MatrixKernels, portableKernels } from "../core/linalg/gemm.js";
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

/** The chosen backend, and what it did for the current run (for the run's manifest). */
export interface SelectedKernels {
  readonly kernels: MatrixKernels;
  /** Starts counting for a new run (a worker thread runs many). */
  startRun(): void;
  /** What the run's matrix products used, in words, e.g. "onnxruntime 2 threads". */
  describeRun(): string;
}

/**
 * Creates the chosen backend, to be passed to the engine (setupRun's options); it installs
 * nothing globally, so a thread may hold several. "auto" loads ONNX Runtime only when the first
 * product large enough for it comes (a population run never pays its ~30 MB and load time)
 * and falls back to the portable kernels, naming the reason, when it cannot load. "onnx" loads
 * at once and throws when it is not available.
 */
export function selectKernels(selection: KernelSelection): SelectedKernels {
  if (selection.choice !== "auto") {
    let kernels: MatrixKernels = portableKernels;
    if (selection.choice === "onnx") {
      const loaded = loadOnnxKernels({ threads: selection.threads });
      if (!loaded.kernels) throw new Error(`--kernels onnx: ${loaded.reason}`);
      kernels = loaded.kernels;
    }
    return { kernels, startRun() {}, describeRun: () => kernels.name };
  }
  let onnx: MatrixKernels | null | undefined; // undefined: not tried yet
  let reason = "";
  let largeProducts = 0; // in the current run
  const auto: MatrixKernels = {
    get name() {
      if (onnx) return onnx.name;
      return onnx === null ? `portable (${reason})` : "portable (onnxruntime not loaded yet)";
    },
    gemm(transA, transB, M, N, K, A, B, C) {
      if (M * N * K >= ONNX_MIN_WORK) {
        largeProducts++;
        if (onnx === undefined) {
          const loaded = loadOnnxKernels({ threads: selection.threads });
          onnx = loaded.kernels;
          reason = loaded.reason;
        }
      }
      (onnx ?? portableKernels).gemm(transA, transB, M, N, K, A, B, C);
    },
  };
  return {
    kernels: auto,
    startRun() {
      largeProducts = 0;
    },
    describeRun: () =>
      largeProducts === 0 ? "portable (no product large enough for onnxruntime)" : auto.name,
  };
}
