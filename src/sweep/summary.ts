/**
 * Run folders → the sweep's tables: one row per run (runs.csv: swept values, seed, status,
 * outcome, final loss, wall time and the spec's summary quantities) and one row per grid cell
 * (cells.csv: median / min / max over seeds, fractions converged / diverged / stalled).
 * The numbers come from src/analysis/series.ts, the same code `reproduce` judges claims with.
 */
import path from "node:path";
import { classifyDecay, firstBelow, logLogFit, median, tail } from "../analysis/series.js";
import { readManifest, readMetricsCsv } from "../reproduce/load.js";
import { type Axis, quantityColumns, type Summary, type SweepJob, type SweepPlan } from "./plan.js";

export type Outcome =
  | "converged"
  | "diverged"
  | "stalled"
  | "failed"
  | "interrupted"
  | "skipped"
  | "missing";

export interface RunRow {
  job: SweepJob;
  status: string;
  outcome: Outcome;
  reason: string;
  finalLoss: number;
  steps: number;
  wallSeconds: number;
  reused: boolean;
  /** Summary quantities by column name; null: never crossed (written "inf"). */
  values: Record<string, number | string | null>;
}

/** Why a run has no folder (a failed queue job, a run not started) when the folder says nothing. */
export interface ExternalStatus {
  status: string;
  reason: string;
}

function num(v: unknown): number {
  if (v === "nan" || v === null || v === undefined) return Number.NaN;
  if (v === "inf") return Number.POSITIVE_INFINITY;
  if (v === "-inf") return Number.NEGATIVE_INFINITY;
  return Number(v);
}

function firstAbove(x: ArrayLike<number>, y: ArrayLike<number>, threshold: number): number | null {
  for (let i = 0; i < x.length; i++) if (y[i] >= threshold) return x[i];
  return null;
}

/** C in y ≈ C·x^p fitted over the last `decades` of x (XD's T⁻³ constant); NaN if no fit. */
function tailConstant(x: number[], y: number[], decades: number): number {
  try {
    const t = tail(x, y, { decades });
    return Math.exp(logLogFit(t.x, t.y).intercept);
  } catch {
    return Number.NaN;
  }
}

/** Reads one run's folder and extracts what the summary asks for. */
export function summarizeRun(
  job: SweepJob,
  runsRoot: string,
  summary: Summary,
  reused: boolean,
  external?: ExternalStatus,
  problems?: Set<string>,
): RunRow {
  const dir = path.join(runsRoot, job.dir);
  const manifest = readManifest(dir);
  const usable = manifest && manifest.specHash === job.hash;
  const status = external?.status ?? (usable ? String(manifest.status) : "missing");
  const reason =
    external?.reason ?? (usable ? String(manifest.reason ?? "") : "the run did not finish");
  const values: RunRow["values"] = {};
  const { columns, rows } =
    usable && !external ? readMetricsCsv(path.join(dir, "metrics.csv")) : { columns: {}, rows: 0 };
  const col = (name: string): number[] => Array.from(columns[name] ?? []);
  const finished = status === "completed" || status === "diverged";
  if (finished && rows > 0) {
    const wanted = [
      summary.converged.metric,
      ...summary.quantities.flatMap((q) => [q.metric, "x" in q ? q.x : "step"]),
    ];
    for (const name of wanted)
      if (!(name in columns))
        problems?.add(
          `summary: metrics.csv has no column ${JSON.stringify(name)}; its columns are ${Object.keys(columns).join(", ")}`,
        );
  }
  for (const q of summary.quantities) {
    const y = col(q.metric);
    if (q.kind === "final") values[q.name] = rows > 0 && y.length ? y[y.length - 1] : Number.NaN;
    else if (q.kind === "first-below" || q.kind === "first-above") {
      const x = col(q.x);
      if (!finished || x.length === 0 || y.length === 0) values[q.name] = Number.NaN;
      else
        values[q.name] =
          q.kind === "first-below" ? firstBelow(x, y, q.threshold) : firstAbove(x, y, q.threshold);
    } else {
      const x = col(q.x);
      if (!finished || x.length === 0 || y.length === 0) {
        values[`${q.name}_exponent`] = Number.NaN;
        values[`${q.name}_rate`] = Number.NaN;
        values[`${q.name}_constant`] = Number.NaN;
        values[`${q.name}_class`] = "";
      } else {
        const c = classifyDecay(x, y, { decades: q.decades });
        values[`${q.name}_exponent`] = c.exponent;
        values[`${q.name}_rate`] = c.rate;
        values[`${q.name}_constant`] = tailConstant(x, y, q.decades);
        values[`${q.name}_class`] = c.kind;
      }
    }
  }
  const conv = col(summary.converged.metric);
  const lastConv = conv.length ? conv[conv.length - 1] : Number.NaN;
  let outcome: Outcome;
  if (status === "diverged") outcome = "diverged";
  else if (status === "completed")
    outcome = lastConv <= summary.converged.below ? "converged" : "stalled";
  else if (status === "failed" || status === "interrupted" || status === "skipped")
    outcome = status;
  else outcome = "missing";
  return {
    job,
    status,
    outcome,
    reason,
    finalLoss: usable ? num(manifest.finalLoss) : Number.NaN,
    steps: usable ? num(manifest.steps) : Number.NaN,
    wallSeconds: usable ? num(manifest.wallSeconds) : Number.NaN,
    reused,
    values,
  };
}

// ───────────────────────────── CSV ─────────────────────────────

