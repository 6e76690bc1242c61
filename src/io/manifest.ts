import type { RunResult, RunStatus } from "../core/experiment/run.js";
import type { Spec } from "../spec/schema.js";
import { gitCommit, packageVersion } from "./version.js";

/**
 * manifest.json of a run folder. Non-finite numbers are written as the strings "nan", "inf",
 * "-inf" (JSON has no NaN); loadRun turns them back into numbers.
 */
export interface Manifest {
  /** overparam's version. */
  overparam: string;
  name: string;
  paper: string | null;
  seed: number;
  /** "running" only while the process that writes the folder runs. */
  status: RunStatus | "running";
  /** Why the run ended, in words. */
  reason?: string;
  /** The spec file or preset the run came from. */
  source: string;
  /** The sweep point, e.g. { "student.width": 3 }, or null. */
  sweep: Record<string, unknown> | null;
  /** Content hash of the resolved spec and the engine (reproduce and sweeps). */
  specHash?: string;
  gitCommit: string | null;
  node: string;
  platform: string;
  startedAt: string;
  endedAt: string | null;
  wallSeconds: number | null;
  steps?: number | null;
  time?: number | null;
  finalLoss?: number | string | null;
  /** Rows written to metrics.csv (a reused run is checked against it). */
  rowsRecorded?: number | null;
  /** The header of metrics.csv. */
  columns?: string[] | null;
  summary?: Record<string, number | string | null>;
  /** What the run's matrix products used, e.g. "onnxruntime 2 threads". */
  kernels?: string;
  /** What the engine fell back from, in words. */
  notes?: string[];
  spec: Spec;
  [extra: string]: unknown;
}

/**
 * The manifest written when a run starts (status "running"): what ran, with which code, where.
 * `extra` adds fields such as the reproduction's spec hash.
 */
export function startManifest(
  spec: Spec,
  source: string,
  sweep: ReadonlyArray<readonly [string, unknown]> | undefined,
  extra: Record<string, unknown> = {},
): Manifest {
  return {
    overparam: packageVersion,
    name: spec.name,
    paper: spec.paper ?? null,
    seed: spec.seed,
    status: "running",
    source,
    sweep: sweep?.length ? Object.fromEntries(sweep) : null,
    ...extra,
    gitCommit: gitCommit(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    startedAt: new Date().toISOString(),
    endedAt: null,
    wallSeconds: null,
    spec,
  };
}

/** Completes a manifest with the run's outcome; a run with no result failed with `failure`. */
export function finishManifest(
  manifest: Manifest,
  result: Omit<RunResult, "initialTheta" | "finalTheta"> | null,
  failure: string | null,
  lastLoss: number,
  wallSeconds: number,
): Manifest {
  return Object.assign(manifest, {
    status: result ? result.status : "failed",
    reason: result ? result.reason : (failure ?? "the run ended without a result"),
    steps: result?.steps ?? null,
    time: result?.time ?? null,
    finalLoss: result?.finalLoss ?? lastLoss,
    rowsRecorded: result?.rows ?? null,
    columns: result?.columns ?? null,
    summary: result?.summary ?? {},
    endedAt: new Date().toISOString(),
    wallSeconds,
  });
}
