/**
 * spec → the runs of a sweep: the Cartesian product of the spec's `sweep` lists × its `seeds`.
 * Every run is validated (and its .npy inputs loaded) before anything runs, and carries a
 * content hash of its resolved spec, its input arrays and the engine code, so a finished run
 * is reused — locally or from the queue — only when none of them changed.
 */
import { createHash } from "node:crypto";
import { metricNames } from "../core/metrics/registry.js";
import type { ArrayStore } from "../core/setup/arrays.js";
import { loadSpecArrays, loadSpecDocument, UserInputError } from "../io/specFile.js";
import { engineFingerprint, estimateCost, specHash } from "../reproduce/plan.js";
import type { PoolJob } from "../reproduce/pool.js";
import { expandSweep, SpecOverrideError, setPath, sweepLabel } from "../spec/overrides.js";
import { sweepSize } from "../spec/resources.js";
import { type Spec, summarySchema } from "../spec/schema.js";
import { validateSpec } from "../spec/validate.js";

export type Summary = ReturnType<typeof summarySchema.parse>;

export interface Axis {
  /** Field path, e.g. "optimizer.lr". */
  path: string;
  values: unknown[];
}

export interface SweepJob extends PoolJob {
  /** Index of the sweep point (grid cell) in `axes` order. */
  cell: number;
  /** The swept values of this run, in axis order. */
  point: unknown[];
  seed: number;
  /** Folder name under runs/: the assignments, e.g. student.width=3_optimizer.lr=0.01_seed=0. */
  dir: string;
}

export interface SweepPlan {
  name: string;
  description: string;
  /** Where the spec came from (file path or preset), for the manifests. */
  source: string;
  axes: Axis[];
  seeds: number[];
  /** Number of grid cells (product of the axis lengths). */
  cells: number;
  jobs: SweepJob[];
  summary: Summary;
  /** The engine code hash the jobs were hashed with. */
  engine: string;
}

const DERIVED = ["final_loss", "wall_seconds", "steps"];
export const FRACTIONS = ["converged_frac", "diverged_frac", "stalled_frac"] as const;

/** The per-run numeric columns a summary declares (tail quantities give three). */
export function quantityColumns(summary: Summary): { name: string; numeric: boolean }[] {
  return summary.quantities.flatMap((q) =>
    q.kind === "tail"
      ? [
          { name: `${q.name}_exponent`, numeric: true },
          { name: `${q.name}_rate`, numeric: true },
          { name: `${q.name}_constant`, numeric: true },
          { name: `${q.name}_class`, numeric: false },
        ]
      : [{ name: q.name, numeric: true }],
  );
}

function hashArrays(arrays: ArrayStore): string | null {
  const keys = Object.keys(arrays).sort();
  if (keys.length === 0) return null;
  const h = createHash("sha256");
  for (const k of keys) {
    const a = arrays[k];
    h.update(k).update("\0").update(JSON.stringify(a.shape)).update("\0");
    h.update(new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength));
  }
  return h.digest("hex");
}

/** The run's content hash: reproduce's spec hash, extended by the input arrays' bytes. */
export function runHash(spec: Spec, arrays: ArrayStore, engine: string): string {
  const base = specHash(spec, engine);
  const a = hashArrays(arrays);
  return a === null ? base : createHash("sha256").update(base).update(a).digest("hex");
}

