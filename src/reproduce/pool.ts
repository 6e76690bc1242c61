import { availableParallelism } from "node:os";
import path from "node:path";
import { MessageChannel } from "node:worker_threads";
import cliProgress from "cli-progress";
import { Piscina } from "piscina";
import type { ArrayStore } from "../core/setup/arrays.js";
import type { KernelChoice } from "../kernels/index.js";
import type { Spec } from "../spec/schema.js";
import type { JobOutcome, JobTask } from "./jobWorker.js";

/** What the pool needs of a job (reproduce's plan jobs and sweep jobs both are this). */
export interface PoolJob {
  spec: Spec;
  /** Folder relative to the runs root. */
  dir: string;
  assignments: ReadonlyArray<readonly [string, unknown]>;
  /** Content hash of the resolved spec, arrays and engine (written as the manifest's specHash). */
  hash: string;
  /** Rough work estimate for progress and ETA. */
  cost: number;
  arrays?: ArrayStore;
}

export interface PoolOptions<J extends PoolJob = PoolJob> {
  runsRoot: string;
  threads?: number;
  quiet: boolean;
  /** Int32 shared flag; setting it stops running jobs (kept as "interrupted") and queued ones. */
  stopFlag: SharedArrayBuffer;
  source: (job: J) => string;
  /**
   * Matrix-product backend; ONNX Runtime, or the WebAssembly GEMM, gets cores / threads threads
   * per worker (1 with a job per core, so the pool never oversubscribes the cores).
   */
  kernels: KernelChoice;
  /** The command, for the progress line (default "reproduce"). */
  label?: string;
  saveWeights?: boolean;
  saveInitialWeights?: boolean;
  /** Called as each job ends (finished, failed or skipped). */
  onFinished?: (job: J, outcome: Outcome) => void;
}

export type Outcome = JobOutcome | { status: "skipped" | "failed"; reason: string };

/** What one run needs besides its folder: the task without the pool's plumbing. */
export type PoolTask = Omit<JobTask, "port" | "kernels" | "stopFlag">;

/**
 * A fixed set of worker threads (piscina), one job at a time per thread, each running
 * jobWorker.ts. `runJobs` drives it for a local list of jobs; the queue worker feeds it jobs
 * as they arrive from Redis.
 */
export class JobPool {
  private readonly pool: Piscina;
  private readonly kernelThreads: number;

  constructor(
    readonly threads: number,
    private readonly kernels: KernelChoice,
    private readonly stopFlag: SharedArrayBuffer,
  ) {
    this.pool = new Piscina({
      filename: new URL("./jobWorker.js", import.meta.url).href,
      minThreads: threads,
      maxThreads: threads,
      // one job at a time per thread: runs are CPU-bound and synchronous
      concurrentTasksPerWorker: 1,
    });
    // each job's share of the cores for its matrix products (ORT's or the WebAssembly GEMM's
    // threads): 1 when there is a job per core
    this.kernelThreads = Math.max(1, Math.floor(availableParallelism() / threads));
  }

  /**
   * Runs one job; `onProgress` gets the fraction done (0..1). Tasks are never aborted (that
   * would end a worker in the middle of writing a run folder): once the stop flag is set, a
   * running job ends "interrupted" and one that had not started yet comes back "skipped".
   */
  async run(task: PoolTask, onProgress: (fraction: number) => void): Promise<Outcome> {
    const { port1, port2 } = new MessageChannel();
    port1.on("message", (m: { done: number; total: number }) => {
      onProgress(m.total > 0 ? Math.min(1, m.done / m.total) : 0);
    });
    const full: JobTask = {
      ...task,
      stopFlag: this.stopFlag,
      port: port2,
      kernels: { choice: this.kernels, threads: this.kernelThreads },
    };
    try {
      return (await this.pool.run(full, { transferList: [port2] })) as Outcome;
    } finally {
      port1.close();
    }
  }

  async destroy(): Promise<void> {
    await this.pool.destroy();
  }
}

/**
 * Runs independent jobs on a worker pool (piscina), one thread per core by default, longest
 * first so the last minutes are not spent waiting on one big run. One progress bar for all,
 * weighted by each job's estimated cost and fed by per-job progress messages.
 */
