/**
 * `overparam sweep SPEC`: the spec's sweep product × seeds as a first-class job. Runs the
 * missing runs on the local worker pool (or, with --queue, on BullMQ workers through Redis),
 * reusing every run folder whose content hash still matches, then writes runs.csv, cells.csv,
 * the figures the spec's `summary` asks for and an index.html that opens from disk.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import { writeFileAtomic } from "../io/atomicWrite.js";
import { installStopHandler, type StopHandler } from "../io/interrupt.js";
import { whileLocked } from "../io/lockedFolder.js";
import { prepareOutputFolder } from "../io/outputFolder.js";
import { describeFsError, UserInputError } from "../io/specFile.js";
import { unusableBecause } from "../io/verifyRun.js";
import { gitCommit, packageVersion } from "../io/version.js";
import type { KernelChoice } from "../kernels/index.js";
import { runJobs } from "../reproduce/pool.js";
import { pooledMemoryProblems, type ResourceLimits } from "../spec/resources.js";
import { writeSweepFigures } from "./figures.js";
import { renderIndex } from "./indexHtml.js";
import { planSweep, type SweepJob, type SweepPlan } from "./plan.js";
import { buildCells, cellsCsv, type ExternalStatus, runsCsv, summarizeRun } from "./summary.js";

export interface SweepOptions {
  out?: string;
  threads?: number;
  dryRun?: boolean;
  force: boolean;
  quiet: boolean;
  kernels?: KernelChoice;
  saveWeights?: boolean;
  /** redis://… : run on BullMQ workers instead of the local pool. */
  queue?: string;
  /** Queue: attempts per job before it is marked failed (default 3). */
  attempts?: number;
  /** --max-memory / --max-runs (memory is checked for local runs; workers have their own). */
  limits?: ResourceLimits;
}

const MARKER = "sweep.json";
const SWEEP_KIND = "overparam-sweep";
const EXIT_INTERRUPTED = 130;

/** Work units per second per thread when nothing on disk says better (see reproduce). */
const DEFAULT_THROUGHPUT = 1.5e9;

/** The default output folder: stable, so running the same command again resumes. */
export function defaultOut(plan: SweepPlan): string {
  return path.join("overparam-results", `sweep-${plan.name}`);
}

/**
 * A sweep folder may be reused (resume, redraw) only if it is one: empty or holding our
 * sweep.json. Anything else is refused unless --force; an unusable path is one line.
 */
function checkOutputFolder(out: string, force: boolean, create = true): void {
  const entries = prepareOutputFolder(out, { create });
  if (entries.length === 0 || force) return;
  let ours = false;
  try {
    ours = JSON.parse(readFileSync(path.join(out, MARKER), "utf8")).kind === SWEEP_KIND;
  } catch {
    ours = false;
  }
  if (!ours)
    throw new UserInputError([
      `--out ${out}: folder is not empty and is not an overparam sweep folder (no ${MARKER}); choose another folder or pass --force`,
    ]);
}

function makeFolder(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new UserInputError([`--out ${dir}: cannot create the folder (${describeFsError(e)})`]);
  }
}

export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

function rel(p: string): string {
  return path.relative(process.cwd(), p) || ".";
}

/** Work units per second per thread, from finished runs on disk when there are enough. */
function throughput(jobs: readonly SweepJob[], runsRoot: string, reusable: Set<SweepJob>): number {
  let cost = 0;
  let seconds = 0;
  for (const job of jobs) {
    if (!reusable.has(job)) continue;
    try {
      const m = JSON.parse(readFileSync(path.join(runsRoot, job.dir, "manifest.json"), "utf8"));
      const s = Number(m.wallSeconds);
      if (Number.isFinite(s) && s > 0) {
        cost += job.cost;
        seconds += s;
      }
    } catch {
      // unreadable: no information
    }
  }
  return seconds > 2 ? cost / seconds : DEFAULT_THROUGHPUT;
}

