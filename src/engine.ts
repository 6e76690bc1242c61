/**
 * The library's engine entry: validate a spec, run it, stream its rows. Imports nothing from
 * Node, so it runs unchanged in a browser Web Worker (the lab uses exactly this); the package's
 * main entry (index.ts) re-exports it and adds what needs a file system (presets, run folders,
 * .npy files, the ONNX Runtime kernels).
 */
import { activations as activationRegistry } from "./core/activations/registry.js";
import type { EngineOptions } from "./core/engine.js";
import {
  experimentEvents,
  type RunEvent,
  type RunProgress,
  type RunResult,
  type RunStatus,
} from "./core/experiment/run.js";
import { setupRun } from "./core/experiment/setup.js";
import type { MatrixKernels } from "./core/linalg/gemm.js";
import { metrics as metricRegistry } from "./core/metrics/registry.js";
import { Rng } from "./core/random/rng.js";
import type { ArrayStore } from "./core/setup/arrays.js";
import { buildTeacher } from "./core/setup/teacher.js";
import type { StopRules } from "./core/spec.js";
import { compileKernelModule } from "./core/wasm/kernels.js";
import type { Spec, SpecInput } from "./spec/schema.js";
import { type SpecProblem, specProblems } from "./spec/validate.js";

export type { EngineOptions } from "./core/engine.js";
export type { RunProgress, RunStatus } from "./core/experiment/run.js";
export type { MatrixKernels } from "./core/linalg/gemm.js";
// the threaded WebAssembly GEMM: a page's run worker spawns its helpers (Web Workers running
// a script that calls serveGemmThread); Node's selectKernels does the same with worker threads
export {
  createThreadedWasmGemm,
  type GemmThread,
  type GemmThreadScope,
  type SpawnGemmThread,
  serveGemmThread,
  type ThreadedGemm,
  type ThreadedGemmOptions,
} from "./core/linalg/threadedGemm.js";
export type { ArrayStore, LoadedArray } from "./core/setup/arrays.js";
export type {
  ActivationName,
  ExperimentConfig,
  InitConfig,
  LossConfig,
  MetricName,
  OptimizerConfig,
  ParameterizationName,
  StopRules,
  TeacherConfig,
} from "./core/spec.js";
export type { Spec, SpecInput } from "./spec/schema.js";
export type { SpecProblem } from "./spec/validate.js";

export type SpecValidation = { ok: true; spec: Spec } | { ok: false; problems: SpecProblem[] };

/**
 * Checks a spec document (as parsed from YAML/JSON, or built in code) and fills in defaults.
 * The problems are the ones the CLI prints, one per field ("path: message" there).
 */
export function validateSpec(input: unknown): SpecValidation {
  return specProblems(input);
}

/** Thrown by simulate/simulateStream for a spec that does not validate. */
export class SpecError extends Error {
  constructor(readonly problems: SpecProblem[]) {
    super(
      `invalid spec: ${problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join("; ")}`,
    );
    this.name = "SpecError";
  }
}

export interface SimulateOptions {
  /** Aborting ends the run with status "interrupted", keeping every row recorded so far. */
  signal?: AbortSignal;
  /**
   * Use the WebAssembly SIMD kernels (default true; where WebAssembly is missing the
   * TypeScript loops run anyway). The numbers agree to rounding either way.
   */
  webAssembly?: boolean;
  /** Matrix-product backend for large empirical losses (default: the portable kernel). */
  matrixKernels?: MatrixKernels;
  /** Overrides of the spec's stop rules for this call. */
  stop?: Partial<StopRules>;
  /** Called between recorded rows (every `checkEvery` steps). */
  onProgress?(progress: RunProgress): void;
  /** Steps between progress reports and abort checks (default 256). */
  checkEvery?: number;
  /** The stream gives the event loop a turn at least this often, in ms (default 20). */
  yieldEveryMs?: number;
  /** Contents of the .npy files the spec names, by the path written in the spec. */
  arrays?: ArrayStore;
  /** Keep the initial weights in the result (default false). */
  initialWeights?: boolean;
}

/** One recorded row: the step, the time (η·step, or t for flow) and each metric column. */
export interface Row {
  step: number;
  time: number;
  values: Record<string, number>;
}

/** Student weights: W is m×d row-major; output weights when they are trained. */
export interface Weights {
  shape: [m: number, d: number];
  W: Float64Array;
  outputWeights: Float64Array | null;
}

