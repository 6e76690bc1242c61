/**
 * overparam as a library (Node). Everything of the engine entry (`overparam/engine`, which
 * also runs in a browser Web Worker), plus what needs a file system: .npy files named in a
 * spec, presets, run folders, and the ONNX Runtime matrix kernels.
 *
 *   import { simulate } from "overparam";
 *   const run = await simulate({ dimension: 10, activation: "relu", … });
 *   run.metrics.loss // Float64Array over run.steps
 */
import {
  type ArrayStore,
  finish,
  type MatrixKernels,
  resolveSpec,
  type SimulateOptions,
  type SimulationResult,
  type SimulationStream,
  simulateStream as streamInMemory,
} from "./engine.js";
import { loadSpecArrays } from "./io/specFile.js";
import { type KernelChoice, selectKernels } from "./kernels/index.js";
import type { Spec, SpecInput } from "./spec/schema.js";

export * from "./engine.js";
export { type LoadedRun, loadRun } from "./io/loadRun.js";
export type { Manifest } from "./io/manifest.js";
export { loadPreset, type PresetInfo, presets } from "./io/presets.js";
export { type RunToFolderOptions, runToFolder } from "./io/runToFolder.js";
export type { KernelChoice } from "./kernels/index.js";
export { specJsonSchema } from "./spec/jsonSchema.js";

export interface NodeSimulateOptions extends Omit<SimulateOptions, "matrixKernels"> {
  /**
   * Matrix products of large empirical losses: "auto" (the system BLAS when it loads, else ONNX
   * Runtime, for products large enough to gain, else the WebAssembly kernel; the default),
   * "blas", "onnx", "wasm" (WebAssembly SIMD, on every core), "portable" (TypeScript), or your
   * own kernels.
   */
  kernels?: KernelChoice | MatrixKernels;
  /** Folder that relative .npy paths in the spec are read from (default: the working folder). */
  baseDir?: string;
}

/** Like the engine's simulate, reading the spec's .npy files and choosing the kernels. */
export async function simulate(
  spec: SpecInput | Spec,
  options: NodeSimulateOptions = {},
): Promise<SimulationResult> {
  return finish(simulateStream(spec, options));
}

/** Like the engine's simulateStream, reading the spec's .npy files and choosing the kernels. */
export function simulateStream(
  spec: SpecInput | Spec,
  options: NodeSimulateOptions = {},
): SimulationStream {
  const resolved = resolveSpec(spec);
  const { kernels = "auto", baseDir = process.cwd(), ...rest } = options;
  const selected = typeof kernels === "string" ? selectKernels({ choice: kernels }) : null;
  const matrixKernels = selected ? selected.kernels : (kernels as MatrixKernels);
  let inner: SimulationStream | null = null;
  let resolveInner!: (s: SimulationStream) => void;
  let rejectInner!: (e: unknown) => void;
  const ready = new Promise<SimulationStream>((res, rej) => {
    resolveInner = res;
    rejectInner = rej;
  });
  ready.catch(() => {});
  const start = async (): Promise<SimulationStream> => {
    if (!inner) {
      try {
        const arrays: ArrayStore = options.arrays ?? (await loadSpecArrays(resolved, baseDir));
        inner = streamInMemory(resolved, { ...rest, arrays, matrixKernels });
        resolveInner(inner);
      } catch (e) {
        rejectInner(e);
        throw e;
      }
    }
    return inner;
  };
  async function* rows() {
    try {
      yield* await start();
    } finally {
      selected?.close(); // the WebAssembly GEMM's helper threads, if it started any
    }
  }
  const iterator = rows();
  const columns = ready.then((s) => s.columns);
  const result = ready.then((s) => s.result);
  columns.catch(() => {});
  result.catch(() => {});
  return Object.assign(iterator, { columns, result }) as SimulationStream;
}
