import path from "node:path";
import { Worker } from "node:worker_threads";
import type { RunResult } from "../core/experiment/run.js";
import type { ArrayStore } from "../core/setup/arrays.js";
import { finishManifest, startManifest } from "../io/manifest.js";
import { writeNpyFile } from "../io/npy.js";
import type { RunFolder } from "../io/runFolder.js";
import type { KernelSelection } from "../kernels/index.js";
import type { Spec } from "../spec/schema.js";
import { Progress } from "./progress.js";
import type { WorkerInput, WorkerMessage } from "./runWorker.js";

export { packageVersion } from "../io/version.js";

export interface ExecuteOptions {
  folder: RunFolder;
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

/** Runs one validated spec in a worker, streaming rows into the run folder; returns the final manifest. */
export async function executeRun(opts: ExecuteOptions): Promise<Record<string, unknown>> {
  const { folder, spec } = opts;
  const t0 = performance.now();
  const manifest = startManifest(spec, opts.source, opts.sweep);
  folder.writeJson("manifest.json", manifest);

  const progress = new Progress(opts.label, opts.quiet);
  const worker = new Worker(new URL("./runWorker.js", import.meta.url), {
    workerData: {
      spec,
      arrays: opts.arrays,
      stopFlag: opts.stopFlag,
      kernels: opts.kernels,
    } satisfies WorkerInput,
  });
  let result: Extract<WorkerMessage, { type: "done" }>["result"] | null = null;
  let failure: string | null = null;
  let lastLoss = Number.NaN;
  await new Promise<void>((resolve) => {
    worker.on("message", (msg: WorkerMessage) => {
      switch (msg.type) {
        case "kernels":
          manifest.kernels = msg.name;
          folder.writeJson("manifest.json", manifest);
          break;
        case "columns":
          folder.openMetrics(msg.columns);
          break;
        case "row":
          folder.appendRow(msg.row);
          break;
        case "progress":
          lastLoss = msg.loss;
          progress.update(msg);
          break;
        case "done":
          result = msg.result;
          break;
        case "error":
          failure = msg.message;
          break;
      }
    });
    worker.on("error", (e) => {
      failure = e.message;
    });
    worker.on("exit", () => resolve());
  });
  progress.stop();
  folder.close();

  const r = result as RunResult | null;
  if (r && opts.saveWeights) await saveWeights(folder.dir, "final", r.finalTheta, spec);
  if (r && opts.saveInitialWeights) await saveWeights(folder.dir, "initial", r.initialTheta, spec);
  finishManifest(manifest, r, failure, lastLoss, (performance.now() - t0) / 1000);
  folder.writeJson("manifest.json", manifest);
  return manifest;
}

async function saveWeights(
  dir: string,
  which: "initial" | "final",
  theta: Float64Array,
  spec: Spec,
): Promise<void> {
  const m = spec.student.width;
  const d = spec.dimension;
  await writeNpyFile(path.join(dir, `weights_${which}.npy`), {
    shape: [m, d],
    data: theta.slice(0, m * d),
  });
  if (spec.student.trainOutput) {
    await writeNpyFile(path.join(dir, `output_weights_${which}.npy`), {
      shape: [m],
      data: theta.slice(m * d, m * d + m),
    });
  }
}