export async function runJobs<J extends PoolJob>(
  jobs: readonly J[],
  opts: PoolOptions<J>,
): Promise<Map<J, Outcome>> {
  const outcomes = new Map<J, Outcome>();
  if (jobs.length === 0) return outcomes;
  const threads = Math.max(1, Math.min(opts.threads ?? availableParallelism(), jobs.length));
  const pool = new JobPool(threads, opts.kernels, opts.stopFlag);
  const totalCost = jobs.reduce((s, j) => s + j.cost, 0);
  const running = new Map<J, number>();
  let finishedCost = 0;
  let finished = 0;
  let failed = 0;
  const bar = new ProgressDisplay(opts.label ?? "reproduce", jobs.length, opts.quiet);
  const update = () => {
    let cost = finishedCost;
    for (const [job, fraction] of running) cost += job.cost * fraction;
    bar.update(cost / totalCost, { done: finished, running: running.size, failed });
  };
  const watchStop = setInterval(update, 250);

  const ordered = [...jobs].sort((a, b) => b.cost - a.cost);
  await Promise.all(
    ordered.map(async (job) => {
      const task: PoolTask = {
        spec: job.spec,
        dir: path.join(opts.runsRoot, job.dir),
        source: opts.source(job),
        assignments: job.assignments,
        hash: job.hash,
        arrays: job.arrays,
        saveWeights: opts.saveWeights,
        saveInitialWeights: opts.saveInitialWeights,
      };
      let outcome: Outcome;
      try {
        outcome = await pool.run(task, (fraction) => {
          running.set(job, fraction);
        });
        if (outcome.status === "failed") bar.log(`${job.dir}: failed — ${outcome.reason}`);
      } catch (e) {
        outcome = { status: "failed", reason: (e as Error).message };
      } finally {
        running.delete(job);
        finishedCost += job.cost;
        finished++;
      }
      if (outcome.status === "failed") failed++;
      outcomes.set(job, outcome);
      opts.onFinished?.(job, outcome);
      update();
    }),
  );
  clearInterval(watchStop);
  bar.stop();
  await pool.destroy();
  return outcomes;
}

export interface ProgressCounts {
  done: number;
  running: number;
  failed: number;
  /** Queue sweeps: workers connected to the queue. */
  workers?: number;
  /** Queue sweeps: refusals by workers whose engine differs. */
  refused?: number;
}

/** A bar on a terminal; on a log (CI) a line every ~15 s. */
export class ProgressDisplay {
  private bar: cliProgress.SingleBar | null = null;
  private readonly tty = Boolean(process.stderr.isTTY);
  private lastLog = Date.now();
  private readonly started = Date.now();

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly quiet: boolean,
  ) {
    if (quiet) return;
    if (this.tty) {
      this.bar = new cliProgress.SingleBar(
        {
          format: `${label} [{bar}] {percentage}% | {runs}/{total} runs{extra} | elapsed {elapsed} | ETA {eta_formatted}`,
          hideCursor: true,
          etaBuffer: 200,
          stream: process.stderr,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(1000, 0, { runs: 0, total, elapsed: "0s", extra: "" });
    }
  }

  private extra(c: ProgressCounts): string {
    let s = "";
    if (c.running > 0) s += `, ${c.running} running`;
    if (c.failed > 0) s += `, ${c.failed} failed`;
    if (c.workers !== undefined) s += `, ${c.workers} worker${c.workers === 1 ? "" : "s"}`;
    if (c.refused) s += `, ${c.refused} refused (engine differs)`;
    return s;
  }

  update(fraction: number, counts: ProgressCounts): void {
    if (this.quiet) return;
    const elapsed = `${Math.round((Date.now() - this.started) / 1000)}s`;
    const extra = this.extra(counts);
    if (this.bar)
      this.bar.update(Math.round(1000 * fraction), {
        runs: counts.done,
        total: this.total,
        elapsed,
        extra,
      });
    else if (Date.now() - this.lastLog >= 15_000) {
      this.lastLog = Date.now();
      process.stderr.write(
        `${this.label}: ${(100 * fraction).toFixed(0)}% (${counts.done}/${this.total} runs${extra}, ${elapsed})\n`,
      );
    }
  }

  log(line: string): void {
    if (this.quiet) return;
    if (this.bar) {
      this.bar.stop();
      process.stderr.write(`${line}\n`);
      this.bar.start(1000, 0, {});
    } else process.stderr.write(`${line}\n`);
  }

  stop(): void {
    this.bar?.stop();
  }
}
