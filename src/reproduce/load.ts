import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { unusableBecause } from "../io/verifyRun.js";
import type { Job } from "./plan.js";

/** A finished (or failed) run read back from its folder, columns as arrays. */
export interface LoadedRun {
  job: Job;
  status: string;
  reason: string;
  summary: Record<string, unknown>;
  wallSeconds: number;
  columns: Record<string, Float64Array>;
  rows: number;
}

/** Reads a run folder's metrics.csv ("nan", "inf" as numbers) into named columns. */
export function readMetricsCsv(file: string): {
  columns: Record<string, Float64Array>;
  rows: number;
} {
  if (!existsSync(file)) return { columns: {}, rows: 0 };
  const lines = readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.length > 0);
  if (lines.length === 0) return { columns: {}, rows: 0 };
  const names = lines[0].split(",");
  const rows = lines.length - 1;
  const cols = names.map(() => new Float64Array(rows));
  for (let i = 0; i < rows; i++) {
    const cells = lines[i + 1].split(",");
    for (let j = 0; j < names.length; j++) cols[j][i] = parseCell(cells[j]);
  }
  return { columns: Object.fromEntries(names.map((n, j) => [n, cols[j]])), rows };
}

function parseCell(cell: string | undefined): number {
  if (cell === undefined || cell === "" || cell === "nan") return Number.NaN;
  if (cell === "inf") return Number.POSITIVE_INFINITY;
  if (cell === "-inf") return Number.NEGATIVE_INFINITY;
  return Number(cell);
}

export function readManifest(dir: string): Record<string, unknown> | null {
  const file = path.join(dir, "manifest.json");
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch {
    return null;
  }
}

export function loadRun(job: Job, runsRoot: string): LoadedRun {
  const dir = path.join(runsRoot, job.dir);
  const manifest = readManifest(dir);
  const { columns, rows } = readMetricsCsv(path.join(dir, "metrics.csv"));
  return {
    job,
    status: String(manifest?.status ?? "missing"),
    reason: String(manifest?.reason ?? "the run did not start"),
    summary: (manifest?.summary as Record<string, unknown>) ?? {},
    wallSeconds: Number(manifest?.wallSeconds ?? Number.NaN),
    columns,
    rows,
  };
}

/** A finished run is reused only when its folder verifies (see io/verifyRun.ts). */
export function isReusable(job: Job, runsRoot: string): boolean {
  return unusableBecause(path.join(runsRoot, job.dir), job.hash) === null;
}
