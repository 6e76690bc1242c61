/**
 * Runs one experiment off the main thread, so the main thread stays free to draw progress,
 * write rows and catch Ctrl-C. The stop flag is shared memory that the pure core polls
 * synchronously between steps.
 */
import { parentPort, workerData } from "node:worker_threads";
import { runExperiment } from "../core/experiment/run.js";
import { setupRun } from "../core/experiment/setup.js";
import type { ArrayStore } from "../core/setup/arrays.js";
import { installKernels, type KernelSelection } from "../kernels/index.js";
import type { Spec } from "../spec/schema.js";

export interface WorkerInput {
  spec: Spec;
  arrays: ArrayStore;
  stopFlag: SharedArrayBuffer;
  kernels: KernelSelection;
}

export type WorkerMessage =
  | { type: "kernels"; name: string }
  | { type: "columns"; columns: string[] }
  | { type: "row"; row: number[] }
  | {
      type: "progress";
      step: number;
      totalSteps: number;
      time: number;
      horizon: number;
      loss: number;
    }
  | {
      type: "done";
      result: Omit<import("../core/experiment/run.js").RunResult, "initialTheta" | "finalTheta"> & {
        initialTheta: Float64Array;
        finalTheta: Float64Array;
      };
    }
  | { type: "error"; message: string; stack?: string };

const input = workerData as WorkerInput;
const stop = new Int32Array(input.stopFlag);
const post = (m: WorkerMessage, transfer?: ArrayBuffer[]) => parentPort!.postMessage(m, transfer);

const kernels = installKernels(input.kernels);
try {
  const ctx = setupRun(input.spec, input.arrays);
  let lastProgress = 0;
  const result = runExperiment(ctx, {
    onColumns: (columns) => post({ type: "columns", columns: [...columns] }),
    onRow: (row) => post({ type: "row", row: [...row] }),
    onProgress: (info) => {
      const now = Date.now();
      if (now - lastProgress >= 100) {
        lastProgress = now;
        post({ type: "progress", ...info });
      }
    },
    shouldStop: () => Atomics.load(stop, 0) !== 0,
  });
  post({ type: "kernels", name: kernels.describeRun() }); // what actually ran
  const finalTheta = new Float64Array(result.finalTheta);
  const initialTheta = new Float64Array(result.initialTheta);
  post({ type: "done", result: { ...result, finalTheta, initialTheta } }, [
    finalTheta.buffer,
    initialTheta.buffer,
  ]);
} catch (e) {
  const err = e as Error;
  post({ type: "kernels", name: kernels.describeRun() });
  post({ type: "error", message: err.message, stack: err.stack });
}
