/** Shared helpers to turn runs (columns per seed) into figure series and verdict inputs. */
import { aggregateSeeds, type XY } from "../../analysis/series.js";
import type { Point, Series } from "../../plot/charts.js";
import type { LoadedRun } from "../load.js";

/** Runs of one preset. */
export function ofPreset(runs: readonly LoadedRun[], preset: string): LoadedRun[] {
  return runs.filter((r) => r.job.preset === preset);
}

/** The value a sweep point assigned to `field` (e.g. "student.width"). */
export function swept(run: LoadedRun, field: string): unknown {
  return run.job.assignments.find(([k]) => k === field)?.[1];
}

/** Runs grouped by the value of one swept field, in first-seen order. */
export function groupBySwept(runs: readonly LoadedRun[], field: string): Map<string, LoadedRun[]> {
  const groups = new Map<string, LoadedRun[]>();
  for (const r of runs) {
    const key = JSON.stringify(swept(r, field));
    const list = groups.get(key) ?? [];
    list.push(r);
    groups.set(key, list);
  }
  return groups;
}

/** Runs that produced data (completed or diverged; a diverged run is a result). */
export function usable(runs: readonly LoadedRun[]): LoadedRun[] {
  return runs.filter((r) => (r.status === "completed" || r.status === "diverged") && r.rows > 0);
}

/** One column of a run against its step (or time) column, optionally transformed. */
export function columnXY(
  run: LoadedRun,
  column: string,
  opts: { x?: string; map?: (y: number) => number } = {},
): XY {
  const xs = run.columns[opts.x ?? "step"];
  const ys = run.columns[column];
  if (!xs || !ys) return { x: [], y: [] };
  const map = opts.map ?? ((v: number) => v);
  return { x: Array.from(xs), y: Array.from(ys, map) };
}

/** Median over seeds with a min–max band, as a plot series. */
export function seedSeries(
  runs: readonly LoadedRun[],
  column: string,
  name: string,
  opts: { x?: string; map?: (y: number) => number; style?: Series["style"] } = {},
): Series {
  const xys = runs.map((r) => columnXY(r, column, opts)).filter((s) => s.x.length > 0);
  if (xys.length === 0) return { name, points: [], style: opts.style };
  if (xys.length === 1) {
    const [s] = xys;
    return { name, style: opts.style, points: s.x.map((x, i) => ({ x, y: s.y[i] })) };
  }
  const agg = aggregateSeeds(xys, { band: "minmax" });
  const points: Point[] = agg.x.map((x, i) => ({
    x,
    y: agg.median[i],
    lo: agg.lo[i],
    hi: agg.hi[i],
  }));
  return { name, style: opts.style, points };
}

/** A single run's column as a series (no band), e.g. per-neuron curves of seed 0. */
export function runSeries(
  run: LoadedRun,
  column: string,
  name: string,
  opts: { x?: string; map?: (y: number) => number; style?: Series["style"]; group?: string } = {},
): Series {
  const s = columnXY(run, column, opts);
  return {
    name,
    style: opts.style,
    group: opts.group,
    points: s.x.map((x, i) => ({ x, y: s.y[i] })),
  };
}

/** Last finite value of a column. */
export function lastValue(run: LoadedRun, column: string): number {
  const c = run.columns[column];
  if (!c) return Number.NaN;
  for (let i = c.length - 1; i >= 0; i--) if (Number.isFinite(c[i])) return c[i];
  return Number.NaN;
}

/** Value of a column at the recorded row nearest to (at or before) a step. */
export function valueAtStep(run: LoadedRun, column: string, step: number): number {
  const s = run.columns.step;
  const c = run.columns[column];
  if (!s || !c) return Number.NaN;
  let best = Number.NaN;
  for (let i = 0; i < s.length && s[i] <= step; i++) best = c[i];
  return best;
}

/** Columns named `name[i]` present in a run, in index order. */
export function indexedColumns(run: LoadedRun, name: string): string[] {
  const out: string[] = [];
  for (let i = 0; `${name}[${i}]` in run.columns; i++) out.push(`${name}[${i}]`);
  return out;
}

/** A dashed theory line through the given points. */
export function theoryLine(name: string, points: Point[]): Series {
  return { name, style: "dashed", points };
}

/** The seed with the smallest seed number among runs (the one drawn in per-run figures). */
export function firstSeed(runs: readonly LoadedRun[]): LoadedRun | undefined {
  return [...runs].sort((a, b) => a.job.seed - b.job.seed)[0];
}

/**
 * How many seeds stand behind a row, e.g. "3 seeds per m" for runs grouped by a swept value
 * (a range such as "2–3 seeds" when some runs failed). Every row that compares settings or
 * seeds states it (a verdict resting on one draw must say so).
 */
export function seedsPer(groups: Iterable<readonly LoadedRun[]>, per?: string): string {
  const counts = [...new Set([...groups].map((g) => g.length))].sort((a, b) => a - b);
  if (counts.length === 0) return "no seeds";
  const n = counts.length === 1 ? `${counts[0]}` : `${counts[0]}–${counts.at(-1)}`;
  const word = counts.length === 1 && counts[0] === 1 ? "seed" : "seeds";
  return per ? `${n} ${word} per ${per}` : `${n} ${word}`;
}
