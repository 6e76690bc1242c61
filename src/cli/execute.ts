import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { RunResult } from "../core/experiment/run.js";
import type { ArrayStore } from "../core/setup/arrays.js";
import { writeNpyFile } from "../io/npy.js";
import type { RunFolder } from "../io/runFolder.js";
import type { Spec } from "../spec/schema.js";
import { Progress } from "./progress.js";
import type { WorkerInput, WorkerMessage } from "./runWorker.js";

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export const packageVersion: string = JSON.parse(
  readFileSync(path.join(packageRoot, "package.json"), "utf8"),
).version;

function gitCommit(): string | null {
  try {
    return execFileSync("git", ["rev-parse", "HEAD"], {
      cwd: packageRoot,
      stdio: ["ignore", "pipe", "ignore"],
    })
      .toString()
      .trim();
  } catch {
    return null;
  }
}

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
}

/** Runs one validated spec in a worker, streaming rows into the run folder; returns the final manifest. */
export async function executeRun(opts: ExecuteOptions): Promise<Record<string, unknown>> {
  const { folder, spec } = opts;
  const started = new Date();
  const t0 = performance.now();
  const manifest: Record<string, unknown> = {
    overparam: packageVersion,
    name: spec.name,
    paper: spec.paper ?? null,
    seed: spec.seed,
    status: "running",
    source: opts.source,
    sweep: opts.sweep ? Object.fromEntries(opts.sweep) : null,
    gitCommit: gitCommit(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    startedAt: started.toISOString(),
    endedAt: null,
    wallSeconds: null,
    spec,
  };
  folder.writeJson("manifest.json", manifest);

  const progress = new Progress(opts.label, opts.quiet);
  const worker = new Worker(new URL("./runWorker.js", import.meta.url), {
    workerData: { spec, arrays: opts.arrays, stopFlag: opts.stopFlag } satisfies WorkerInput,
  });
  let result: Extract<WorkerMessage, { type: "done" }>["result"] | null = null;
  let failure: string | null = null;
  let lastLoss = Number.NaN;
  await new Promise<void>((resolve) => {
    worker.on("message", (msg: WorkerMessage) => {
      switch (msg.type) {
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
  const ended = new Date();
  Object.assign(manifest, {
    status: r ? r.status : "failed",
    reason: r ? r.reason : failure,
    steps: r?.steps ?? null,
    time: r?.time ?? null,
    finalLoss: r?.finalLoss ?? lastLoss,
    rowsRecorded: r?.rows ?? null,
    columns: r?.columns ?? null,
    summary: r?.summary ?? {},
    endedAt: ended.toISOString(),
    wallSeconds: (performance.now() - t0) / 1000,
  });
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
