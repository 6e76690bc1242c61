import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** Helpers for the hardening tests: they spawn the built CLI (run `npm run build` first). */
export const root = path.resolve(__dirname, "../..");
export const bin = path.join(root, "bin/overparam.js");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stderr's `error: …` lines without the prefix. */
  errors: string[];
}

export function cli(args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): CliResult {
  const r = spawnSync("node", [bin, ...args], {
    cwd: opts.cwd ?? root,
    encoding: "utf8",
    timeout: opts.timeoutMs ?? 60_000,
  });
  return result(r);
}

/** The CLI under `ulimit -v` (KiB), so a bug that reads without end fails fast instead of eating memory. */
export function cliLimited(args: string[], kib: number, timeoutMs = 30_000): CliResult {
  const quoted = [bin, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  const r = spawnSync("bash", ["-c", `ulimit -v ${kib}; exec node ${quoted}`], {
    cwd: root,
    encoding: "utf8",
    timeout: timeoutMs,
  });
  return result(r);
}

function result(r: ReturnType<typeof spawnSync>): CliResult {
  const stderr = String(r.stderr ?? "");
  return {
    code: r.status,
    stdout: String(r.stdout ?? ""),
    stderr,
    errors: stderr
      .split("\n")
      .filter((l) => l.startsWith("error: "))
      .map((l) => l.slice("error: ".length)),
  };
}

export function tmp(): string {
  return mkdtempSync(path.join(tmpdir(), "overparam-hardening-"));
}

/** A small valid spec (population loss, 3 GD steps) to break one field at a time. */
export function baseSpec(): Record<string, unknown> {
  return {
    dimension: 4,
    activation: "relu",
    teacher: { kind: "single" },
    student: { width: 2, init: { kind: "gaussian", scale: 0.1 } },
    loss: { kind: "population" },
    optimizer: { kind: "gd", lr: 0.05, steps: 3 },
  };
}

export function writeSpec(dir: string, name: string, spec: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, typeof spec === "string" ? spec : JSON.stringify(spec));
  return file;
}
