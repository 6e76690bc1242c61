import { spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { bin, cli, root } from "./cli.js";

const tmp = () => mkdtempSync(path.join(tmpdir(), "overparam-out-"));
const shortRun = [
  "run",
  "xd-fig1",
  "--set",
  "sweep=null",
  "--set",
  "optimizer.steps=10",
  "--quiet",
];
const tinyReproduce = ["reproduce", "xd", "--tiny", "--quiet"];

/** Every file under dir, relative. */
function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).map(String);
}

/** Runs the CLI with a file size limit (ulimit -f, 512-byte blocks): writes past it fail (EFBIG). */
function cliWithFileLimit(args: string[], blocks: number) {
  const quoted = [bin, ...args].map((a) => `'${a}'`).join(" ");
  const r = spawnSync("bash", ["-c", `ulimit -f ${blocks}; exec node ${quoted}`], {
    cwd: root,
    encoding: "utf8",
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

describe("output folders that cannot be used", () => {
  const dir = tmp();
  const file = path.join(dir, "a-file");
  writeFileSync(file, "x");
  const cases: [string, string, RegExp][] = [
    ["--out is a file", file, /: is a file, not a folder; choose a folder$/],
    [
      "a parent of --out is a file",
      path.join(file, "sub"),
      /a parent of it is a file, not a folder/,
    ],
    // /sys refuses new folders to everyone, root included (a read-only location)
    [
      "--out cannot be created",
      "/sys/overparam-test",
      /cannot create the folder \(permission denied\)/,
    ],
  ];
  for (const [what, out, message] of cases)
    for (const args of [shortRun, tinyReproduce])
      it(`${args[0]}: ${what} → one line, exit 2, nothing written`, () => {
        const before = files(dir);
        const r = cli([...args, "--out", out]);
        expect(r.code).toBe(2);
        expect(r.stderr.trim().split("\n")).toHaveLength(1);
        expect(r.stderr.trim()).toMatch(message);
        expect(files(dir)).toEqual(before);
      });
});

describe("a disk that refuses writes mid-run (file size limit: the same failure as a full disk)", () => {
  it("run: the run is marked failed with the reason, one line, exit 1", () => {
    const out = path.join(tmp(), "run");
    const r = cliWithFileLimit(
      [
        ...shortRun,
        "--set",
        "optimizer.steps=2000000",
        "--set",
        "record.pointsPerDecade=1000",
        "--out",
        out,
      ],
      8,
    );
    expect(r.signal).toBeNull(); // not killed by SIGXFSZ
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain("    at "); // no stack trace
    const manifest = JSON.parse(readFileSync(path.join(out, "manifest.json"), "utf8"));
    expect(manifest.status).toBe("failed");
    expect(manifest.reason).toBe(
      "cannot write the run folder (file too large (the file size limit was reached))",
    );
    expect(files(out).filter((f) => f.includes(".tmp"))).toEqual([]);
  });

  it("reproduce: figures that cannot be written are listed, the report is complete, no temporary files", () => {
    const out = path.join(tmp(), "rep");
    const r = cliWithFileLimit(["reproduce", "xd", "--tiny", "--out", out], 40);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/problems drawing the report .*file too large/);
    const report = JSON.parse(readFileSync(path.join(out, "report.json"), "utf8"));
    expect(report.status).toBe("complete");
    expect(report.problems.length).toBeGreaterThan(0);
    expect(files(out).filter((f) => f.includes(".tmp"))).toEqual([]);
  });
});

/** Resolves when the child has written its first line to stderr. */
function firstLine(child: ReturnType<typeof spawn>): Promise<void> {
  return new Promise((resolve) => {
    child.stderr?.once("data", () => resolve());
    child.on("exit", () => resolve());
  });
}

describe("signals in every phase of reproduce", () => {
  it("Ctrl-C at any moment after planning: exit 0 or 130 (killed only once all was written); no run or report left 'running'; a rerun equals a clean one", async () => {
    const clean = path.join(tmp(), "clean");
    expect(cli([...tinyReproduce, "--out", clean]).code).toBe(0);
    const verdicts = (out: string) =>
      JSON.parse(readFileSync(path.join(out, "report.json"), "utf8")).verdicts.map(
        (v: Record<string, unknown>) => [v.claim, v.status, v.measured],
      );
    const out = path.join(tmp(), "rep");
    mkdirSync(out);
    const outcomes: (number | null)[] = [];
    // counted from the plan's line on stderr: through the runs to drawing the report
    const args = ["reproduce", "xd", "--tiny", "--out", out];
    for (const delay of [0, 50, 150, 300, 500, 800, 1100, 1500, 2000, 2500]) {
      const child = spawn("node", [bin, ...args], { cwd: root });
      const exit = new Promise<[number | null, string | null]>((resolve) =>
        child.on("exit", (code, signal) => resolve([code, signal])),
      );
      await firstLine(child);
      await new Promise((r) => setTimeout(r, delay));
      child.kill("SIGINT");
      const [code, signal] = await exit;
      outcomes.push(code);
      if (signal !== null) {
        // only in the last instant of Node's own exit, after everything was written
        const report = JSON.parse(readFileSync(path.join(out, "report.json"), "utf8"));
        expect(report.status, `killed at delay ${delay} ms`).toBe("complete");
      } else expect([0, 130], `delay ${delay} ms`).toContain(code);
      if (existsSync(path.join(out, "report.json"))) {
        const report = JSON.parse(readFileSync(path.join(out, "report.json"), "utf8"));
        expect(report.status, `delay ${delay} ms`).not.toBe("running");
      }
      for (const f of files(out).filter((f) => f.endsWith("manifest.json"))) {
        const m = JSON.parse(readFileSync(path.join(out, f), "utf8"));
        expect(m.status, `${f} after delay ${delay} ms`).not.toBe("running");
      }
      expect(
        files(out).filter((f) => f.includes(".tmp")),
        `delay ${delay} ms`,
      ).toEqual([]);
    }
    expect(outcomes).toContain(130); // at least one signal arrived while it worked
    const again = cli([...tinyReproduce, "--out", out]);
    expect(again.code).toBe(0);
    expect(verdicts(out)).toEqual(verdicts(clean));
  }, 120_000);
});
