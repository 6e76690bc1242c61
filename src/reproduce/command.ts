/**
 * `overparam reproduce [papers…]`: plan the runs of every preset of the chosen papers, run the
 * missing ones on a worker pool, then draw the figures, judge the claims and write the report.
 */

import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import type { Verdict } from "../analysis/verdict.js";
import { writeFileAtomic } from "../io/atomicWrite.js";
import { installStopHandler, type StopHandler } from "../io/interrupt.js";
import { whileLocked } from "../io/lockedFolder.js";
import { describeIoError, isIoError, prepareOutputFolder } from "../io/outputFolder.js";
import { describeFsError, UserInputError } from "../io/specFile.js";
import { gitCommit, packageVersion } from "../io/version.js";
import type { KernelChoice } from "../kernels/index.js";
import { writeFigure } from "../plot/render.js";
import { pooledMemoryProblems, type ResourceLimits } from "../spec/resources.js";
import { isReusable, type LoadedRun, loadRun } from "./load.js";
import { findPaper } from "./papers/index.js";
import { type Job, type Mode, type Plan, planReproduction, resolvePapers } from "./plan.js";
import { type Outcome, runJobs } from "./pool.js";
import type { ReportFigure, ReportRun } from "./report.js";
import { renderReport } from "./report.js";

export interface ReproduceOptions {
  mode: Mode;
  /** Print the plan and the time estimate; run and write nothing. */
  dryRun?: boolean;
  out: string;
  force: boolean;
  threads?: number;
  quiet: boolean;
  /** Matrix-product backend in each worker (default "auto"). */
  kernels?: KernelChoice;
  /** Memory per command and runs per reproduction (default: unlimited runs, no memory check). */
  limits?: ResourceLimits;
}

const MARKER = "report.json";
const REPORT_KIND = "overparam-report";

/**
 * Work units per second per thread. estimateCost's units are nanoseconds of one thread of the
 * 2-core development machine under the heavy load it was calibrated at (plan.ts); on the same
 * machine idle, a fresh clone's full reproduction (2026-11-30: 1481 runs, 533 s of thread
 * time, 4 min 48 s) ran 5.9× faster than that (per paper 4.6–8.4×), so a fresh estimate
 * divides by 5.5: per paper within 0.56–1.53× of the measured thread time in quick and full
 * mode. Runs already on disk replace it by their measured speed.
 */
const DEFAULT_THROUGHPUT = 5.5e9;

/**
 * A results folder may be reused (resume, re-draw) only if it is one: it is empty or holds our
 * report.json. Anything else is refused unless --force, so a typo never writes into a project.
 */
function checkOutputFolder(out: string, force: boolean, create = true): void {
  const entries = prepareOutputFolder(out, { create });
  if (entries.length === 0 || force) return;
  const marker = path.join(out, MARKER);
  let ours = false;
  if (existsSync(marker)) {
    try {
      ours = JSON.parse(readFileSync(marker, "utf8")).kind === REPORT_KIND;
    } catch {
      ours = false;
    }
  }
  if (!ours) {
    throw new UserInputError([
      `--out ${out}: folder is not empty and is not an overparam results folder (no ${MARKER}); choose another folder or pass --force`,
    ]);
  }
}

function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** Work units per second, from finished runs already on disk when there are some. */
function measuredThroughput(jobs: readonly Job[], runsRoot: string): number {
  let cost = 0;
  let seconds = 0;
  for (const job of jobs) {
    if (!isReusable(job, runsRoot)) continue;
    const run = loadRun(job, runsRoot);
    if (Number.isFinite(run.wallSeconds) && run.wallSeconds > 0.5) {
      cost += job.cost;
      seconds += run.wallSeconds;
    }
  }
  return seconds > 5 ? cost / seconds : DEFAULT_THROUGHPUT;
}

export async function reproduceCommand(
  requested: string[],
  opts: ReproduceOptions,
): Promise<number> {
  const papers = resolvePapers(requested);
  if (opts.threads !== undefined && !(Number.isInteger(opts.threads) && opts.threads >= 1)) {
    throw new UserInputError([`--threads ${opts.threads}: must be a whole number ≥ 1`]);
  }
  // One Ctrl-C handler for the whole command: planning, running and drawing the report.
  const stopper = installStopHandler("keeping finished runs, writing the report for what exists");
  try {
    const plan = await planReproduction(papers, opts.mode);
    if (opts.limits) checkLimits(plan, opts.limits, opts.threads ?? availableParallelism());
    if (opts.dryRun) return describePlan(plan, opts);
    if (stopper.interrupted()) return 130; // nothing written yet
    return await executeReproduction(plan, opts, stopper);
  } finally {
    stopper.dispose();
  }
}

