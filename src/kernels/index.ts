/**
 * Choosing the matrix-product backend in Node (the core defaults to the WebAssembly kernel and
 * never imports this). "auto" takes ONNX Runtime when it loads and passes its self-check, and
 * otherwise the WebAssembly SIMD kernel (itself falling back to TypeScript where WebAssembly
 * SIMD is missing); "onnx" insists; "wasm" forces the WebAssembly kernel (what a browser or an
 * install without onnxruntime-node gets); "portable" forces the pure-TypeScript kernel.
 */
import { type MatrixKernels, portableKernels } from "../core/linalg/gemm.js";
import { loadOnnxKernels, ONNX_MIN_WORK } from "./onnxRuntime.js";
import { createNodeThreadedGemm } from "./wasmThreads.js";

export const KERNEL_CHOICES = ["auto", "portable", "onnx", "wasm"] as const;
export type KernelChoice = (typeof KERNEL_CHOICES)[number];

export interface KernelSelection {
  /** What to install. */
  choice: KernelChoice;
  /**
   * Threads of a product, ORT's or the WebAssembly kernel's (default: all cores; a pool of
   * jobs gives each job its share, 1 when there is a job per core).
   */
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
  /** Ends the backend's helper threads (the WebAssembly kernel's); products still work after. */
  close(): void;
}

/**
 * Creates the chosen backend, to be passed to the engine (setupRun's options); it installs
 * nothing globally, so a thread may hold several. "auto" loads ONNX Runtime only when the first
 * product large enough for it comes (a population run never pays its ~30 MB and load time)
 * and falls back to the WebAssembly kernel, naming the reason, when it cannot load; smaller
 * products run on the WebAssembly kernel too. "onnx" loads at once and throws when it is not
 * available.
 */
export function selectKernels(selection: KernelSelection): SelectedKernels {
  if (selection.choice !== "auto") {
    let kernels: MatrixKernels = portableKernels;
    if (selection.choice === "wasm") {
      const wasm = createNodeThreadedGemm({ threads: selection.threads });
      return {
        kernels: wasm,
        startRun() {},
        describeRun: () => wasm.name,
        close: () => wasm.close(),
      };
    }
    if (selection.choice === "onnx") {
      const loaded = loadOnnxKernels({ threads: selection.threads });
      if (!loaded.kernels) throw new Error(`--kernels onnx: ${loaded.reason}`);
      kernels = loaded.kernels;
    }
    return { kernels, startRun() {}, describeRun: () => kernels.name, close() {} };
  }
  let onnx: MatrixKernels | null | undefined; // undefined: not tried yet
  let reason = "";
  let largeProducts = 0; // in the current run
  // the fallback for products when ONNX Runtime is absent, with as many threads as ORT's
  const wasm = createNodeThreadedGemm({ threads: selection.threads });
  const auto: MatrixKernels = {
    get name() {
      if (onnx) return onnx.name;
      return onnx === null
        ? `${wasm.name} (${reason})`
        : `${wasm.name} (onnxruntime not loaded yet)`;
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
      (onnx ?? wasm).gemm(transA, transB, M, N, K, A, B, C);
    },
  };
  return {
    kernels: auto,
    startRun() {
      largeProducts = 0;
    },
    describeRun: () =>
      largeProducts === 0 ? `${wasm.name} (no product large enough for onnxruntime)` : auto.name,
    close: () => wasm.close(),
  };
}
