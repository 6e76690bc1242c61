/**
 * Runs one experiment into its run folder off the main thread (the common run-to-folder
 * path), so the main thread stays free to draw progress and catch Ctrl-C. The stop flag is
 * shared memory that the run polls synchronously between steps.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { RunProgress } from "../core/experiment/run.js";
import type { ArrayStore } from "../core/setup/arrays.js";
import type { Manifest } from "../io/manifest.js";
import { type RunToFolderOptions, runToFolder } from "../io/runToFolder.js";
import { type KernelSelection, selectKernels } from "../kernels/index.js";

export interface WorkerInput
  extends Omit<
    RunToFolderOptions,
    "engine" | "describeKernels" | "shouldStop" | "onProgress" | "onStarted"
  > {
  arrays: ArrayStore;
  stopFlag: SharedArrayBuffer;
  kernels: KernelSelection;
}

export type WorkerMessage =
  | { type: "started" }
  | ({ type: "progress" } & RunProgress)
  | { type: "done"; manifest: Manifest }
  | { type: "error"; message: string };

const { stopFlag, kernels: selection, ...input } = workerData as WorkerInput;
const stop = new Int32Array(stopFlag);
const post = (m: WorkerMessage) => parentPort!.postMessage(m);

const kernels = selectKernels(selection);
try {
  let lastProgress = 0;
  const manifest = await runToFolder({
    ...input,
    engine: { matrixKernels: kernels.kernels },
    describeKernels: () => kernels.describeRun(),
    shouldStop: () => Atomics.load(stop, 0) !== 0,
    onStarted: () => post({ type: "started" }),
    onProgress: (info) => {
      const now = Date.now();
      if (now - lastProgress < 100) return;
      lastProgress = now;
      post({ type: "progress", ...info });
    },
  });
  post({ type: "done", manifest });
} catch (e) {
  post({ type: "error", message: (e as Error).message });
} finally {
  kernels.close(); // the GEMM's helper threads
}
