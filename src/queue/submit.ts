/**
 * `overparam sweep SPEC --queue redis://…`: puts every run that is not on disk yet on the
 * BullMQ queue (job id = the run's content hash, so submitting a sweep again never duplicates
 * work), then collects finished runs as workers send them back and writes them into the same
 * folder layout as a local sweep. Killed and restarted, it submits nothing twice and collects
 * what finished in the meantime; a run that failed all its attempts is listed with its error.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { Queue } from "bullmq";
import type { StopHandler } from "../io/interrupt.js";
import { RUN_FILES } from "../io/runToFolder.js";
import { UserInputError } from "../io/specFile.js";
import { unusableBecause } from "../io/verifyRun.js";
import { ProgressDisplay } from "../reproduce/pool.js";
import type { SweepJob, SweepPlan } from "../sweep/plan.js";
import type { ExternalStatus } from "../sweep/summary.js";
import {
  checkUrl,
  connect,
  PREFIX,
  QUEUE_NAME,
  REFUSALS_KEY,
  redactUrl,
  resultKey,
  whenReady,
} from "./connection.js";
import { arrayBytes, encodePayload, MAX_ARRAY_BYTES, unpackResult } from "./payload.js";

export interface QueueRunOptions {
  url: string;
  runsRoot: string;
  quiet: boolean;
  stopper: StopHandler;
  attempts: number;
  saveWeights: boolean;
}

export interface QueueResult {
  statuses: Map<SweepJob, ExternalStatus>;
  /** One line per worker that refused this sweep's runs because its engine differs. */
  refusals: string[];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const POLL_MS = 200;
const CONNECT_TIMEOUT_MS = 10_000;

/** Writes a run sent back by a worker into its folder; the manifest last, atomically. */
function writeRun(dir: string, files: Record<string, Buffer>): void {
  mkdirSync(dir, { recursive: true });
  for (const f of RUN_FILES) rmSync(path.join(dir, f), { force: true });
  for (const [name, bytes] of Object.entries(files)) {
    if (name === "manifest.json") continue;
    writeFileSync(path.join(dir, name), bytes);
  }
  if (files["manifest.json"]) {
    const tmp = path.join(dir, `manifest.json.tmp-${process.pid}`);
    writeFileSync(tmp, files["manifest.json"]);
    renameSync(tmp, path.join(dir, "manifest.json"));
  }
}

