/**
 * The piscina worker of `reproduce`: runs one job to completion in this thread and writes its
 * run folder (manifest.json, metrics.csv) itself, so the main thread only draws progress.
 * Rows are appended synchronously as they are recorded: an interrupted reproduction keeps them.
 */
import { existsSync, rmSync } from "node:fs";
import type { MessagePort } from "node:worker_threads";
import { type RunResult, runExperiment } from "../core/experiment/run.js";
import { setupRun } from "../core/experiment/setup.js";
import { finishManifest, startManifest } from "../io/manifest.js";
import { RunFolder } from "../io/runFolder.js";
import { type InstalledKernels, installKernels, type KernelSelection } from "../kernels/index.js";
import type { Spec } from "../spec/schema.js";

export interface JobTask {
  spec: Spec;
  dir: string;
  source: string;
  assignments: ReadonlyArray<readonly [string, unknown]>;
  hash: string;
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

/** The backend installed in this worker thread, by selection (installed once per thread). */
let installed: { key: string; kernels: InstalledKernels } | null = null;

export default function runJob(task: JobTask): JobOutcome {
  const t0 = performance.now();
  const key = JSON.stringify(task.kernels);
  if (installed?.key !== key) installed = { key, kernels: installKernels(task.kernels) };
  const kernels = installed.kernels;
  kernels.startRun();
  // A stale folder (an interrupted or outdated run) is replaced, never appended to.
  for (const f of ["metrics.csv", "manifest.json"]) {
    if (existsSync(`${task.dir}/${f}`)) rmSync(`${task.dir}/${f}`);
  }
  const folder = RunFolder.create(task.dir, true);
  const manifest = startManifest(task.spec, task.source, task.assignments, {
    specHash: task.hash,
  });
  folder.writeJson("manifest.json", manifest);
  const stop = new Int32Array(task.stopFlag);
  let result: RunResult | null = null;
  let failure: string | null = null;
  let lastLoss = Number.NaN;
  let lastPost = 0;
  try {
    const ctx = setupRun(task.spec, {});
    result = runExperiment(ctx, {
      onColumns: (columns) => folder.openMetrics(columns),
      onRow: (row) => folder.appendRow(row),
      onProgress: (info) => {
        lastLoss = info.loss;
        const now = Date.now();
        if (now - lastPost < 200) return;
        lastPost = now;
        const flow = info.totalSteps === 0;
        task.port.postMessage({
          done: flow ? info.time : info.step,
          total: flow ? info.horizon : info.totalSteps,
        });
      },
      shouldStop: () => Atomics.load(stop, 0) !== 0,
    });
  } catch (e) {
    failure = (e as Error).message;
  } finally {
    folder.close();
    task.port.close();
  }
  const wallSeconds = (performance.now() - t0) / 1000;
  finishManifest(manifest, result, failure, lastLoss, wallSeconds);
  manifest.kernels = kernels.describeRun(); // what this run's products used
  folder.writeJson("manifest.json", manifest);
  return {
    status: String(manifest.status),
    reason: String(manifest.reason),
    finalLoss: Number(manifest.finalLoss),
    wallSeconds,
  };
}
