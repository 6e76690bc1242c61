/**
 * The one path from a validated spec to a run folder, used by every command that writes runs
 * (`run`, `reproduce`; sweeps and queue workers build on it): setup → dynamics → observers →
 * manifest.json + metrics.csv (+ weights). It runs in the calling thread — the CLI calls it
 * from a worker thread so the main thread stays free for progress and Ctrl-C.
 *
 * Guarantees: rows are appended synchronously as they are recorded (an interrupted or killed
 * run keeps them); the manifest says "running" only while the run is running — any end,
 * including a failure to write, is recorded as completed/diverged/interrupted/failed with the
 * reason wherever the disk still allows.
 */
import { existsSync, rmSync } from "node:fs";
import path from "node:path";
import type { EngineOptions } from "../core/engine.js";
import { type RunProgress, type RunResult, runExperiment } from "../core/experiment/run.js";
import { setupRun } from "../core/experiment/setup.js";
import type { ArrayStore } from "../core/setup/arrays.js";
import type { Spec } from "../spec/schema.js";
import { finishManifest, type Manifest, startManifest } from "./manifest.js";
import { writeNpyFile } from "./npy.js";
import { describeIoError, isIoError } from "./outputFolder.js";
import { RunFolder } from "./runFolder.js";

/** The files a run writes; a stale copy (an interrupted or outdated run) is removed first. */
export const RUN_FILES = [
  "manifest.json",
  "metrics.csv",
  "weights_final.npy",
  "output_weights_final.npy",
  "weights_initial.npy",
  "output_weights_initial.npy",
] as const;

export interface RunToFolderOptions {
  /** The run folder; created if missing. Earlier run files in it are replaced. */
  dir: string;
  spec: Spec;
  /** .npy contents the spec refers to, by path as written in the spec. */
  arrays?: ArrayStore;
  /** Where the spec came from (a file path or preset name), for the manifest. */
  source: string;
  /** Sweep point, e.g. [["student.width", 3]]. */
  assignments?: ReadonlyArray<readonly [string, unknown]>;
  /** More manifest fields, e.g. the reproduction's specHash. */
  manifestExtra?: Record<string, unknown>;
  saveWeights?: boolean;
  saveInitialWeights?: boolean;
  /** How to compute (matrix kernels, WebAssembly). */
  engine?: EngineOptions;
  /** What the run's matrix products used, in words, asked at the end (for the manifest). */
  describeKernels?: () => string;
  shouldStop?: () => boolean;
  onProgress?: (progress: RunProgress) => void;
  /** Called when setup (teacher, data, initial point) is done and the dynamics start. */
  onStarted?: () => void;
}

export async function runToFolder(opts: RunToFolderOptions): Promise<Manifest> {
  const t0 = performance.now();
  const { spec } = opts;
  for (const f of RUN_FILES) {
    const file = path.join(opts.dir, f);
    if (existsSync(file)) rmSync(file);
  }
  const folder = RunFolder.create(opts.dir, true);
  const manifest = startManifest(spec, opts.source, opts.assignments, opts.manifestExtra);
  folder.writeJson("manifest.json", manifest);

  let result: RunResult | null = null;
  let failure: string | null = null;
  let lastLoss = Number.NaN;
  try {
    const ctx = setupRun(spec, opts.arrays ?? {}, opts.engine ?? {});
    opts.onStarted?.();
    result = runExperiment(ctx, {
      onColumns: (columns) => folder.openMetrics(columns),
      onRow: (row) => folder.appendRow(row),
      onProgress: (info) => {
        lastLoss = info.loss;
        opts.onProgress?.(info);
      },
      shouldStop: opts.shouldStop,
    });
  } catch (e) {
    failure = isIoError(e)
      ? `cannot write the run folder (${describeIoError(e)})`
      : (e as Error).message;
  }
  try {
    folder.close();
  } catch (e) {
    failure ??= `cannot finish metrics.csv (${describeIoError(e)})`;
    result = null;
  }
  if (result && failure === null) {
    try {
      if (opts.saveWeights) await saveWeights(folder.dir, "final", result.finalTheta, spec);
      if (opts.saveInitialWeights)
        await saveWeights(folder.dir, "initial", result.initialTheta, spec);
    } catch (e) {
      failure = (e as Error).message;
    }
  }
  finishManifest(
    manifest,
    failure === null ? result : null,
    failure,
    result?.finalLoss ?? lastLoss,
    (performance.now() - t0) / 1000,
  );
  if (folder.metricsSha256) manifest.metricsSha256 = folder.metricsSha256;
  if (opts.describeKernels) manifest.kernels = opts.describeKernels();
  if (result?.notes.length) manifest.notes = result.notes;
  // The final manifest is written whatever happened above; if even that fails (a full disk),
  // the error propagates and the caller reports it (the folder then says "running" no longer
  // than this process lives: see the reproduction's verification of reused runs).
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