function describeValue(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** `maxRuns`: refuse a product × seeds larger than this before expanding it (--max-runs). */
export async function planSweep(
  ref: string,
  maxRuns = Number.POSITIVE_INFINITY,
): Promise<SweepPlan> {
  const loaded = await loadSpecDocument(ref);
  const doc = { ...loaded.doc };
  const problems: string[] = [];
  const parsedSummary = summarySchema.safeParse(doc.summary ?? {});
  if (!parsedSummary.success) {
    throw new UserInputError(
      parsedSummary.error.issues.map(
        (i) => `summary${i.path.length ? `.${i.path.join(".")}` : ""}: ${i.message}`,
      ),
    );
  }
  const summary = parsedSummary.data;
  const sweep = (doc.sweep ?? {}) as Record<string, unknown>;
  if (typeof sweep !== "object" || Array.isArray(sweep))
    throw new UserInputError(["sweep: must map field paths to lists of values"]);
  // seeds: `seeds: N` or a list; a `seed` list in the sweep is the same thing
  let seedsField = doc.seeds;
  if ("seed" in sweep) {
    if (seedsField !== undefined)
      throw new UserInputError([
        "sweep.seed: give the seeds once, as `seeds:` (not also in sweep)",
      ]);
    seedsField = sweep.seed;
    const { seed: _s, ...rest } = sweep;
    doc.sweep = rest;
  }
  const base = Number(doc.seed ?? 0);
  let seeds: number[];
  if (seedsField === undefined) seeds = [base];
  else if (typeof seedsField === "number" && Number.isInteger(seedsField) && seedsField >= 1)
    seeds = Array.from({ length: seedsField }, (_, i) => base + i);
  else if (
    Array.isArray(seedsField) &&
    seedsField.length > 0 &&
    seedsField.every((s) => Number.isInteger(s) && s >= 0 && s <= 0xffffffff)
  )
    seeds = [...new Set(seedsField as number[])];
  else
    throw new UserInputError([
      "seeds: must be a count ≥ 1 or a non-empty list of whole numbers ≥ 0",
    ]);
  delete doc.seeds;
  delete doc.summary;
  delete doc.reproduce;
  const axes: Axis[] = Object.entries((doc.sweep ?? {}) as Record<string, unknown[]>).map(
    ([p, values]) => ({ path: p, values: Array.isArray(values) ? values : [] }),
  );
  if (Object.keys(doc.sweep ?? {}).length === 0) delete doc.sweep;

  const size = sweepSize(doc) * seeds.length;
  if (size > maxRuns)
    throw new UserInputError([
      `sweep: expands to ${size} runs (${sweepSize(doc)} points × ${seeds.length} seeds), more than --max-runs ${maxRuns}; sweep fewer values or raise --max-runs`,
    ]);
  let points: ReturnType<typeof expandSweep>;
  try {
    points = expandSweep(doc);
  } catch (e) {
    if (e instanceof SpecOverrideError) throw new UserInputError([e.message]);
    throw e;
  }
  const engine = engineFingerprint();
  const jobs: SweepJob[] = [];
  const arrayCache = new Map<string, ArrayStore>();
  for (const [cell, point] of points.entries()) {
    for (const seed of seeds) {
      const assignments = [...point.assignments, ["seed", seed] as const];
      const label = sweepLabel(assignments);
      const v = validateSpec(setPath(point.doc, "seed", seed));
      if (!v.ok) {
        problems.push(...v.problems.map((p) => `[${label}] ${p}`));
        continue;
      }
      let arrays: ArrayStore;
      try {
        // the same files for every point in most sweeps: load each set of paths once
        const s = v.spec;
        const key = JSON.stringify([s.dimension, s.teacher, s.student, s.loss.train, s.loss.test]);
        arrays = arrayCache.get(key) ?? (await loadSpecArrays(v.spec, loaded.baseDir));
        arrayCache.set(key, arrays);
      } catch (e) {
        if (e instanceof UserInputError) {
          problems.push(...e.problems.map((p) => `[${label}] ${p}`));
          continue;
        }
        throw e;
      }
      jobs.push({
        cell,
        point: point.assignments.map(([, value]) => value),
        seed,
        spec: v.spec,
        assignments,
        arrays: Object.keys(arrays).length ? arrays : undefined,
        dir: label,
        hash: runHash(v.spec, arrays, engine),
        cost: estimateCost(v.spec),
      });
    }
  }
  // two runs in one folder would overwrite each other: a value listed twice, or two values
  // with the same folder name
  const seen = new Map<string, SweepJob>();
  for (const j of jobs) {
    const other = seen.get(j.dir);
    if (other)
      problems.push(
        `sweep: two runs would share the folder ${j.dir} (a value listed twice, or values that differ only in characters a folder name cannot hold)`,
      );
    seen.set(j.dir, j);
  }
  if (problems.length) throw new UserInputError([...new Set(problems)].slice(0, 50));
  checkSummary(summary, axes, jobs, problems);
  if (problems.length) throw new UserInputError(problems);
  return {
    name: jobs[0]?.spec.name ?? "sweep",
    description: String(loaded.doc.description ?? ""),
    source: loaded.source,
    axes,
    seeds,
    cells: points.length,
    jobs,
    summary,
    engine,
  };
}

/** Metrics named by the summary must be recorded; plots must name swept axes and known values. */
function checkSummary(summary: Summary, axes: Axis[], jobs: SweepJob[], problems: string[]): void {
  const recorded = new Set<string>(["step", "time"]);
  for (const j of jobs.slice(0, 1)) for (const m of j.spec.metrics) recorded.add(m);
  // A metric's columns are known once it runs (du_flips writes du_flip_fraction, …): here we
  // refuse only a known metric the spec does not record; a missing column is reported later.
  const needMetric = (where: string, metric: string) => {
    if ((metricNames as readonly string[]).includes(metric) && !recorded.has(metric))
      problems.push(
        `${where}: metric ${JSON.stringify(metric)} is not recorded; the spec's metrics are ${[...recorded].join(", ")}`,
      );
  };
  needMetric("summary.converged.metric", summary.converged.metric);
  const names = new Set<string>();
  summary.quantities.forEach((q, i) => {
    needMetric(`summary.quantities.${i}.metric`, q.metric);
    if (names.has(q.name)) problems.push(`summary.quantities.${i}.name: ${q.name} is used twice`);
    names.add(q.name);
  });
  const values = new Set([
    ...DERIVED,
    ...quantityColumns(summary)
      .filter((c) => c.numeric)
      .map((c) => c.name),
  ]);
  const axisNames = axes.map((a) => a.path);
  summary.plots.forEach((p, i) => {
    const where = `summary.plots.${i}`;
    const axisKeys = p.kind === "heatmap" ? (["x", "y"] as const) : (["x"] as const);
    for (const k of axisKeys) {
      if (!axisNames.includes(p[k]))
        problems.push(
          `${where}.${k}: ${describeValue(p[k])} is not a swept field; swept: ${axisNames.join(", ") || "(none)"}`,
        );
    }
    if (p.kind === "heatmap") {
      if (p.x === p.y) problems.push(`${where}: x and y must be two different swept fields`);
      if (!values.has(p.value) && !(FRACTIONS as readonly string[]).includes(p.value))
        problems.push(
          `${where}.value: ${p.value} is not a quantity; choose one of ${[...values, ...FRACTIONS].join(", ")}`,
        );
    } else if (!values.has(p.y))
      problems.push(
        `${where}.y: ${p.y} is not a quantity; choose one of ${[...values].join(", ")}`,
      );
  });
}
