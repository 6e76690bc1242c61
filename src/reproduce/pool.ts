import { availableParallelism } from "node:os";
import path from "node:path";
import { MessageChannel } from "node:worker_threads";
import cliProgress from "cli-progress";
import { Piscina } from "piscina";
import type { KernelChoice } from "../kernels/index.js";
import type { JobOutcome, JobTask } from "./jobWorker.js";
import type { Job } from "./plan.js";

export interface PoolOptions {
  runsRoot: string;
  threads?: number;
  quiet: boolean;
  /** Int32 shared flag; setting it stops running jobs (kept as "interrupted") and queued ones. */
  stopFlag: SharedArrayBuffer;
  source: (job: Job) => string;
  /** Matrix-product backend; ONNX Runtime gets cores / threads threads per worker. */
  kernels: KernelChoice;
}

export type Outcome = JobOutcome | { status: "skipped" | "failed"; reason: string };

/**
 * Runs independent jobs on a worker pool (piscina), one thread per core by default, longest
 * first so the last minutes are not spent waiting on one big run. One progress bar for all,
 * weighted by each job's estimated cost and fed by per-job progress messages.
 */
export async function runJobs(jobs: readonly Job[], opts: PoolOptions): Promise<Map<Job, Outcome>> {
  const outcomes = new Map<Job, Outcome>();
  if (jobs.length === 0) return outcomes;
  const threads = Math.max(1, Math.min(opts.threads ?? availableParallelism(), jobs.length));
  const pool = new Piscina({
    filename: new URL("./jobWorker.js", import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    // one job at a time per thread: runs are CPU-bound and synchronous
    concurrentTasksPerWorker: 1,
  });
  const totalCost = jobs.reduce((s, j) => s + j.cost, 0);
  const running = new Map<Job, number>();
  let finishedCost = 0;
  let finished = 0;
  const bar = new ProgressDisplay(jobs.length, opts.quiet);
  const update = () => {
    let cost = finishedCost;
    for (const [job, fraction] of running) cost += job.cost * fraction;
    bar.update(cost / totalCost, finished);
  };
  const watchStop = setInterval(() => {
    update();
  }, 250);

  const ordered = [...jobs].sort((a, b) => b.cost - a.cost);
  await Promise.all(
    ordered.map(async (job) => {
      const { port1, port2 } = new MessageChannel();
      port1.on("message", (m: { done: number; total: number }) => {
        running.set(job, m.total > 0 ? Math.min(1, m.done / m.total) : 0);
      });
      const task: JobTask = {
        spec: job.spec,
        dir: path.join(opts.runsRoot, job.dir),
        source: opts.source(job),
        assignments: job.assignments,
        hash: job.hash,
        stopFlag: opts.stopFlag,
        port: port2,
        kernels: {
          choice: opts.kernels,
          threads: Math.max(1, Math.floor(availableParallelism() / threads)),
        },
      };
      try {
        running.set(job, 0);
        const outcome = (await pool.run(task, {
          transferList: [port2],
        })) as Outcome;
        outcomes.set(job, outcome);
        if (outcome.status === "failed") bar.log(`${job.dir}: failed — ${outcome.reason}`);
      } catch (e) {
        outcomes.set(job, { status: "failed", reason: (e as Error).message });
      } finally {
        running.delete(job);
        port1.close();
        finishedCost += job.cost;
        finished++;
        update();
      }
    }),
  );
  clearInterval(watchStop);
  bar.stop();
  await pool.destroy();
  return outcomes;
}

/** A bar on a terminal; on a log (CI) a line every ~15 s. */
class ProgressDisplay {
  private bar: cliProgress.SingleBar | null = null;
  private readonly tty = Boolean(process.stderr.isTTY);
  private lastLog = Date.now();
  private readonly started = Date.now();

  constructor(
    private readonly total: number,
    private readonly quiet: boolean,
  ) {
    if (quiet) return;
    if (this.tty) {
      this.bar = new cliProgress.SingleBar(
        {
          format:
            "reproduce [{bar}] {percentage}% | {runs}/{total} runs | elapsed {elapsed} | ETA {eta_formatted}",
          hideCursor: true,
          etaBuffer: 200,
          stream: process.stderr,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(1000, 0, { runs: 0, total, elapsed: "0s" });
    }
  }

  update(fraction: number, runs: number): void {
    if (this.quiet) return;
    const elapsed = `${Math.round((Date.now() - this.started) / 1000)}s`;
    if (this.bar)
      this.bar.update(Math.round(1000 * fraction), { runs, total: this.total, elapsed });
    else if (Date.now() - this.lastLog >= 15_000) {
      this.lastLog = Date.now();
      process.stderr.write(
        `reproduce: ${(100 * fraction).toFixed(0)}% (${runs}/${this.total} runs, ${elapsed})\n`,
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
