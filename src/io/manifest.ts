import type { RunResult } from "../core/experiment/run.js";
import type { Spec } from "../spec/schema.js";
import { gitCommit, packageVersion } from "./version.js";

export type Manifest = Record<string, unknown>;

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
