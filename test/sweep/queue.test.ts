/**
 * The queue's failure semantics against a real redis-server (127.0.0.1, random port, temporary
 * folder, AOF on): workers killed -9, the sweep killed and restarted, Redis restarted, runs that
 * fail every attempt, Redis absent, Ctrl-C on a worker, a worker with another engine and a job
 * altered on the way.
 */
import { appendFileSync, cpSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import path from "node:path";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodePayload } from "../../src/queue/payload.js";
import { engineFingerprint } from "../../src/reproduce/plan.js";
import { validateSpec } from "../../src/spec/validate.js";
import { runHash } from "../../src/sweep/plan.js";
import {
  type Child,
  cli,
  freePort,
  type RedisServer,
  readCsv,
  root,
  start,
  startRedis,
  tmp,
  waitFor,
  writeSpec,
} from "./helpers.js";

/** XD's population setting: deterministic; `steps` sets how long a run takes (~2 µs a step). */
function spec(name: string, steps: number, extra = ""): string {
  return `name: ${name}
dimension: 10
activation: relu
teacher: { kind: single, norm: 1 }
student: { width: 2, init: { kind: gaussian, scale: 0.1 } }
loss: { kind: population }
optimizer: { kind: gd, lr: 0.05, steps: ${steps} }
metrics: [loss]
sweep:
  student.width: [2, 3]
  optimizer.lr: [0.05, 0.1]
seeds: 2
summary:
  quantities:
    - { name: t, kind: first-below, metric: loss, threshold: 1.0e-5 }
  plots:
    - { kind: heatmap, x: optimizer.lr, y: student.width, value: t }
${extra}`;
}

const WORKER = ["--concurrency", "1", "--lock-ms", "1000"];

/** Drops the columns that differ between two machines or two invocations (times, reuse). */
function comparable(file: string): string[][] {
  const { header, rows } = readCsv(file);
  const keep = header
    .map((h, i) => (/wall_seconds|^reused$/.test(h) ? -1 : i))
    .filter((i) => i >= 0);
  return [keep.map((i) => header[i]), ...rows.map((r) => keep.map((i) => r[i]))];
}

function metricsFiles(out: string): Record<string, string> {
  const runs = path.join(out, "runs");
  return Object.fromEntries(
    readdirSync(runs).map((d) => [d, readFileSync(path.join(runs, d, "metrics.csv"), "utf8")]),
  );
}

function expectSameAsLocal(local: string, queued: string): void {
  expect(metricsFiles(queued)).toEqual(metricsFiles(local));
  expect(comparable(path.join(queued, "runs.csv"))).toEqual(
    comparable(path.join(local, "runs.csv")),
  );
  expect(comparable(path.join(queued, "cells.csv"))).toEqual(
    comparable(path.join(local, "cells.csv")),
  );
  expect(readFileSync(path.join(queued, "figures/heatmap-1-t.csv"), "utf8")).toBe(
    readFileSync(path.join(local, "figures/heatmap-1-t.csv"), "utf8"),
  );
}

async function stop(child: Child, signal: NodeJS.Signals = "SIGINT") {
  if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill(signal);
  return child.exited;
}