export interface SimulationResult {
  /** The resolved spec that ran. */
  spec: Spec;
  status: RunStatus;
  /** Why the run ended, in words. */
  reason: string;
  /** Metric column names in recorded order, e.g. ["loss", "xd_angles[0]", …]. */
  columns: string[];
  /** The recorded steps and times (one entry per row). */
  steps: Float64Array;
  times: Float64Array;
  /** Each metric column over the recorded rows. */
  metrics: Record<string, Float64Array>;
  /** End-of-run quantities of the metrics (e.g. xd_tail_exponent, du_lambda0). */
  summary: Record<string, number | string | null>;
  finalLoss: number;
  /** Steps taken (accepted integrator steps for flow) and the time reached. */
  totalSteps: number;
  time: number;
  finalWeights: Weights | null;
  initialWeights: Weights | null;
  /** What the engine fell back from, in words (e.g. WebAssembly unavailable). */
  notes: string[];
}

/** A running simulation: iterate it for rows; `result` settles when it ends. */
export interface SimulationStream extends AsyncIterableIterator<Row> {
  /** Metric column names, known once setup is done. */
  readonly columns: Promise<string[]>;
  /** The whole result, once the run has ended (also when it is interrupted). */
  readonly result: Promise<SimulationResult>;
}

/**
 * Compiles the WebAssembly kernels asynchronously (a page should call this once in its worker
 * before running; Node compiles them on first use anyway). Resolves to whether they exist.
 */
export function loadWasmKernels(): Promise<boolean> {
  return compileKernelModule();
}

/** Checks the spec and throws SpecError with every problem when it is not valid. */
export function resolveSpec(input: SpecInput | Spec | unknown): Spec {
  const v = validateSpec(input);
  if (!v.ok) throw new SpecError(v.problems);
  return v.spec;
}

/**
 * Runs a spec and returns its recorded metrics as named columns. Rows are recorded on the
 * spec's log-spaced grid (`record.pointsPerDecade`) and at the last step.
 */
export async function simulate(
  spec: SpecInput | Spec,
  options: SimulateOptions = {},
): Promise<SimulationResult> {
  return finish(simulateStream(spec, options));
}

/** Pulls a stream to its end (the result collects the rows) and returns its result. */
export async function finish(stream: SimulationStream): Promise<SimulationResult> {
  for await (const _row of stream) {
    // nothing to do per row
  }
  return stream.result;
}

/**
 * Runs a spec as an async iterator of named rows, for live views. The work happens while the
 * iterator is pulled: stop pulling to pause, pull again to resume; abort `options.signal` (or
 * call `return()`) to stop. The spec is checked at once: an invalid spec throws SpecError.
 */
export function simulateStream(
  spec: SpecInput | Spec,
  options: SimulateOptions = {},
): SimulationStream {
  const resolved = resolveSpec(spec);
  if (resolved.sweep) {
    throw new SpecError([
      {
        path: "sweep",
        message: "simulate runs one spec; run each sweep point separately (or use the CLI's run)",
      },
    ]);
  }
  const engine: EngineOptions = {
    webAssembly: options.webAssembly,
    matrixKernels: options.matrixKernels,
  };
  let resolveColumns!: (c: string[]) => void;
  let rejectColumns!: (e: unknown) => void;
  const columns = new Promise<string[]>((res, rej) => {
    resolveColumns = res;
    rejectColumns = rej;
  });
  let resolveResult!: (r: SimulationResult) => void;
  let rejectResult!: (e: unknown) => void;
  const result = new Promise<SimulationResult>((res, rej) => {
    resolveResult = res;
    rejectResult = rej;
  });
  // an unobserved rejection is reported through the iterator, not as an unhandled promise
  columns.catch(() => {});
  result.catch(() => {});
  const yieldEvery = options.yieldEveryMs ?? 20;
  let stopRequested = false;

  async function* rows(): AsyncGenerator<Row, void, undefined> {
    const recorded = new ColumnCollector();
    let run: Generator<RunEvent, RunResult, void>;
    try {
      const ctx = setupRun(resolved, options.arrays ?? {}, engine);
      run = experimentEvents(ctx, {
        checkEvery: options.checkEvery,
        stop: options.stop,
        shouldStop: () => stopRequested || options.signal?.aborted === true,
      });
    } catch (e) {
      rejectColumns(e);
      rejectResult(e);
      throw e;
    }
    let names: string[] = [];
    let lastYield = Date.now();
    let ended = false;
    try {
      for (;;) {
        const event = run.next();
        if (event.done) {
          ended = true;
          resolveResult(recorded.result(resolved, event.value, options.initialWeights === true));
          return;
        }
        const e = event.value;
        if (e.type === "columns") {
          names = e.columns.slice(2);
          recorded.start(names);
          resolveColumns(names);
        } else if (e.type === "row") {
          recorded.add(e.row);
          const values: Record<string, number> = {};
          for (let k = 0; k < names.length; k++) values[names[k]] = e.row[k + 2];
          yield { step: e.row[0], time: e.row[1], values };
          lastYield = Date.now();
        } else {
          options.onProgress?.(e);
          if (Date.now() - lastYield >= yieldEvery) {
            // let timers, messages and abort signals through
            await new Promise<void>((r) => setTimeout(r, 0));
            lastYield = Date.now();
          }
        }
      }
    } catch (e) {
      ended = true;
      rejectColumns(e);
      rejectResult(e);
      throw e;
    } finally {
      // return() before the end: finish the run as interrupted so `result` still settles
      stopRequested = true;
      while (!ended) {
        const event = run.next();
        if (event.done) {
          ended = true;
          resolveResult(recorded.result(resolved, event.value, options.initialWeights === true));
        } else if (event.value.type === "row") recorded.add(event.value.row);
      }
    }
  }

  const iterator = rows();
  return Object.assign(iterator, { columns, result }) as SimulationStream;
}

