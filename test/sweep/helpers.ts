/** Shared by the sweep tests: the CLI as a child process, a real redis-server, small specs. */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

export const root = path.resolve(__dirname, "../..");
export const bin = path.join(root, "bin/overparam.js");
export const tmp = (prefix = "overparam-sweep-") => mkdtempSync(path.join(tmpdir(), prefix));

export function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync("node", [bin, ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export interface Child {
  proc: ChildProcess;
  /** stdout + stderr so far. */
  output: () => string;
  exited: Promise<{ code: number | null; signal: string | null }>;
}

/** The CLI (or, with `script`, args[0] as the script) as a child process. */
export function start(args: string[], env: Record<string, string> = {}, script = false): Child {
  const proc = spawn("node", script ? args : [bin, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
  });
  let out = "";
  proc.stdout?.on("data", (d) => {
    out += d;
  });
  proc.stderr?.on("data", (d) => {
    out += d;
  });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    proc.on("exit", (code, signal) => resolve({ code, signal })),
  );
  return { proc, output: () => out, exited };
}

export async function waitFor(
  check: () => boolean | Promise<boolean>,
  ms = 30_000,
  what = "a condition",
): Promise<void> {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface RedisServer {
  port: number;
  url: string;
  dir: string;
  stop(): Promise<void>;
}

/** A real redis-server on 127.0.0.1 (random port, temporary folder, AOF on, no RDB). */
export async function startRedis(port?: number, dir?: string): Promise<RedisServer> {
  const binary = process.env.OVERPARAM_REDIS_SERVER || "redis-server";
  const p = port ?? (await freePort());
  const d = dir ?? tmp("overparam-redis-");
  const proc = spawn(
    binary,
    [
      "--port",
      String(p),
      "--bind",
      "127.0.0.1",
      "--dir",
      d,
      "--save",
      "",
      "--appendonly",
      "yes",
      "--appendfsync",
      "always",
      "--protected-mode",
      "no",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let log = "";
  proc.stdout?.on("data", (x) => {
    log += x;
  });
  const exited = new Promise<void>((resolve) => proc.on("exit", () => resolve()));
  await waitFor(
    () => /Ready to accept connections/.test(log),
    10_000,
    `redis-server on ${p}: ${log}`,
  );
  return {
    port: p,
    url: `redis://127.0.0.1:${p}`,
    dir: d,
    async stop() {
      proc.kill("SIGTERM");
      await exited;
    },
  };
}

/** A sweep spec file (XD's population setting: deterministic and quick). */
export function writeSpec(dir: string, name: string, text: string): string {
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(file, text);
  return file;
}

export function readCsv(file: string): { header: string[]; rows: string[][] } {
  const lines = readFileSync(file, "utf8").trim().split("\n");
  return { header: lines[0].split(","), rows: lines.slice(1).map((l) => l.split(",")) };
}
