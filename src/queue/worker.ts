/**
 * `overparam worker redis://…`: takes runs from the sweep queue, runs each on the local pool
 * (a worker thread, so this thread keeps renewing the job's lock in Redis) and sends the
 * finished run back, packed, under resultKey(hash).
 *
 * - A job whose engine hash differs from this worker's is refused: recorded in REFUSALS_KEY
 *   (the sweep shows it) and put back on the queue for a worker with the right engine.
 * - A job that cannot run as sent (bad payload or spec, altered content) fails at once; a run
 *   that fails throws, so BullMQ retries it up to the sweep's `attempts` and then marks it failed.
 * - Ctrl-C: take no more jobs and finish the running ones; a second Ctrl-C interrupts them
 *   and returns them to the queue; a third quits at once.
 * - Redis absent or restarted: one line, reconnection with back-off, then work goes on.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, hostname, tmpdir } from "node:os";
import path from "node:path";
import { DelayedError, type Job, UnrecoverableError, Worker } from "bullmq";
import type { KernelChoice } from "../kernels/index.js";
import { engineFingerprint } from "../reproduce/plan.js";
import { JobPool } from "../reproduce/pool.js";
import {
  checkUrl,
  connect,
  PREFIX,
  QUEUE_NAME,
  REFUSALS_KEY,
  redactUrl,
  resultKey,
} from "./connection.js";
import {
  decodePayload,
  InvalidJobError,
  MAX_RESULT_BYTES,
  packResult,
  RESULT_FILES,
  type RunReturn,
} from "./payload.js";

export interface WorkerOptions {
  concurrency?: number;
  quiet: boolean;
  /** BullMQ lock duration: a killed worker's job is taken over after about this long. */
  lockMs: number;
  kernels: KernelChoice;
}

/** How long a result waits in Redis for the sweep to collect it. */
const RESULT_TTL_S = 7 * 24 * 3600;

export async function workerCommand(url: string, opts: WorkerOptions): Promise<number> {
  checkUrl(url, "worker");
  const engine = engineFingerprint();
  const concurrency = opts.concurrency ?? availableParallelism();
  const id = `${hostname()}:${process.pid}`;
  const say = (line: string) => process.stderr.write(`worker ${id}: ${line}\n`);
  const info = (line: string) => {
    if (!opts.quiet) say(line);
  };
  const report = { down: say, up: info };
  const client = connect(url, `overparam-worker:${id}`, report);

  const stopFlag = new SharedArrayBuffer(4);
  const stop = new Int32Array(stopFlag);
  const pool = new JobPool(concurrency, opts.kernels, stopFlag);
  const scratch = mkdtempSync(path.join(tmpdir(), "overparam-worker-"));
  const refusedEngines = new Set<string>();
  let returning = false;

  const processor = async (job: Job, token?: string): Promise<RunReturn> => {
    const data = job.data as Record<string, unknown>;
    const jobEngine = typeof data?.engine === "string" ? data.engine : "(none)";
    if (jobEngine !== engine) {
      if (!refusedEngines.has(jobEngine)) {
        refusedEngines.add(jobEngine);
        say(
          `refusing runs made with engine ${jobEngine}: this worker's engine is ${engine} (install the sweep's overparam version on this machine)`,
        );
      }
      await client.hset(
        REFUSALS_KEY,
        id,
        JSON.stringify({ worker: id, engine, jobEngine, at: new Date().toISOString() }),
      );
      // back on the queue (not an attempt) for a worker with the sweep's engine
      await job.moveToDelayed(Date.now() + 2000, token);
      throw new DelayedError();
    }
    let payload: ReturnType<typeof decodePayload>;
    try {
      payload = decodePayload(data, engine);
    } catch (e) {
      if (e instanceof InvalidJobError) {
        say(`rejected job ${job.id}: ${e.message}`);
        throw new UnrecoverableError(`invalid job: ${e.message}`);
      }
      throw e;
    }
    const dir = mkdtempSync(path.join(scratch, "run-"));
    try {
      let lastProgress = 0;
      const outcome = await pool.run(
        {
          spec: payload.spec,
          dir,
          source: payload.source,
          assignments: payload.assignments,
          hash: payload.hash,
          arrays: payload.arrays,
          saveWeights: payload.saveWeights,
          manifestExtra: { ranBy: `overparam worker on ${hostname()}` },
        },
        (fraction) => {
          const now = Date.now();
          if (now - lastProgress < 1000) return;
          lastProgress = now;
          job.updateProgress(Math.round(100 * fraction)).catch(() => {});
        },
      );
      if (
        outcome.status === "interrupted" ||
        outcome.status === "skipped" ||
        (returning && outcome.status !== "completed" && outcome.status !== "diverged")
      ) {
        // Ctrl-C twice: give the run back to the queue at once, not as a failed attempt
        await job.moveToDelayed(Date.now(), token);
        info(`returned ${payload.label} to the queue`);
        throw new DelayedError();
      }
      if (outcome.status === "failed" || !("wallSeconds" in outcome)) {
        info(`${payload.label}: failed (attempt ${job.attemptsMade + 1}) — ${outcome.reason}`);
        throw new Error(outcome.reason);
      }
      const files: Record<string, Buffer> = {};
      for (const name of RESULT_FILES) {
        try {
          files[name] = readFileSync(path.join(dir, name));
        } catch {
          // not written by this run (no weights asked for)
        }
      }
      const packed = packResult(files);
      if (packed.byteLength > MAX_RESULT_BYTES)
        throw new UnrecoverableError(
          `the finished run is ${Math.round(packed.byteLength / 2 ** 20)} MB packed; the queue carries at most ${MAX_RESULT_BYTES / 2 ** 20} MB per run`,
        );
      await client.set(resultKey(payload.hash), packed, "EX", RESULT_TTL_S);
      info(`${payload.label}: ${outcome.status} (${outcome.wallSeconds.toFixed(2)} s)`);
      return {
        status: outcome.status,
        bytes: packed.byteLength,
        wallSeconds: outcome.wallSeconds,
        worker: id,
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  const worker = new Worker(QUEUE_NAME, processor, {
    connection: client,
    prefix: PREFIX,
    name: id,
    concurrency,
    lockDuration: opts.lockMs,
    stalledInterval: opts.lockMs,
    maxStalledCount: 3,
    autorun: false,
  });
  let workerDown = false;
  worker.on("error", (e) => {
    // connection trouble is reported once by the client; anything else once per kind
    if (client.status === "ready" && !workerDown) {
      workerDown = true;
      say(`queue error: ${e.message.split("\n")[0]}`);
    }
  });
  worker.on("ready", () => {
    workerDown = false;
  });

  let signals = 0;
  let finishing: Promise<void> | null = null;
  const onSignal = () => {
    signals++;
    if (signals === 1) {
      say("finishing the running runs and taking no more (Ctrl-C again returns them to the queue)");
      finishing = worker.close();
    } else if (signals === 2) {
      returning = true;
      say("interrupting the running runs and returning them to the queue");
      Atomics.store(stop, 0, 1);
    } else process.exit(130);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  info(
    `taking runs from ${redactUrl(url)} (${concurrency} at a time, engine ${engine}); Ctrl-C to stop`,
  );
  try {
    await worker.run();
    if (finishing) await finishing;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await pool.destroy();
    client.disconnect();
    rmSync(scratch, { recursive: true, force: true });
  }
  return returning ? 130 : 0;
}