export async function sweepCommand(ref: string, opts: SweepOptions): Promise<number> {
  if (opts.threads !== undefined && !(Number.isInteger(opts.threads) && opts.threads >= 1))
    throw new UserInputError([`--threads ${opts.threads}: must be a whole number ≥ 1`]);
  if (opts.queue !== undefined && !/^rediss?:\/\//.test(opts.queue))
    throw new UserInputError([
      `--queue ${opts.queue}: expected redis://[user:pass@]host:port[/db] or rediss://…`,
    ]);
  // One Ctrl-C handler for the whole command: planning, running and writing the summary.
  const stopper = installStopHandler("keeping finished runs, writing the summary for what exists");
  try {
    const plan = await planSweep(ref, opts.limits?.maxRuns);
    if (opts.limits && !opts.queue)
      checkMemory(plan, opts.limits, opts.threads ?? availableParallelism());
    const out = path.resolve(opts.out ?? defaultOut(plan));
    if (opts.dryRun) return describePlan(plan, out, opts);
    if (stopper.interrupted()) return EXIT_INTERRUPTED;
    checkOutputFolder(out, opts.force);
    return await whileLocked(out, "sweep", stopper, () => sweepInto(out, plan, opts, stopper), {
      path: path.join(out, MARKER),
      reason: "the process ended before the summary was written",
    });
  } finally {
    stopper.dispose();
  }
}

/** Refuses a run that would not fit its share of memory when `threads` run at once. */
function checkMemory(plan: SweepPlan, limits: ResourceLimits, threads: number): void {
  const problems = pooledMemoryProblems(plan.jobs, limits, threads, (job) => `[${job.dir}] `);
  if (problems.length) throw new UserInputError(problems.slice(0, 20));
}

function reusableJobs(plan: SweepPlan, runsRoot: string): Set<SweepJob> {
  return new Set(
    plan.jobs.filter((j) => unusableBecause(path.join(runsRoot, j.dir), j.hash) === null),
  );
}

function describePlan(plan: SweepPlan, out: string, opts: SweepOptions): number {
  checkOutputFolder(out, opts.force, false);
  const runsRoot = path.join(out, "runs");
  const reusable = reusableJobs(plan, runsRoot);
  const todo = plan.jobs.filter((j) => !reusable.has(j));
  const threads = opts.threads ?? availableParallelism();
  const estimate =
    todo.reduce((s, j) => s + j.cost, 0) / throughput(plan.jobs, runsRoot, reusable) / threads;
  const lines = [
    `sweep ${plan.name} plan → ${rel(out)}`,
    ...plan.axes.map((a) => `  ${a.path}: ${a.values.map((v) => JSON.stringify(v)).join(", ")}`),
    `  seeds: ${plan.seeds.join(", ")}`,
    `  ${plan.cells} grid points × ${plan.seeds.length} seeds = ${plan.jobs.length} runs; ${reusable.size} reused, ${todo.length} to run`,
    opts.queue
      ? `  on the queue ${opts.queue.replace(/\/\/[^@/]*@/, "//…@")} (workers' cores decide the time)`
      : `  estimated time on ${threads} threads: ~${formatDuration(estimate)} (rough cost model)`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}

async function sweepInto(
  out: string,
  plan: SweepPlan,
  opts: SweepOptions,
  stopper: StopHandler,
): Promise<number> {
  const started = performance.now();
  const runsRoot = path.join(out, "runs");
  makeFolder(runsRoot);
  const marker = path.join(out, MARKER);
  writeFileAtomic(
    marker,
    `${JSON.stringify({ kind: SWEEP_KIND, status: "running", pid: process.pid })}\n`,
  );
  const say = (line: string) => {
    if (!opts.quiet) process.stderr.write(`${line}\n`);
  };
  const reusable = reusableJobs(plan, runsRoot);
  const todo = plan.jobs.filter((j) => !reusable.has(j));
  const threads = Math.max(
    1,
    Math.min(opts.threads ?? availableParallelism(), Math.max(todo.length, 1)),
  );
  const external = new Map<SweepJob, ExternalStatus>();
  const refusals: string[] = [];
  let where: string;
  if (opts.queue) {
    where = "on the queue";
    say(
      `sweep ${plan.name}: ${plan.jobs.length} runs, ${reusable.size} reused, ${todo.length} to run on the queue → ${rel(out)}`,
    );
    if (todo.length > 0 && !stopper.interrupted()) {
      const { runOnQueue } = await import("../queue/submit.js");
      const { statuses, refusals: refused } = await runOnQueue(plan, todo, {
        url: opts.queue,
        runsRoot,
        quiet: opts.quiet,
        stopper,
        attempts: opts.attempts ?? 3,
        saveWeights: opts.saveWeights ?? false,
      });
      for (const [job, s] of statuses) external.set(job, s);
      refusals.push(...refused);
    }
  } else {
    where = `on ${threads} thread${threads === 1 ? "" : "s"}`;
    say(
      `sweep ${plan.name}: ${plan.jobs.length} runs, ${reusable.size} reused, ${todo.length} to run on ${threads} threads → ${rel(out)}`,
    );
    if (todo.length > 0) {
      const estimate =
        todo.reduce((s, j) => s + j.cost, 0) / throughput(plan.jobs, runsRoot, reusable) / threads;
      if (estimate > 600)
        say(
          `estimated time: ~${formatDuration(estimate)} (rough cost model; Ctrl-C keeps finished runs and resumes next time)`,
        );
    }
    if (todo.length > 0 && !stopper.interrupted()) {
      const outcomes = await runJobs(todo, {
        runsRoot,
        threads,
        quiet: opts.quiet,
        stopFlag: stopper.stopFlag,
        source: () => plan.source,
        kernels: opts.kernels ?? "auto",
        label: "sweep",
        saveWeights: opts.saveWeights,
      });
      for (const [job, o] of outcomes)
        if (
          o.status === "skipped" ||
          (o.status === "failed" && !existsSync(path.join(runsRoot, job.dir, "manifest.json")))
        )
          external.set(job, { status: o.status, reason: o.reason });
    }
  }
  const interrupted = stopper.interrupted();
  return await writeSummary(out, plan, {
    reusable,
    external,
    interrupted,
    where,
    started,
    say,
    refusals,
  });
}

export async function writeSummary(
  out: string,
  plan: SweepPlan,
  ctx: {
    reusable: Set<SweepJob>;
    external: Map<SweepJob, ExternalStatus>;
    interrupted: boolean;
    where: string;
    started: number;
    say: (line: string) => void;
    /** Workers that refused runs (engine differs), one line each. */
    refusals?: string[];
  },
): Promise<number> {
  const runsRoot = path.join(out, "runs");
  const columnProblems = new Set<string>();
  const rows = plan.jobs.map((j) =>
    summarizeRun(
      j,
      runsRoot,
      plan.summary,
      ctx.reusable.has(j),
      ctx.external.get(j),
      columnProblems,
    ),
  );
  const cells = buildCells(plan, rows);
  writeFileAtomic(path.join(out, "runs.csv"), runsCsv(plan, rows));
  writeFileAtomic(path.join(out, "cells.csv"), cellsCsv(plan, cells));
  const figuresDir = path.join(out, "figures");
  mkdirSync(figuresDir, { recursive: true });
  const drawn = await writeSweepFigures(plan, rows, cells, figuresDir);
  const figures = drawn.figures;
  const problems = [...columnProblems, ...drawn.problems];
  const refusals = ctx.refusals ?? [];
  const wallSeconds = (performance.now() - ctx.started) / 1000;
  const createdAt = new Date().toISOString();
  writeFileAtomic(
    path.join(out, "index.html"),
    renderIndex({
      plan,
      description: plan.description,
      rows,
      cells,
      figures,
      problems: [...refusals, ...problems],
      interrupted: ctx.interrupted,
      wallSeconds,
      where: ctx.where,
      createdAt,
    }),
  );
  const count = (o: string) => rows.filter((r) => r.outcome === o).length;
  const failed = rows.filter((r) => r.status === "failed");
  const counts = Object.fromEntries(
    ["converged", "stalled", "diverged", "failed", "interrupted", "skipped", "missing"].map((o) => [
      o,
      count(o),
    ]),
  );
  writeFileAtomic(
    path.join(out, MARKER),
    `${JSON.stringify(
      {
        kind: SWEEP_KIND,
        status: ctx.interrupted ? "interrupted" : "complete",
        name: plan.name,
        source: plan.source,
        version: packageVersion,
        gitCommit: gitCommit(),
        engine: plan.engine,
        createdAt,
        wallSeconds,
        where: ctx.where,
        axes: plan.axes,
        seeds: plan.seeds,
        runs: rows.length,
        reused: ctx.reusable.size,
        outcomes: counts,
        refusals,
        failed: failed.map((r) => ({ run: r.job.dir, reason: r.reason })),
        figures: figures.map((f) => ({
          id: f.id,
          title: f.title,
          files: Object.fromEntries(
            Object.entries(f.files).map(([k, v]) => [
              k,
              path.relative(out, v).split(path.sep).join("/"),
            ]),
          ),
        })),
        problems,
      },
      null,
      2,
    )}\n`,
  );
  const summaryLine = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([o, n]) => `${n} ${o}`)
    .join(", ");
  ctx.say(
    `sweep ${plan.name}: ${summaryLine} (${formatDuration(wallSeconds)}) → ${rel(path.join(out, "index.html"))}`,
  );
  for (const r of failed.slice(0, 20)) ctx.say(`  failed: ${r.job.dir} — ${r.reason}`);
  if (failed.length > 20) ctx.say(`  … and ${failed.length - 20} more failed runs (runs.csv)`);
  for (const p of [...refusals, ...problems]) ctx.say(`  ${p}`);
  if (ctx.interrupted) return EXIT_INTERRUPTED;
  return failed.length > 0 || problems.length > 0 ? 1 : 0;
}
