/** Messages between the page and a run's Web Worker (structured-clone friendly). */
import type { Row } from "./engine.js";

export type ToWorker =
  | { type: "start"; doc: Record<string, unknown> }
  | { type: "pause" }
  | { type: "resume" }
  | { type: "stop" };

export type FromWorker =
  | { type: "ready"; webAssembly: boolean }
  | { type: "columns"; columns: string[] }
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
    }
  | { type: "error"; message: string };
