/** Messages between the page and a run's Web Worker (structured-clone friendly). */
import type { Row } from "./engine.js";

export type ToWorker =
  | {
      type: "start";
      doc: Record<string, unknown>;
      /** Threads for the matrix products of large empirical losses (1: no helper workers). */
      threads: number;
    }
  | { type: "pause" }
  | { type: "resume" }
  | { type: "stop" };

export type FromWorker =
  | { type: "ready"; webAssembly: boolean }
  | {
      type: "columns";
      columns: string[];
      /** Columns of metrics the lab added for its views (not in the spec, not in metrics.csv). */
      extra: string[];
      /** Student width m, dimension d, and the teacher's neurons (r×d) when it has any. */
      m: number;
      d: number;
      teacher: { r: number; V: number[] } | null;
    }
  | { type: "rows"; rows: Row[] }
  | {
      type: "progress";
      step: number;
      totalSteps: number;
      time: number;
      horizon: number;
      loss: number;
    }
  | { type: "paused" }
  | { type: "resumed" }
  | {
      type: "done";
      status: string;
      reason: string;
      finalLoss: number;
      summary: Record<string, number | string | null>;
      seconds: number;
      /** The matrix products' backend, e.g. "wasm 4 threads" (see MatrixKernels.name). */
      kernels: string;
    }
  | { type: "error"; message: string };
