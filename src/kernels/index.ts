/**
 * Choosing the matrix-product backend in Node (the core defaults to the WebAssembly kernel and
 * never imports this). "auto" takes the system BLAS (OpenBLAS through koffi) when it loads and
 * passes its self-check, else ONNX Runtime, else the WebAssembly SIMD kernel (itself falling
 * back to TypeScript where WebAssembly SIMD is missing); "blas" and "onnx" insist on theirs;
 * "wasm" forces the WebAssembly kernel (what a browser or an install without either gets);
 * "portable" forces the pure-TypeScript kernel.
 */
import { axpyLoop, type MatrixKernels, portableKernels } from "../core/linalg/gemm.js";
import { BLAS_MIN_WORK, loadBlasKernels } from "./blas.js";
import { adviseHugePages } from "./hugePages.js";
import { AXPY_MIN_LENGTH } from "./native.js";
import { loadOnnxKernels, ONNX_MIN_WORK } from "./onnxRuntime.js";
import { createNodeThreadedGemm } from "./wasmThreads.js";

export const KERNEL_CHOICES = ["auto", "portable", "blas", "onnx", "wasm"] as const;
export type KernelChoice = (typeof KERNEL_CHOICES)[number];

export interface KernelSelection {
  /** What to install. */
  choice: KernelChoice;
  /**
   * Threads of a product, BLAS's, ORT's or the WebAssembly kernel's (default: all cores; a pool
   * of jobs gives each job its share, 1 when there is a job per core).
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

/** Loaders of the native backends, in the order "auto" tries them. */
const NATIVE: Record<"blas" | "onnx", (threads?: number) => ReturnType<typeof loadBlasKernels>> = {
  blas: (threads) => loadBlasKernels({ threads }),
  onnx: (threads) => loadOnnxKernels({ threads }),
};

/**
 * For `--kernels blas|onnx`, which are promises: the reason the backend cannot load here
 * (empty when it can), so a command fails before anything runs.
 */
export function unavailableReason(choice: KernelChoice): string {
  if (choice !== "blas" && choice !== "onnx") return "";
  return NATIVE[choice](1).reason;
}

/**
 * Creates the chosen backend, to be passed to the engine (setupRun's options); it installs
 * nothing globally, so a thread may hold several. "auto" loads a native backend (BLAS, else
 * ONNX Runtime) only when the first product large enough for it comes (a population run never
 * pays its load time) and falls back to the WebAssembly kernel, naming the reasons, when
 * neither loads; smaller products run on the WebAssembly kernel too. "blas" and "onnx" load at
 * once and throw when they are not available.
 */
export function selectKernels(selection: KernelSelection): SelectedKernels {
  if (selection.choice !== "auto") {
    // in Node every backend gets the huge-page hint for the engine's large arrays
    let kernels: MatrixKernels = { ...portableKernels, adviseLargeArray: adviseHugePages };
    if (selection.choice === "wasm") {
      const wasm = createNodeThreadedGemm({ threads: selection.threads });
      wasm.adviseLargeArray = adviseHugePages;
      return {
        kernels: wasm,
        startRun() {},
        describeRun: () => wasm.name,
        close: () => wasm.close(),
      };
    }
    if (selection.choice === "blas" || selection.choice === "onnx") {
      const loaded = NATIVE[selection.choice](selection.threads);
      if (!loaded.kernels) throw new Error(`--kernels ${selection.choice}: ${loaded.reason}`);
      kernels = loaded.kernels;
    }
    return { kernels, startRun() {}, describeRun: () => kernels.name, close() {} };
  }
  let native: MatrixKernels | null | undefined; // undefined: not tried yet
  let reason = "";
  let largeProducts = 0; // in the current run
  // the fallback for products when no native backend loads, with as many threads as theirs
  const wasm = createNodeThreadedGemm({ threads: selection.threads });
  const minWork = Math.min(BLAS_MIN_WORK, ONNX_MIN_WORK);
  const loadNative = (): MatrixKernels | null => {
    if (native === undefined) {
      const reasons: string[] = [];
      for (const load of [NATIVE.blas, NATIVE.onnx]) {
        const loaded = load(selection.threads);
        if (loaded.kernels) {
          native = loaded.kernels;
          break;
        }
        reasons.push(loaded.reason);
      }
      if (!native) {
        native = null;
        reason = reasons.join("; ");
      }
    }
    return native;
  };
  const auto: MatrixKernels = {
    adviseLargeArray: adviseHugePages,
    get name() {
      if (native) return native.name;
      return native === null
        ? `${wasm.name} (${reason})`
        : `${wasm.name} (native kernels not loaded yet)`;
    },
    gemm(transA, transB, M, N, K, A, B, C) {
      if (M * N * K >= minWork) {
        largeProducts++;
        loadNative();
      }
      (native ?? wasm).gemm(transA, transB, M, N, K, A, B, C);
    },
    // decided by the vector's length alone, as products are by their size, so a run's numbers
    // do not depend on what loaded before it in the same thread
    axpy(alpha, x, y) {
      const kernels = y.length >= AXPY_MIN_LENGTH ? loadNative() : null;
      if (kernels?.axpy) kernels.axpy(alpha, x, y);
      else axpyLoop(alpha, x, y);
    },
  };
  return {
    kernels: auto,
    startRun() {
      largeProducts = 0;
    },
    describeRun: () =>
      largeProducts === 0 ? `${wasm.name} (no product large enough for native kernels)` : auto.name,
    close: () => wasm.close(),
  };
}