/** Refuses a plan with more runs than allowed, or a run that would not fit its share of memory. */
function checkLimits(plan: Plan, limits: ResourceLimits, threads: number): void {
  if (plan.jobs.length > limits.maxRuns)
    throw new UserInputError([
      `reproduce: ${plan.jobs.length} runs, more than --max-runs ${limits.maxRuns}`,
    ]);
  const problems = pooledMemoryProblems(plan.jobs, limits, threads, (job) => `${job.preset}: `);
  if (problems.length) throw new UserInputError(problems);
}

/** `--dry-run`: what would run, what is reused, and how long it should take. */
function describePlan(plan: Plan, opts: Omit<ReproduceOptions, "mode">): number {
  const out = path.resolve(opts.out);
  checkOutputFolder(out, opts.force, false);
  const runsRoot = path.join(out, "runs");
  const threads = opts.threads ?? availableParallelism();
  const lines: string[] = [];
  let todoCost = 0;
  const throughput = measuredThroughput(plan.jobs, runsRoot);
  for (const [paper, presets] of Object.entries(plan.presets)) {
    let paperCost = 0;
    for (const preset of presets) {
      const jobs = plan.jobs.filter((j) => j.paper === paper && j.preset === preset);
      const todo = jobs.filter((j) => !isReusable(j, runsRoot));
      const cost = todo.reduce((s, j) => s + j.cost, 0);
      paperCost += cost;
      lines.push(
        `  ${paper.padEnd(4)} ${preset.padEnd(15)} ${String(jobs.length).padStart(4)} runs, ${jobs.length - todo.length} reused, ~${formatDuration(cost / throughput)} of one thread`,
      );
    }
    todoCost += paperCost;
    lines.push(
      `  ${paper.padEnd(4)} total: ~${formatDuration(paperCost / throughput / threads)} on ${threads} threads`,
    );
  }
  const estimate = todoCost / throughput / threads;
  process.stdout.write(
    `reproduce (${plan.mode}) plan → ${path.relative(process.cwd(), out) || "."}\n${lines.join("\n")}\n` +
      `  ${plan.jobs.length} runs; estimated time on ${threads} threads: ~${formatDuration(estimate)} (rough cost model)\n`,
  );
  return 0;
}

/** Runs what the plan needs (reusing finished runs), then writes figures and the report. */
export async function executeReproduction(
  plan: Plan,
  opts: Omit<ReproduceOptions, "mode">,
  handler?: StopHandler,
): Promise<number> {
  const stopper = handler ?? installStopHandler("keeping finished runs, writing the report");
  try {
    return await lockedReproduction(plan, opts, stopper);
  } finally {
    if (!handler) stopper.dispose();
  }
}

async function lockedReproduction(
  plan: Plan,
  opts: Omit<ReproduceOptions, "mode">,
  stopper: StopHandler,
): Promise<number> {
  const out = path.resolve(opts.out);
  checkOutputFolder(out, opts.force);
  makeFolder(out);
  return whileLocked(out, "reproduce", stopper, () => reproduceInto(out, plan, opts, stopper), {
    path: path.join(out, MARKER),
    reason: "the process ended before the report was written",
  });
}

/** mkdir -p with one clear line when the path cannot be a folder. */
function makeFolder(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new UserInputError([`--out ${dir}: cannot create the folder (${describeFsError(e)})`]);
  }
}

