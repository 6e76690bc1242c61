import { type MatrixKernels, portableKernels } from "./linalg/gemm.js";
import { createWasmGemm } from "./linalg/wasmGemm.js";
import { type KernelInstance, kernelInstance, kernelModule } from "./wasm/kernels.js";

/**
 * How the engine computes, as opposed to what it computes (the spec): which matrix-product
 * kernels the large empirical losses use and whether the WebAssembly kernels may be used.
 * Passed to setupRun/runExperiment as an argument — the core keeps no global switches, so two
 * runs in one thread (a worker pool, a browser page comparing runs) cannot affect each other.
 * Every choice here gives the same numbers up to rounding (tests compare them).
 */
export interface EngineOptions {
  /**
   * Matrix products of the large empirical losses and DU metrics (default: the WebAssembly
   * SIMD kernel, a private instance per engine; the portable TypeScript kernel when
   * `webAssembly` is false or WebAssembly SIMD is missing).
   */
  matrixKernels?: MatrixKernels;
  /** Use the WebAssembly SIMD kernels where they exist (default true; false: TypeScript loops). */
  webAssembly?: boolean;
}

/** The resolved options a run's objects are built with. */
export interface Engine {
  readonly matrixKernels: MatrixKernels;
  readonly webAssembly: boolean;
  /**
   * A private WebAssembly kernel instance with room for `doubles` float64 values, or null when
   * the caller should use its TypeScript loops (switched off, unsupported, or out of memory).
   */
  wasmInstance(doubles: number): KernelInstance | null;
  /** What the engine fell back from during this run, in words (written to the manifest). */
  readonly notes: readonly string[];
}

export function createEngine(options: EngineOptions = {}): Engine {
  const notes: string[] = [];
  const webAssembly = options.webAssembly !== false;
  return {
    matrixKernels: options.matrixKernels ?? (webAssembly ? createWasmGemm() : portableKernels),
    webAssembly,
    notes,
    wasmInstance(doubles) {
      if (!webAssembly) return null;
      try {
        return kernelInstance(doubles);
      } catch (e) {
        // e.g. "WebAssembly.Instance(): Out of memory" under a virtual-memory limit: every
        // instance reserves address space, so fall back to the TypeScript loops and say so.
        const note = `WebAssembly kernels unavailable (${(e as Error).message}); used the TypeScript loops`;
        if (!notes.includes(note)) notes.push(note);
        return null;
      }
    },
  };
}

/** Whether this platform can run the WebAssembly kernels at all (compiles them if needed). */
export function webAssemblySupported(): boolean {
  return kernelModule() !== null;
}