export function csvCell(v: unknown): string {
  if (v === null) return "inf"; // a crossing that never happened: +∞ steps
  if (v === undefined) return "";
  if (typeof v === "number") {
    if (Number.isNaN(v)) return "nan";
    if (v === Number.POSITIVE_INFINITY) return "inf";
    if (v === Number.NEGATIVE_INFINITY) return "-inf";
    return String(v);
  }
  const s = typeof v === "string" ? v : JSON.stringify(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csv(rows: unknown[][]): string {
  return `${rows.map((r) => r.map(csvCell).join(",")).join("\n")}\n`;
}

/** A numeric value of a run row by column name (final_loss, wall_seconds, steps or a quantity). */
export function rowValue(r: RunRow, name: string): number {
  if (name === "final_loss") return r.finalLoss;
  if (name === "wall_seconds") return r.wallSeconds;
  if (name === "steps") return r.steps;
  const v = r.values[name];
  if (v === null) return Number.POSITIVE_INFINITY;
  return typeof v === "number" ? v : Number.NaN;
}

export function runsCsv(plan: SweepPlan, rows: RunRow[]): string {
  const qcols = quantityColumns(plan.summary).map((c) => c.name);
  const header = [
    "run",
    ...plan.axes.map((a) => a.path),
    "seed",
    "status",
    "outcome",
    "final_loss",
    "steps",
    "wall_seconds",
    ...qcols,
    "reused",
    "reason",
  ];
  return csv([
    header,
    ...rows.map((r) => [
      r.job.dir,
      ...r.job.point,
      r.job.seed,
      r.status,
      r.outcome,
      r.finalLoss,
      r.steps,
      r.wallSeconds,
      ...qcols.map((c) => (r.values[c] === undefined ? Number.NaN : r.values[c])),
      r.reused ? "yes" : "no",
      r.reason,
    ]),
  ]);
}

export interface Cell {
  index: number;
  point: unknown[];
  rows: RunRow[];
  /** Fractions over the runs that finished (completed or diverged); NaN if none did. */
  converged: number;
  diverged: number;
  stalled: number;
  failed: number;
  /** Per numeric column: median, min, max over seeds (NaN ignored; "never" counts as +∞). */
  stats: Record<string, { median: number; min: number; max: number }>;
  /** Tail classes: the most common class over the seeds. */
  classes: Record<string, string>;
}

function stats(values: number[]): { median: number; min: number; max: number } {
  const v = values.filter((x) => !Number.isNaN(x));
  if (v.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN };
  return { median: median(v), min: Math.min(...v), max: Math.max(...v) };
}

export function numericColumns(summary: Summary): string[] {
  return [
    "final_loss",
    "steps",
    "wall_seconds",
    ...quantityColumns(summary)
      .filter((c) => c.numeric)
      .map((c) => c.name),
  ];
}

export function buildCells(plan: SweepPlan, rows: RunRow[]): Cell[] {
  const byCell = new Map<number, RunRow[]>();
  for (const r of rows) byCell.set(r.job.cell, [...(byCell.get(r.job.cell) ?? []), r]);
  const numeric = numericColumns(plan.summary);
  const classCols = quantityColumns(plan.summary)
    .filter((c) => !c.numeric)
    .map((c) => c.name);
  const cells: Cell[] = [];
  for (const [index, rs] of [...byCell.entries()].sort((a, b) => a[0] - b[0])) {
    const finished = rs.filter((r) => r.status === "completed" || r.status === "diverged");
    const frac = (o: Outcome) =>
      finished.length
        ? finished.filter((r) => r.outcome === o).length / finished.length
        : Number.NaN;
    const classes: Record<string, string> = {};
    for (const c of classCols) {
      const counts = new Map<string, number>();
      for (const r of rs) {
        const k = String(r.values[c] ?? "");
        if (k) counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      classes[c] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "";
    }
    cells.push({
      index,
      point: rs[0].job.point,
      rows: rs,
      converged: frac("converged"),
      diverged: frac("diverged"),
      stalled: frac("stalled"),
      failed: rs.filter((r) => r.status === "failed").length,
      stats: Object.fromEntries(
        numeric.map((n) => [
          n,
          stats(
            rs
              .filter((r) => r.status === "completed" || r.status === "diverged")
              .map((r) => rowValue(r, n)),
          ),
        ]),
      ),
      classes,
    });
  }
  return cells;
}

/** A cell's value for a heatmap: a fraction or the median of a numeric column. */
export function cellValue(cell: Cell, name: string): number {
  if (name === "converged_frac") return cell.converged;
  if (name === "diverged_frac") return cell.diverged;
  if (name === "stalled_frac") return cell.stalled;
  return cell.stats[name]?.median ?? Number.NaN;
}

export function cellsCsv(plan: SweepPlan, cells: Cell[]): string {
  const numeric = numericColumns(plan.summary);
  const classCols = quantityColumns(plan.summary)
    .filter((c) => !c.numeric)
    .map((c) => c.name);
  const header = [
    ...plan.axes.map((a: Axis) => a.path),
    "runs",
    "finished",
    "failed",
    "converged_frac",
    "diverged_frac",
    "stalled_frac",
    ...numeric.flatMap((n) => [`${n}_median`, `${n}_min`, `${n}_max`]),
    ...classCols,
  ];
  return csv([
    header,
    ...cells.map((c) => [
      ...c.point,
      c.rows.length,
      c.rows.filter((r) => r.status === "completed" || r.status === "diverged").length,
      c.failed,
      c.converged,
      c.diverged,
      c.stalled,
      ...numeric.flatMap((n) => [c.stats[n].median, c.stats[n].min, c.stats[n].max]),
      ...classCols.map((n) => c.classes[n]),
    ]),
  ]);
}