async function reproduceInto(
  out: string,
  plan: Plan,
  opts: Omit<ReproduceOptions, "mode">,
  stopper: StopHandler,
): Promise<number> {
  const started = performance.now();
  const { mode, papers } = plan;
  const runsRoot = path.join(out, "runs");
  makeFolder(runsRoot);
  // Mark the folder as ours at once, so a resumed or interrupted reproduction is recognised.
  writeFileAtomic(
    path.join(out, MARKER),
    `${JSON.stringify({ kind: REPORT_KIND, status: "running", pid: process.pid })}\n`,
  );

  const todo = plan.jobs.filter((j) => !isReusable(j, runsRoot));
  const threads = Math.max(
    1,
    Math.min(opts.threads ?? availableParallelism(), Math.max(todo.length, 1)),
  );
  const say = (line: string) => {
    if (!opts.quiet) process.stderr.write(`${line}\n`);
  };
  say(
    `reproduce (${mode}): ${papers.join(", ")} — ${plan.jobs.length} runs, ${plan.jobs.length - todo.length} reused, ${todo.length} to run on ${threads} threads → ${path.relative(process.cwd(), out) || "."}`,
  );
  if (todo.length > 0) {
    const throughput = measuredThroughput(plan.jobs, runsRoot);
    const estimate = todo.reduce((s, j) => s + j.cost, 0) / throughput / threads;
    if (mode === "full" || estimate > 600) {
      say(
        `estimated time: ~${formatDuration(estimate)} (rough cost model; Ctrl-C keeps finished runs and resumes next time)`,
      );
    }
  }

  const outcomes: Map<Job, Outcome> = stopper.interrupted()
    ? new Map()
    : await runJobs(todo, {
        runsRoot,
        threads,
        quiet: opts.quiet,
        stopFlag: stopper.stopFlag,
        source: (job) => `preset:${job.preset}`,
        kernels: opts.kernels ?? "auto",
      });
  // interrupted while runs were going: the report covers what finished
  const interrupted = stopper.interrupted();

  // observers → figures/report
  const loaded: LoadedRun[] = plan.jobs.map((j) => loadRun(j, runsRoot));
  const figuresDir = path.join(out, "figures");
  mkdirSync(figuresDir, { recursive: true });
  const verdicts: Verdict[] = [];
  const figures: ReportFigure[] = [];
  const problems: { paper: string; what: string; error: string }[] = [];
  for (const key of papers) {
    const paper = findPaper(key)!;
    const data = { mode, runs: loaded.filter((r) => r.job.paper === key) };
    try {
      verdicts.push(...paper.verdicts(data));
    } catch (e) {
      problems.push({ paper: key, what: "the verdicts", error: (e as Error).message });
    }
    let figs: ReturnType<typeof paper.figures> = [];
    try {
      figs = paper.figures(data);
    } catch (e) {
      problems.push({ paper: key, what: "the figures", error: (e as Error).message });
    }
    for (const fig of figs) {
      try {
        const written = await writeFigure(fig, figuresDir);
        const rel = (p: string) => path.relative(out, p).split(path.sep).join("/");
        figures.push({
          paper: key,
          id: fig.id,
          title: fig.title,
          caption: fig.caption,
          svg: readFileSync(written.svg, "utf8"),
          files: {
            svg: rel(written.svg),
            png: rel(written.png),
            csv: rel(written.csv),
            vegaLite: rel(written.vegaLite),
          },
        });
      } catch (e) {
        const error = isIoError(e) ? describeIoError(e) : (e as Error).message;
        problems.push({ paper: key, what: `figure ${fig.id}`, error });
      }
    }
  }
  const runs: ReportRun[] = loaded.map((r) => {
    const o = outcomes.get(r.job);
    const skipped = o?.status === "skipped";
    return {
      paper: r.job.paper,
      preset: r.job.preset,
      dir: `runs/${r.job.dir.split(path.sep).join("/")}`,
      status: skipped ? "skipped" : r.status,
      reason: skipped ? o.reason : r.reason,
      reused: o === undefined,
      wallSeconds: r.wallSeconds,
    };
  });
  const wallSeconds = (performance.now() - started) / 1000;
  const input = {
    title: `overparam reproduction: ${papers.map((p) => p.toUpperCase()).join(", ")}`,
    mode,
    createdAt: new Date().toISOString(),
    version: packageVersion,
    gitCommit: gitCommit(),
    wallSeconds,
    threads,
    interrupted,
    papers: papers.map((k) => {
      const p = findPaper(k)!;
      return { key: k, title: p.title, citation: p.citation };
    }),
    verdicts,
    figures,
    problems,
    runs,
  };
  writeFileAtomic(path.join(out, "report.html"), renderReport(input));
  const { figures: _svgs, ...rest } = input;
  writeFileAtomic(
    path.join(out, MARKER),
    `${JSON.stringify(
      {
        kind: REPORT_KIND,
        status: interrupted ? "interrupted" : "complete",
        ...rest,
        figures: figures.map((f) => ({ paper: f.paper, id: f.id, title: f.title, files: f.files })),
      },
      null,
      2,
    )}\n`,
  );
  const failed = runs.filter((r) => r.status === "failed").length;
  say(
    `report: ${path.relative(process.cwd(), path.join(out, "report.html"))} — ${verdicts.filter((v) => v.status === "reproduced").length}/${verdicts.length} claims reproduced, ${verdicts.filter((v) => v.status === "partly").length} partly, ${verdicts.filter((v) => v.status === "not reproduced").length} not, ${verdicts.filter((v) => v.status === "failed").length} without data; ${failed} failed runs${problems.length ? `; ${problems.length} problems drawing the report (listed in it; first: ${problems[0].what}: ${problems[0].error})` : ""} (${formatDuration(wallSeconds)})`,
  );
  if (stopper.interrupted()) return 130;
  return failed > 0 || problems.length > 0 ? 1 : 0;
}