export async function runOnQueue(
  plan: SweepPlan,
  todo: SweepJob[],
  o: QueueRunOptions,
): Promise<QueueResult> {
  checkUrl(o.url, "--queue");
  const statuses = new Map<SweepJob, ExternalStatus>();
  const tooBig = todo.filter((j) => arrayBytes(j.arrays) > MAX_ARRAY_BYTES);
  if (tooBig.length)
    throw new UserInputError([
      `${tooBig[0].dir}: its .npy inputs are ${(arrayBytes(tooBig[0].arrays) / 2 ** 20).toFixed(1)} MB; a queued run carries at most ${MAX_ARRAY_BYTES / 2 ** 20} MB of inputs (set OVERPARAM_QUEUE_MAX_ARRAY_MB, or run the sweep locally)`,
    ]);
  const say = (line: string) => {
    if (!o.quiet) process.stderr.write(`sweep: ${line}\n`);
  };
  const bar = new ProgressDisplay("sweep", todo.length, o.quiet);
  const client = connect(o.url, `overparam-sweep:${hostname()}:${process.pid}`, {
    down: (l) => bar.log(`sweep: ${l}`),
    up: () => {},
  });
  try {
    await whenReady(client, CONNECT_TIMEOUT_MS);
  } catch {
    bar.stop();
    client.disconnect();
    throw new UserInputError([
      `--queue ${redactUrl(o.url)}: cannot reach Redis within ${CONNECT_TIMEOUT_MS / 1000} s; start it (e.g. redis-server --appendonly yes) or check the URL`,
    ]);
  }
  const queue = new Queue(QUEUE_NAME, { connection: client, prefix: PREFIX });
  queue.on("error", () => {}); // connection trouble is reported once by the client
  const pending = new Map<string, SweepJob[]>();
  for (const j of todo) pending.set(j.hash, [...(pending.get(j.hash) ?? []), j]);
  const stopped = new Promise<void>((resolve) => {
    const t = setInterval(() => {
      if (o.stopper.interrupted()) {
        clearInterval(t);
        resolve();
      }
    }, 100);
    t.unref();
  });
  const until = async <T>(p: Promise<T>): Promise<T | undefined> =>
    Promise.race([p, stopped.then(() => undefined)]);

  let done = 0;
  let failed = 0;
  let running = 0;
  let workers = 0;
  let refused = 0;
  const refusals = new Map<string, string>();
  const everRefused = new Map<string, string>();
  const update = () =>
    bar.update(done / Math.max(1, todo.length), { done, running, failed, workers, refused });

  const finish = (hash: string, status: ExternalStatus | null) => {
    for (const job of pending.get(hash) ?? []) {
      if (status) statuses.set(job, status);
      done++;
    }
    if (status?.status === "failed") failed += pending.get(hash)?.length ?? 0;
    pending.delete(hash);
  };

  const add = async (jobs: SweepJob[]) => {
    for (let i = 0; i < jobs.length; i += 200) {
      await queue.addBulk(
        jobs.slice(i, i + 200).map((j) => ({
          name: `${plan.name}/${j.dir}`,
          data: encodePayload({
            engine: plan.engine,
            hash: j.hash,
            spec: j.spec,
            source: plan.source,
            assignments: j.assignments,
            arrays: j.arrays,
            saveWeights: o.saveWeights,
            label: `${plan.name}/${j.dir}`,
          }),
          opts: {
            jobId: j.hash,
            attempts: o.attempts,
            backoff: { type: "exponential", delay: 1000 },
            removeOnComplete: false,
            removeOnFail: false,
          },
        })),
      );
    }
  };

  /** Puts on the queue what is not there; a run that failed before gets fresh attempts. */
  const submit = async (hashes: string[]) => {
    const toAdd: SweepJob[] = [];
    for (let i = 0; i < hashes.length; i += 200) {
      const chunk = hashes.slice(i, i + 200);
      const states = await Promise.all(chunk.map((h) => queue.getJobState(h)));
      for (const [k, state] of states.entries()) {
        const h = chunk[k];
        if (state === "unknown") toAdd.push(pending.get(h)![0]);
        else if (state === "failed") {
          const job = await queue.getJob(h);
          await job?.retry("failed", { resetAttemptsMade: true, resetAttemptsStarted: true });
        }
      }
    }
    await add(toAdd);
    return toAdd.length;
  };

  const collect = async (hash: string) => {
    const packed = await client.getBuffer(resultKey(hash));
    const job = await queue.getJob(hash);
    if (!packed) {
      // completed, but its files are gone (collected by another sweep, or expired): run again
      await job?.retry("completed", { resetAttemptsMade: true, resetAttemptsStarted: true });
      return;
    }
    let status: ExternalStatus | null = null;
    try {
      const files = unpackResult(packed);
      for (const j of pending.get(hash) ?? []) {
        const dir = path.join(o.runsRoot, j.dir);
        writeRun(dir, files);
        const why = unusableBecause(dir, hash);
        if (why) status = { status: "failed", reason: `the run sent back does not verify: ${why}` };
      }
    } catch (e) {
      status = {
        status: "failed",
        reason: `the run sent back cannot be read: ${(e as Error).message}`,
      };
    }
    finish(hash, status);
    await client.del(resultKey(hash));
    await job?.remove().catch(() => {});
  };

  let lastSlow = 0;
  let lastReconcile = Date.now();
  const poll = async () => {
    const [completed, failedIds, active] = await Promise.all([
      queue.getRanges(["completed"], 0, -1),
      queue.getRanges(["failed"], 0, -1),
      queue.getRanges(["active"], 0, -1),
    ]);
    for (const id of completed) if (pending.has(id)) await collect(id);
    for (const id of failedIds) {
      if (!pending.has(id)) continue;
      const job = await queue.getJob(id);
      const reason = job?.failedReason || "failed on the queue";
      const attempts = job?.attemptsMade ?? 0;
      bar.log(
        `sweep: ${pending.get(id)?.[0].dir}: failed after ${attempts} attempt${attempts === 1 ? "" : "s"} — ${reason}`,
      );
      finish(id, {
        status: "failed",
        reason: `${reason} (after ${attempts} attempts on the queue)`,
      });
      await job?.remove().catch(() => {});
    }
    running = active.filter((id) => pending.has(id)).length;
    if (Date.now() - lastSlow > 2000) {
      lastSlow = Date.now();
      workers = await queue.getWorkersCount();
      const all = await client.hgetall(REFUSALS_KEY);
      refusals.clear();
      for (const [worker, text] of Object.entries(all)) {
        try {
          const r = JSON.parse(text) as { jobEngine: string; engine: string; at: string };
          if (r.jobEngine === plan.engine && Date.now() - Date.parse(r.at) < 60_000)
            refusals.set(worker, r.engine);
        } catch {
          // not ours
        }
      }
      refused = refusals.size;
      for (const [w, e] of refusals)
        everRefused.set(
          w,
          `worker ${w} refused runs: its engine is ${e}, this sweep's is ${plan.engine}`,
        );
    }
    if (Date.now() - lastReconcile > 10_000) {
      // a job removed by someone else (another sweep collected it) is put back
      lastReconcile = Date.now();
      const readded = await submit([...pending.keys()]);
      if (readded) bar.log(`sweep: ${readded} runs were no longer on the queue; submitted again`);
    }
  };

  try {
    const added = await until(submit([...pending.keys()]));
    if (added !== undefined)
      bar.log(
        `sweep: ${added} runs submitted to ${redactUrl(o.url)} (${todo.length - added} already there); waiting for workers (\`overparam worker ${redactUrl(o.url)}\`)`,
      );
    while (pending.size > 0 && !o.stopper.interrupted()) {
      await until(poll());
      update();
      if (pending.size > 0) await sleep(POLL_MS);
    }
  } finally {
    bar.stop();
    for (const [, jobs] of pending)
      for (const j of jobs)
        statuses.set(j, {
          status: "skipped",
          reason:
            "still on the queue: the sweep stopped waiting; run the same command again to collect it",
        });
    for (const [w, e] of refusals)
      everRefused.set(
        w,
        `worker ${w} refused runs: its engine is ${e}, this sweep's is ${plan.engine}`,
      );
    if (refusals.size)
      say(
        `${refusals.size} worker(s) refused runs because their engine differs from this sweep's (${plan.engine}): ${[...refusals].map(([w, e]) => `${w} has ${e}`).join(", ")}`,
      );
    // a Redis that is gone must not hold the command up: give close() 2 s (timer unref'd)
    await Promise.race([
      queue.close().catch(() => {}),
      new Promise<void>((r) => setTimeout(r, 2000).unref()),
    ]);
    client.disconnect();
  }
  return { statuses, refusals: [...everRefused.values()] };
}