describe("sweep --queue and overparam worker, against a real redis-server", () => {
  let redis: RedisServer;
  let queue: Queue;
  let client: Redis;
  const children: Child[] = [];
  const spawnCli = (args: string[], env: Record<string, string> = {}) => {
    const c = start(args, env);
    children.push(c);
    return c;
  };

  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.url, { maxRetriesPerRequest: null });
    queue = new Queue("runs", { connection: client, prefix: "overparam" });
  });
  afterAll(async () => {
    for (const c of children) await stop(c, "SIGKILL");
    await queue.close();
    client.disconnect();
    await redis.stop();
  });

  it("kill -9 of a worker mid-run: the other takes it over after the lock expires; 0 lost; identical to a local sweep", async () => {
    const dir = tmp();
    const file = writeSpec(dir, "killw", spec("killw", 200_000));
    const local = cli(["sweep", file, "--out", path.join(dir, "local"), "--quiet"]);
    expect(local.code, local.stderr).toBe(0);

    const a = spawnCli(["worker", redis.url, ...WORKER]);
    const b = spawnCli(["worker", redis.url, ...WORKER]);
    const sweep = spawnCli([
      "sweep",
      file,
      "--out",
      path.join(dir, "queued"),
      "--queue",
      redis.url,
    ]);
    // a is in the middle of a run (not its first: it has finished one already)
    await waitFor(() => /completed/.test(a.output()), 30_000, "a first run on worker a");
    const aId = `:${a.proc.pid}`;
    await waitFor(
      async () => (await queue.getJobs(["active"])).some((j) => j.processedBy?.endsWith(aId)),
      20_000,
      "worker a to hold a run",
    );
    a.proc.kill("SIGKILL");
    const result = await sweep.exited;
    expect(result.code, sweep.output()).toBe(0);
    expect(sweep.output()).toMatch(/8 stalled|8 converged|\d+ converged, \d+ stalled/);
    expect(b.output()).toMatch(/completed/);
    expectSameAsLocal(path.join(dir, "local"), path.join(dir, "queued"));
    await stop(b);
    // nothing left behind in Redis for this sweep
    expect(await client.keys("overparam:result:*")).toEqual([]);
  });

  it("the sweep killed and restarted resumes: it submits nothing twice and nothing that finished runs again", async () => {
    const dir = tmp();
    const file = writeSpec(dir, "restart", spec("restart", 20_000));
    const out = path.join(dir, "queued");
    const first = spawnCli(["sweep", file, "--out", out, "--queue", redis.url]);
    await waitFor(() => /8 runs submitted/.test(first.output()), 20_000, "the submission");
    first.proc.kill("SIGKILL");
    await first.exited;
    const w = spawnCli(["worker", redis.url, ...WORKER]);
    await waitFor(async () => (await queue.getCompletedCount()) >= 8, 30_000, "8 completed runs");
    const second = cli(["sweep", file, "--out", out, "--queue", redis.url]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain("0 runs submitted");
    expect(second.stderr).toMatch(/8 (converged|stalled)|\d+ converged, \d+ stalled/);
    // every run ran exactly once on the worker
    await new Promise((r) => setTimeout(r, 300));
    expect(w.output().match(/: completed/g)).toHaveLength(8);
    const third = cli(["sweep", file, "--out", out, "--queue", redis.url]);
    expect(third.stderr).toContain("8 runs, 8 reused, 0 to run");
    await stop(w);
  });

  it("a run that fails every attempt is marked failed after --attempts tries and listed with its error", async () => {
    const dir = tmp();
    const file = writeSpec(
      dir,
      "failing",
      spec("failing", 100)
        .replace(
          "optimizer: { kind: gd, lr: 0.05, steps: 100 }",
          "optimizer: { kind: flow, time: 1 }",
        )
        .replace("  optimizer.lr: [0.05, 0.1]", "  optimizer.maxSteps: [3, 100000]")
        .replace("x: optimizer.lr", "x: optimizer.maxSteps")
        .replace("seeds: 2", "seeds: 1"),
    );
    const w = spawnCli(["worker", redis.url, ...WORKER]);
    const r = cli([
      "sweep",
      file,
      "--out",
      path.join(dir, "q"),
      "--queue",
      redis.url,
      "--attempts",
      "2",
    ]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(
      /student.width=2_optimizer.maxSteps=3_seed=0: failed after 2 attempts — integrator stopped: max-steps/,
    );
    const runs = readCsv(path.join(dir, "q/runs.csv"));
    const status = runs.header.indexOf("status");
    expect(runs.rows.filter((row) => row[status] === "failed")).toHaveLength(2);
    expect(runs.rows.filter((row) => row[status] === "completed")).toHaveLength(2);
    const marker = JSON.parse(readFileSync(path.join(dir, "q/sweep.json"), "utf8"));
    expect(marker.failed[0].reason).toMatch(/max-steps.*after 2 attempts/);
    // two attempts each, then no more (the worker's lines arrive while the test waits)
    const attempts = () =>
      w.output().match(/width=2_optimizer.maxSteps=3_seed=0: failed \(attempt/g) ?? [];
    await waitFor(() => attempts().length >= 2, 10_000, "the worker's lines");
    await new Promise((r) => setTimeout(r, 500));
    expect(attempts()).toHaveLength(2);
    await stop(w);
  });

  it("a worker refuses runs of another engine (visibly) and fails a job whose content does not match its hash", async () => {
    const w = spawnCli(["worker", redis.url, ...WORKER]);
    const v = validateSpec({
      dimension: 3,
      activation: "relu",
      teacher: { kind: "single" },
      student: { width: 2, init: { kind: "gaussian", scale: 0.1 } },
      optimizer: { kind: "gd", lr: 0.05, steps: 10 },
    });
    if (!v.ok) throw new Error(v.problems.join("\n"));
    const engine = engineFingerprint();
    const other = encodePayload({
      engine: "0000000000000000",
      hash: runHash(v.spec, {}, "0000000000000000"),
      spec: v.spec,
      source: "test",
      assignments: [],
      saveWeights: false,
      label: "other-engine",
    });
    await queue.add("other", other, { jobId: other.hash, attempts: 3 });
    const altered = encodePayload({
      engine,
      hash: runHash(v.spec, {}, engine),
      spec: { ...v.spec, seed: 99 },
      source: "test",
      assignments: [],
      saveWeights: false,
      label: "altered",
    });
    await queue.add("altered", altered, { jobId: altered.hash, attempts: 3 });
    await waitFor(
      () => /refusing runs made with engine 0000000000000000/.test(w.output()),
      20_000,
      "the refusal",
    );
    await waitFor(
      async () => (await queue.getJobState(altered.hash)) === "failed",
      20_000,
      "the altered job to fail",
    );
    const failed = await queue.getJob(altered.hash);
    expect(failed?.failedReason).toMatch(/invalid job: the content hash does not match/);
    expect(failed?.attemptsMade).toBe(1);
    const refusals = await client.hgetall("overparam:refusals");
    expect(
      Object.values(refusals).some((r) => JSON.parse(r).jobEngine === "0000000000000000"),
    ).toBe(true);
    // refused, never run: still waiting for a worker with that engine
    expect(["waiting", "delayed", "active"]).toContain(await queue.getJobState(other.hash));
    await stop(w);
    await (await queue.getJob(other.hash))?.remove();
    await failed?.remove();
  });

  it("a worker of another engine (another build) refuses the sweep's runs, visibly in the sweep's summary; results are never mixed", async () => {
    // another build: the same package with one byte of its numeric core changed
    const other = tmp("overparam-other-engine-");
    cpSync(path.join(root, "dist"), path.join(other, "dist"), { recursive: true });
    cpSync(path.join(root, "bin"), path.join(other, "bin"), { recursive: true });
    cpSync(path.join(root, "package.json"), path.join(other, "package.json"));
    symlinkSync(path.join(root, "node_modules"), path.join(other, "node_modules"));
    appendFileSync(path.join(other, "dist/core/engine.js"), "\n// another build\n");
    const stranger = start(
      [path.join(other, "bin/overparam.js"), "worker", redis.url, ...WORKER],
      {},
      true,
    );
    children.push(stranger);
    const dir = tmp();
    const file = writeSpec(
      dir,
      "mixed",
      spec("mixed", 100)
        .replace("[2, 3]", "[2]")
        .replace("[0.05, 0.1]", "[0.05]")
        .replace("seeds: 2", "seeds: 1"),
    );
    const sweep = spawnCli(["sweep", file, "--out", path.join(dir, "q"), "--queue", redis.url]);
    await waitFor(
      () => /refusing runs made with engine/.test(stranger.output()),
      20_000,
      "the refusal",
    );
    await new Promise((r) => setTimeout(r, 2500)); // the sweep polls refusals every 2 s
    const w = spawnCli(["worker", redis.url, ...WORKER]);
    expect((await sweep.exited).code, sweep.output()).toBe(0);
    expect(sweep.output()).toMatch(
      /refused runs: its engine is [0-9a-f]{16}, this sweep's is [0-9a-f]{16}/,
    );
    const marker = JSON.parse(readFileSync(path.join(dir, "q/sweep.json"), "utf8"));
    expect(marker.refusals[0]).toMatch(/refused runs/);
    expect(readFileSync(path.join(dir, "q/index.html"), "utf8")).toMatch(/refused runs/);
    // the run was made by the sweep's engine, not the stranger's
    const manifest = JSON.parse(
      readFileSync(
        path.join(dir, "q/runs", readdirSync(path.join(dir, "q/runs"))[0], "manifest.json"),
        "utf8",
      ),
    );
    expect(manifest.specHash).toBe(runHash(manifest.spec, {}, engineFingerprint()));
    expect(stranger.output()).not.toMatch(/: completed/);
    await stop(w);
    await stop(stranger);
  });

  it("a worker without Redis says so in one line and retries with back-off; Ctrl-C finishes, twice returns the run", async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    const w = spawnCli(["worker", url, ...WORKER]);
    await new Promise((r) => setTimeout(r, 2500));
    const lines = w
      .output()
      .split("\n")
      .filter((l) => /Redis/.test(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /cannot reach Redis at redis:\/\/127.0.0.1:\d+ \(ECONNREFUSED\); retrying with back-off/,
    );
    const late = await startRedis(port);
    try {
      await waitFor(() => /connected to Redis/.test(w.output()), 20_000, "the worker to connect");
      const dir = tmp();
      // one long run: Ctrl-C once lets it finish
      const file = writeSpec(
        dir,
        "ctrlc",
        spec("ctrlc", 1_500_000)
          .replace("[2, 3]", "[2]")
          .replace("[0.05, 0.1]", "[0.05]")
          .replace("seeds: 2", "seeds: 1"),
      );
      const sweep = spawnCli(["sweep", file, "--out", path.join(dir, "q"), "--queue", url]);
      const lqClient = new Redis(url, { maxRetriesPerRequest: null });
      lqClient.on("error", () => {});
      const lq = new Queue("runs", { connection: lqClient, prefix: "overparam" });
      await waitFor(async () => (await lq.getActiveCount()) === 1, 20_000, "the run to start");
      w.proc.kill("SIGINT");
      expect((await w.exited).code).toBe(0);
      expect(w.output()).toMatch(/finishing the running runs/);
      expect((await sweep.exited).code).toBe(0);

      // twice: the run goes back to the queue, not as a failed attempt
      const file2 = writeSpec(
        dir,
        "ctrlc2",
        spec("ctrlc2", 3_000_000)
          .replace("[2, 3]", "[3]")
          .replace("[0.05, 0.1]", "[0.05]")
          .replace("seeds: 2", "seeds: 1"),
      );
      const w2 = spawnCli(["worker", url, ...WORKER]);
      const sweep2 = spawnCli(["sweep", file2, "--out", path.join(dir, "q2"), "--queue", url]);
      await waitFor(
        async () => (await lq.getActiveCount()) === 1,
        20_000,
        "the second run to start",
      );
      w2.proc.kill("SIGINT");
      await new Promise((r) => setTimeout(r, 300));
      w2.proc.kill("SIGINT");
      expect((await w2.exited).code).toBe(130);
      expect(w2.output()).toMatch(/returned ctrlc2\/.* to the queue/);
      const [id] = await lq.getRanges(["wait", "delayed", "prioritized"], 0, -1);
      const job = await lq.getJob(id);
      expect(job?.attemptsMade).toBe(0);
      sweep2.proc.kill("SIGINT");
      expect((await sweep2.exited).code).toBe(130);
      await job?.remove();
      await lq.close();
      lqClient.disconnect();
    } finally {
      await late.stop();
    }
  });
});

describe("Redis restarted in the middle of a sweep (AOF on)", () => {
  it("the sweep and the worker reconnect and finish", async () => {
    const redis = await startRedis();
    const dir = tmp();
    const file = writeSpec(dir, "redisrestart", spec("redisrestart", 150_000));
    const w = start(["worker", redis.url, "--concurrency", "1"]);
    const sweep = start(["sweep", file, "--out", path.join(dir, "q"), "--queue", redis.url]);
    let again: RedisServer | null = null;
    try {
      await waitFor(() => /completed/.test(w.output()), 30_000, "a first run");
      await redis.stop();
      await new Promise((r) => setTimeout(r, 1000));
      again = await startRedis(redis.port, redis.dir);
      const r = await sweep.exited;
      expect(r.code, sweep.output()).toBe(0);
      expect(w.output()).toMatch(/lost Redis .*reconnecting/);
      expect(w.output()).toMatch(/reconnected to Redis/);
      const runs = readCsv(path.join(dir, "q/runs.csv"));
      const status = runs.header.indexOf("status");
      expect(runs.rows.map((row) => row[status])).toEqual(Array(8).fill("completed"));
      const local = cli(["sweep", file, "--out", path.join(dir, "local"), "--quiet"]);
      expect(local.code).toBe(0);
      expectSameAsLocal(path.join(dir, "local"), path.join(dir, "q"));
    } finally {
      await stop(w, "SIGKILL");
      await stop(sweep, "SIGKILL");
      await again?.stop();
    }
    // a run that finished while Redis was down is taken over after its lock expires (30 s)
  }, 150_000);
});

describe("inputs travel in the payload with a size limit", () => {
  it("refuses a run whose .npy inputs exceed the limit, in one line, before touching Redis", async () => {
    const dir = tmp();
    const { writeNpyFile } = await import("../../src/io/npy.js");
    const x = new Float64Array(40 * 10).map((_, i) => Math.sin(i));
    await writeNpyFile(path.join(dir, "x.npy"), { shape: [40, 10], data: x });
    const file = writeSpec(
      dir,
      "npy",
      spec("npy", 100).replace(
        "loss: { kind: population }",
        "loss: { kind: empirical, trainSize: 40, train: { inputs: x.npy } }",
      ),
    );
    const r = cli(["sweep", file, "--out", path.join(dir, "q"), "--queue", "redis://127.0.0.1:1"], {
      OVERPARAM_QUEUE_MAX_ARRAY_MB: "0.001",
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /its .npy inputs are 0.0 MB; a queued run carries at most 0.001 MB of inputs/,
    );
  });
});
