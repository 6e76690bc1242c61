import { readFileSync } from "node:fs";
import path from "node:path";
import { Worker } from "node:worker_threads";
import type { ArrayStore } from "../core/setup/arrays.js";
import { writeFileAtomic } from "../io/atomicWrite.js";
import type { Manifest } from "../io/manifest.js";
import { jsonReplacer } from "../io/runFolder.js";
import type { KernelSelection } from "../kernels/index.js";
import type { Spec } from "../spec/schema.js";
import { Progress } from "./progress.js";
import type { WorkerInput, WorkerMessage } from "./runWorker.js";

export { packageVersion } from "../io/version.js";

export interface ExecuteOptions {
  dir: string;
  spec: Spec;
  arrays: ArrayStore;
  source: string;
  sweep?: ReadonlyArray<readonly [string, unknown]>;
  saveWeights: boolean;
  saveInitialWeights: boolean;
  quiet: boolean;
  /** Shared with the SIGINT handler: setting element 0 interrupts the run. */
  stopFlag: SharedArrayBuffer;
  label: string;
  /** Matrix-product backend for the run's thread. */
  kernels: KernelSelection;
}

/**
 * Runs one validated spec into its run folder in a worker thread (runToFolder) while this
 * thread draws progress; returns the final manifest. An error the worker could not record in
 * the folder (e.g. the disk is full) is thrown as one line.
 */
export async function executeRun(opts: ExecuteOptions): Promise<Manifest> {
  const progress = new Progress(opts.label, opts.quiet);
  const worker = new Worker(new URL("./runWorker.js", import.meta.url), {
    workerData: {
      dir: opts.dir,
      spec: opts.spec,
      arrays: opts.arrays,
      source: opts.source,
      assignments: opts.sweep,
      saveWeights: opts.saveWeights,
      saveInitialWeights: opts.saveInitialWeights,
      stopFlag: opts.stopFlag,
      kernels: opts.kernels,
    } satisfies WorkerInput,
  });
  let manifest: Manifest | null = null;
  let failure: string | null = null;
  let started = false;
  let stoppedInSetup = false;
  // The run polls the stop flag between steps; setup (data, initial point) cannot, so a Ctrl-C
  // before the dynamics start ends the worker itself.
  const stop = new Int32Array(opts.stopFlag);
  const watch = setInterval(() => {
    if (!started && Atomics.load(stop, 0) !== 0) {
      stoppedInSetup = true;
      void worker.terminate();
    }
  }, 50);
  await new Promise<void>((resolve) => {
    worker.on("message", (msg: WorkerMessage) => {
      if (msg.type === "started") started = true;
      else if (msg.type === "progress") progress.update(msg);
      else if (msg.type === "done") manifest = msg.manifest;
      else failure = msg.message;
    });
    worker.on("error", (e) => {
      failure = e.message;
    });
    worker.on("exit", () => resolve());
  });
  clearInterval(watch);
  progress.stop();
  if (stoppedInSetup && !manifest) return markInterruptedInSetup(opts.dir);
  if (!manifest)
    throw new RunFolderError(`${opts.dir}: ${failure ?? "the run ended without a result"}`);
  return manifest;
}

/** The manifest of a run stopped before its dynamics started, rewritten as interrupted. */
function markInterruptedInSetup(dir: string): Manifest {
  const file = path.join(dir, "manifest.json");
  const manifest = JSON.parse(readFileSync(file, "utf8")) as Manifest;
  Object.assign(manifest, {
    status: "interrupted",
    reason: "interrupted by the user during setup",
    endedAt: new Date().toISOString(),
    rowsRecorded: 0,
  });
  writeFileAtomic(file, `${JSON.stringify(manifest, jsonReplacer, 2)}\n`);
  return manifest;
}

/** A run whose folder could not be written or finished (reported as one line, exit 1). */
export class RunFolderError extends Error {}
