/**
 * The piscina worker shared by `reproduce`, `sweep` and the queue `worker`: runs one job to
 * completion in this thread through the common run-to-folder path, so the main thread only
 * draws progress (and, in a queue worker, keeps its Redis locks alive).
 */
import type { MessagePort } from "node:worker_threads";
import type { ArrayStore } from "../core/setup/arrays.js";
import { runToFolder } from "../io/runToFolder.js";
import { type KernelSelection, type SelectedKernels, selectKernels } from "../kernels/index.js";
import type { Spec } from "../spec/schema.js";

export interface JobTask {
  spec: Spec;
  dir: string;
  source: string;
  assignments: ReadonlyArray<readonly [string, unknown]>;
  hash: string;
  /** .npy contents the spec names, by the path written in the spec. */
  arrays?: ArrayStore;
  saveWeights?: boolean;
  saveInitialWeights?: boolean;
  /** More manifest fields (the content hash is always written as specHash). */
  manifestExtra?: Record<string, unknown>;
  /** Int32 shared flag: non-zero asks the run to stop (status "interrupted"). */
  stopFlag: SharedArrayBuffer;
  /** Receives { done, total } progress messages (fraction of steps or of flow time). */
  port: MessagePort;
  kernels: KernelSelection;
}

export interface JobOutcome {
  status: string;
  reason: string;
  finalLoss: number;
  wallSeconds: number;
}

/** The backend chosen in this worker thread, by selection (created once per thread). */
let selected: { key: string; kernels: SelectedKernels } | null = null;

export default async function runJob(
  task: JobTask,
): Promise<JobOutcome | { status: "skipped"; reason: string }> {
  // Stopping the pool does not abort its tasks (that would end a worker in the middle of
  // writing a run folder): a task that starts after a stop skips without touching its folder.
  if (Atomics.load(new Int32Array(task.stopFlag), 0) !== 0) {
    task.port.close();
    return { status: "skipped", reason: "not started: the command was interrupted" };
  }
  const key = JSON.stringify(task.kernels);
  if (selected?.key !== key) {
    selected?.kernels.close(); // its GEMM helper threads; the pool ends this thread's at destroy
    selected = { key, kernels: selectKernels(task.kernels) };
  }
  const kernels = selected.kernels;
  kernels.startRun();
  const stop = new Int32Array(task.stopFlag);
  let lastPost = 0;
  try {
    const manifest = await runToFolder({
      dir: task.dir,
      spec: task.spec,
      arrays: task.arrays,
      source: task.source,
      assignments: task.assignments,
      manifestExtra: { ...task.manifestExtra, specHash: task.hash },
      saveWeights: task.saveWeights,
      saveInitialWeights: task.saveInitialWeights,
      engine: { matrixKernels: kernels.kernels },
      describeKernels: () => kernels.describeRun(),
      shouldStop: () => Atomics.load(stop, 0) !== 0,
      onProgress: (info) => {
        const now = Date.now();
        if (now - lastPost < 200) return;
        lastPost = now;
        const flow = info.totalSteps === 0;
        task.port.postMessage({
          done: flow ? info.time : info.step,
          total: flow ? info.horizon : info.totalSteps,
        });
      },
    });
    return {
      status: String(manifest.status),
      reason: String(manifest.reason),
      finalLoss: Number(manifest.finalLoss),
      wallSeconds: Number(manifest.wallSeconds),
    };
  } finally {
    task.port.close();
  }
}
