import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "../..");
const bin = path.join(root, "bin/overparam.js");
const tmp = () => mkdtempSync(path.join(tmpdir(), "overparam-lock-"));

function cli(args: string[]) {
  const r = spawnSync("node", [bin, ...args], { cwd: root, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function waitFor(check: () => boolean, ms = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > ms) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 25));
  }
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
}

/** What a referee reads: every verdict's claim, status and measured numbers, and run statuses. */
function verdicts(out: string) {
  const report = JSON.parse(readFileSync(path.join(out, "report.json"), "utf8"));
  return {
    status: report.status,
    verdicts: report.verdicts.map((v: Record<string, unknown>) => [v.claim, v.status, v.measured]),
    runs: report.runs.map((r: Record<string, unknown>) => [r.dir, r.status]),
  };
}

/** Every run folder's metrics.csv, by folder. */
function metricsFiles(out: string): Record<string, string> {
  const files: Record<string, string> = {};
  const runs = path.join(out, "runs");
  for (const preset of readdirSync(runs))
    for (const run of readdirSync(path.join(runs, preset))) {
      const f = path.join(runs, preset, run, "metrics.csv");
      files[`${preset}/${run}`] = readFileSync(f, "utf8");
    }
  return files;
}

describe("one output folder, several processes", () => {
  it("a second reproduce is refused in one line; after kill -9 of the first, a third resumes and the report equals a clean run's", async () => {
    const out = path.join(tmp(), "rep");
    const a = spawn("node", [bin, "reproduce", "xd", "--out", out, "--threads", "1", "--quiet"], {
      cwd: root,
    });
    const aExit = exited(a);
    // wait until A holds the lock and has finished at least one run
    await waitFor(() => existsSync(path.join(out, ".overparam.lock.json")));
    const b = cli(["reproduce", "xd", "--out", out, "--threads", "1", "--quiet"]);
    expect(b.code).toBe(2);
    expect(b.stderr.trim().split("\n")).toHaveLength(1);
    expect(b.stderr).toContain(`in use by overparam reproduce (pid ${a.pid}`);
    await waitFor(() => {
      const xd = path.join(out, "runs", "xd-fig1");
      return existsSync(xd) && readdirSync(xd).length >= 3;
    });
    a.kill("SIGKILL");
    expect((await aExit).signal).toBe("SIGKILL");

    // A's lock is left behind; its pid is gone, so C takes it over at once and resumes
    const c = cli(["reproduce", "xd", "--out", out, "--threads", "1"]);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stderr).toMatch(/\d+ reused/);
    expect(existsSync(path.join(out, ".overparam.lock"))).toBe(false); // released

    const clean = path.join(tmp(), "clean");
    expect(cli(["reproduce", "xd", "--out", clean, "--threads", "1", "--quiet"]).code).toBe(0);
    expect(verdicts(out)).toEqual(verdicts(clean));
    expect(metricsFiles(out)).toEqual(metricsFiles(clean));
  });

  it("a run folder that does not verify is run again, not reused", () => {
    const out = path.join(tmp(), "rep");
    expect(cli(["reproduce", "xd", "--tiny", "--out", out, "--quiet"]).code).toBe(0);
    const before = verdicts(out);
    const dir = path.join(out, "runs", "xd-fig1");
    const victim = path.join(dir, readdirSync(dir)[0], "metrics.csv");
    const text = readFileSync(victim, "utf8");
    // what a second writer did before the lock existed: a truncated metrics.csv
    writeFileSync(victim, text.split("\n").slice(0, 10).join("\n"));
    const again = cli(["reproduce", "xd", "--tiny", "--out", out]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/, 1 to run/);
    expect(readFileSync(victim, "utf8")).toBe(text);
    expect(verdicts(out)).toEqual(before);
  });

  it("run --force into a folder another run is writing is refused; a dead holder's lock is taken over", async () => {
    const out = path.join(tmp(), "run");
    const long = ["run", "xd-fig1", "--set", "sweep=null", "--set", "optimizer.steps=100000000"];
    const a = spawn("node", [bin, ...long, "--out", out, "--quiet"], { cwd: root });
    const aExit = exited(a);
    await waitFor(() => existsSync(path.join(out, "metrics.csv")));
    const b = cli([...long.slice(0, -2), "--out", out, "--force", "--quiet"]);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain(`in use by overparam run (pid ${a.pid}`);
    a.kill("SIGKILL");
    await aExit;
    const c = cli(
      ["run", "xd-fig1", "--set", "sweep=null", "--set", "optimizer.steps=100"].concat([
        "--out",
        out,
        "--force",
        "--quiet",
      ]),
    );
    expect(c.code, c.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(path.join(out, "manifest.json"), "utf8"));
    expect(manifest.status).toBe("completed");
    expect(manifest.steps).toBe(100);
  });
});