/** Recorded rows gathered into growing Float64Array columns. */
class ColumnCollector {
  private names: string[] = [];
  private data: Float64Array[] = [];
  private n = 0;

  start(names: string[]): void {
    this.names = names;
    this.data = Array.from({ length: names.length + 2 }, () => new Float64Array(64));
  }

  add(row: readonly number[]): void {
    if (this.n === this.data[0].length)
      this.data = this.data.map((c) => {
        const grown = new Float64Array(c.length * 2);
        grown.set(c);
        return grown;
      });
    for (let k = 0; k < row.length; k++) this.data[k][this.n] = row[k];
    this.n++;
  }

  result(spec: Spec, run: RunResult, keepInitial: boolean): SimulationResult {
    const col = (k: number) => (this.data[k] ?? new Float64Array(0)).slice(0, this.n);
    const metrics: Record<string, Float64Array> = {};
    this.names.forEach((name, k) => {
      metrics[name] = col(k + 2);
    });
    return {
      spec,
      status: run.status,
      reason: run.reason,
      columns: [...this.names],
      steps: col(0),
      times: col(1),
      metrics,
      summary: run.summary,
      finalLoss: run.finalLoss,
      totalSteps: run.steps,
      time: run.time,
      finalWeights: splitWeights(spec, run.finalTheta),
      initialWeights: keepInitial ? splitWeights(spec, run.initialTheta) : null,
      notes: run.notes,
    };
  }
}

/** θ = [W (m×d), output weights (m) when trained] → Weights. */
export function splitWeights(spec: Spec, theta: Float64Array): Weights {
  const m = spec.student.width;
  const d = spec.dimension;
  return {
    shape: [m, d],
    W: theta.slice(0, m * d),
    outputWeights: spec.student.trainOutput ? theta.slice(m * d, m * d + m) : null,
  };
}

/** A teacher network: r neurons (V is r×d row-major) and their output weights. */
export interface TeacherNeurons {
  r: number;
  d: number;
  V: Float64Array;
  outputWeights: Float64Array;
}

/**
 * The teacher a spec trains against, drawn exactly as a run draws it (the seed's "teacher"
 * stream), e.g. to draw its neurons next to the students'; null for pure-noise labels.
 */
export function teacherOf(spec: SpecInput | Spec, arrays: ArrayStore = {}): TeacherNeurons | null {
  const resolved = resolveSpec(spec);
  const rng = new Rng(resolved.seed).split("teacher");
  const t = buildTeacher(resolved.teacher, resolved.dimension, rng, arrays);
  return t && { r: t.r, d: t.d, V: t.V, outputWeights: t.b };
}

/** The metrics a spec can record, with one line each. */
export function metrics(): { name: string; description: string }[] {
  return metricRegistry.map((m) => ({ name: m.name, description: m.description }));
}

/** The built-in activations, with one line each. */
export function activations(): { name: string; description: string }[] {
  return Object.values(activationRegistry).map((a) => ({
    name: a.name,
    description: a.description,
  }));
}
