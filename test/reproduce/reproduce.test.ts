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
import { beforeAll, describe, expect, it } from "vitest";
import { UserInputError } from "../../src/io/specFile.js";
import {
  canonicalJson,
  planReproduction,
  resolvePapers,
  specHash,
} from "../../src/reproduce/plan.js";

const root = path.resolve(__dirname, "../..");
const bin = path.join(root, "bin/overparam.js");

function cli(args: string[]) {
  const t0 = performance.now();
  const r = spawnSync("node", [bin, ...args], { cwd: root, encoding: "utf8" });
  return {
    code: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    seconds: (performance.now() - t0) / 1000,
  };
}
const tmp = () => mkdtempSync(path.join(tmpdir(), "overparam-reproduce-"));

/** Width and height from a PNG's IHDR chunk. */
function pngSize(file: string): { width: number; height: number } {
  const b = readFileSync(file);
  expect(b.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

describe("reproduction plan", () => {
  it("covers every paper experiment with a preset that has a reproduce block", async () => {
    const plan = await planReproduction(resolvePapers([]), "quick");
    expect(plan.papers).toEqual(["wa", "du", "xd", "zgj"]);
    expect(plan.presets).toEqual({
      wa: ["wa-fig1", "wa-fig6", "wa-lemma1"],
      du: ["du-fig1", "du-flow", "du-lemma31"],
      xd: ["xd-fig1", "xd-flow", "xd-nscaling", "xd-toy"],
      zgj: [
        "zgj-claim1",
        "zgj-claim2",
        "zgj-exact",
        "zgj-fig1",
        "zgj-init",
        "zgj-lazy-tau1",
        "zgj-lazy-tau10",
        "zgj-lazy-tau3",
        "zgj-online",
        "zgj-thm3-r",
      ],
    });
    // quick mode: 3 seeds where randomness matters, 20 where WA's verdicts compare seeds
    const count = (preset: string) => plan.jobs.filter((j) => j.preset === preset).length;
    expect(count("wa-fig1")).toBe(3 * 20);
    expect(count("xd-fig1")).toBe(15);
    expect(count("du-fig1")).toBe(9);
    expect(count("wa-fig6")).toBe(30 * 20);
    expect(count("wa-lemma1")).toBe(3 * 5);
    expect(new Set(plan.jobs.map((j) => j.hash)).size).toBe(plan.jobs.length);
    expect(new Set(plan.jobs.map((j) => j.dir)).size).toBe(plan.jobs.length);
    for (const j of plan.jobs) expect(j.cost).toBeGreaterThan(0);
  });

  it("--full applies each preset's full overrides", async () => {
    const quick = await planReproduction(["du"], "quick");
    const full = await planReproduction(["du"], "full");
    expect(quick.jobs[0].spec.dimension).toBe(200);
    expect(full.jobs[0].spec.dimension).toBe(1000);
    expect(full.jobs[0].spec.loss.trainSize).toBe(1000);
    expect(full.jobs[0].cost).toBeGreaterThan(10 * quick.jobs[0].cost);
  });

  it("hashes the resolved spec whatever its key order, and any change changes the hash", async () => {
    expect(canonicalJson({ b: 1, a: [1, { d: 2, c: 3 }] })).toBe('{"a":[1,{"c":3,"d":2}],"b":1}');
    const plan = await planReproduction(["xd"], "quick");
    const spec = plan.jobs[0].spec;
    const reverseKeys = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(reverseKeys)
        : v && typeof v === "object"
          ? Object.fromEntries(
              Object.entries(v)
                .reverse()
                .map(([k, x]) => [k, reverseKeys(x)]),
            )
          : v;
    const reordered = reverseKeys(spec) as typeof spec;
    expect(Object.keys(reordered)[0]).not.toBe(Object.keys(spec)[0]);
    expect(specHash(reordered, "f")).toBe(specHash(spec, "f"));
    expect(specHash({ ...spec, seed: spec.seed + 1 }, "f")).not.toBe(specHash(spec, "f"));
    expect(specHash(spec, "g")).not.toBe(specHash(spec, "f"));
    // the reproduce block itself (seed counts) does not invalidate finished runs
    expect(specHash({ ...spec, reproduce: { seeds: 9 } }, "f")).toBe(specHash(spec, "f"));
  });

  it("refuses unknown paper keys, listing the known ones", () => {
    expect(() => resolvePapers(["wa", "nope"])).toThrow(UserInputError);
    try {
      resolvePapers(["nope"]);
    } catch (e) {
      expect((e as UserInputError).problems[0]).toMatch(
        /unknown paper "nope"; available: wa, du, xd, zgj/,
      );
    }
  });
});

describe("overparam reproduce (tiny sizes)", () => {
  let out: string;
  let first: ReturnType<typeof cli>;
  beforeAll(() => {
    out = path.join(tmp(), "report");
    first = cli(["reproduce", "--tiny", "--out", out, "--quiet"]);
  }, 300_000);

  it("runs every preset, renders every figure and writes a report that links them", () => {
    expect(first.code, first.stderr).toBe(0);
    const meta = JSON.parse(readFileSync(path.join(out, "report.json"), "utf8"));
    expect(meta.kind).toBe("overparam-report");
    expect(meta.status).toBe("complete");
    expect(meta.problems).toEqual([]);
    const ids = meta.figures.map((f: { id: string }) => f.id);
    for (const id of [
      "wa-fig1",
      "wa-fig2",
      "wa-fig3",
      "wa-fig4",
      "wa-fig5",
      "wa-fig6",
      "wa-fig7",
      "wa-fig8",
      "du-fig1",
      "xd-fig1",
      "xd-appA",
      "xd-diagnostics",
      "zgj-fig1",
      "zgj-claim2",
    ]) {
      expect(ids).toContain(id);
    }
    const html = readFileSync(path.join(out, "report.html"), "utf8");
    expect(html.match(/<figure class="overparam-figure"/g)?.length).toBe(ids.length);
    for (const f of meta.figures as { id: string; files: Record<string, string> }[]) {
      for (const file of Object.values(f.files)) {
        expect(existsSync(path.join(out, file)), file).toBe(true);
        expect(html).toContain(`href="${file}"`);
      }
      const svg = readFileSync(path.join(out, f.files.svg), "utf8");
      expect(svg).toMatch(/<svg[\s>]/);
      expect(svg).toMatch(/<\/svg>\s*$/);
      expect(svg).not.toMatch(/NaN/);
      // PNG at scale 2 of the SVG's own size
      const w = Number(svg.match(/<svg[^>]*\swidth="([\d.]+)"/)?.[1]);
      const h = Number(svg.match(/<svg[^>]*\sheight="([\d.]+)"/)?.[1]);
      const size = pngSize(path.join(out, f.files.png));
      expect(size.width).toBe(Math.round(2 * w));
      expect(size.height).toBe(Math.round(2 * h));
      const csv = readFileSync(path.join(out, f.files.csv), "utf8").split("\n");
      expect(csv[0]).toBe("panel,series,x,y,lo,hi");
      expect(csv.length).toBeGreaterThan(2);
    }
  });

  it("writes one verdict row per claim, each with a rule and a measured value", () => {
    const meta = JSON.parse(readFileSync(path.join(out, "report.json"), "utf8"));
    const verdicts = meta.verdicts as {
      paper: string;
      status: string;
      measured: string;
      rule: string;
    }[];
    expect(verdicts.length).toBeGreaterThanOrEqual(20);
    for (const p of ["wa", "du", "xd", "zgj"])
      expect(verdicts.some((v) => v.paper === p)).toBe(true);
    for (const v of verdicts) {
      expect(["reproduced", "partly", "not reproduced", "failed"]).toContain(v.status);
      expect(v.rule.length).toBeGreaterThan(10);
      expect(v.measured.length).toBeGreaterThan(0);
    }
    const html = readFileSync(path.join(out, "report.html"), "utf8");
    expect(html.indexOf('id="verdicts"')).toBeLessThan(html.indexOf("<figure"));
    expect(html).not.toMatch(/<script/);
    expect(html).not.toMatch(/(src|href)="https?:/);
  });

  it("reuses finished runs on a second call (resume), re-drawing only", () => {
    const again = cli(["reproduce", "--tiny", "--out", out]);
    expect(again.code, again.stderr).toBe(0);
    const meta = JSON.parse(readFileSync(path.join(out, "report.json"), "utf8"));
    expect(again.stderr).toMatch(
      new RegExp(`${meta.runs.length} runs, ${meta.runs.length} reused, 0 to run`),
    );
    expect(meta.runs.every((r: { reused: boolean }) => r.reused)).toBe(true);
  });

  it("re-runs only what changed: a deleted run folder is recomputed", () => {
    const meta = JSON.parse(readFileSync(path.join(out, "report.json"), "utf8"));
    const victim = meta.runs.find((r: { preset: string }) => r.preset === "xd-toy").dir;
    writeFileSync(path.join(out, victim, "manifest.json"), "{}");
    const again = cli(["reproduce", "xd", "--tiny", "--out", out]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/, 1 to run/);
  });
});

describe("overparam reproduce: interruption and dry runs", () => {
  it("Ctrl-C keeps finished runs, writes a report of what exists (exit 130), and the next call resumes", async () => {
    const out = path.join(tmp(), "report");
    const child = spawn("node", [bin, "reproduce", "xd", "--out", out, "--quiet"], { cwd: root });
    let stderr = "";
    child.stderr.on("data", (b) => (stderr += b));
    // wait until some runs are on disk, then interrupt
    const deadline = Date.now() + 60_000;
    const finished = () =>
      existsSync(path.join(out, "runs", "xd-fig1"))
        ? readdirSync(path.join(out, "runs", "xd-fig1")).filter((d) => {
            // a worker creates the folder a moment before its manifest
            const m = path.join(out, "runs", "xd-fig1", d, "manifest.json");
            return existsSync(m) && readFileSync(m, "utf8").includes('"completed"');
          }).length
        : 0;
    while (finished() < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    child.kill("SIGINT");
    const code = await new Promise<number | null>((r) => child.on("exit", r));
    expect(code, stderr).toBe(130);
    const meta = JSON.parse(readFileSync(path.join(out, "report.json"), "utf8"));
    expect(meta.status).toBe("interrupted");
    const done = meta.runs.filter((r: { status: string }) => r.status === "completed").length;
    expect(done).toBeGreaterThanOrEqual(2);
    expect(done).toBeLessThan(meta.runs.length);
    expect(readFileSync(path.join(out, "report.html"), "utf8")).toContain("was interrupted");
    const again = cli(["reproduce", "xd", "--out", out, "--dry-run"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/xd-fig1 +15 runs, (\d+) reused/);
    const reused = Number(again.stdout.match(/xd-fig1 +15 runs, (\d+) reused/)?.[1]);
    expect(reused).toBeGreaterThanOrEqual(2);
    expect(reused).toBeLessThan(15);
  }, 120_000);

  it("--dry-run prints the plan and an estimate and writes nothing", () => {
    const out = path.join(tmp(), "plan");
    const r = cli(["reproduce", "--full", "--dry-run", "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/du +du-fig1 +9 runs, 0 reused/);
    expect(r.stdout).toMatch(/estimated time on \d+ threads: ~[\d.]+ (s|min|h)/);
    expect(existsSync(out)).toBe(false);
  });
});

describe("overparam reproduce: bad input and failures", () => {
  it("refuses unknown papers with the list of known ones (exit 2)", () => {
    const r = cli(["reproduce", "wa", "foo", "--out", path.join(tmp(), "x")]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('error: unknown paper "foo"; available: wa, du, xd, zgj');
  });

  it("refuses a non-empty folder that is not an overparam results folder unless --force", () => {
    const dir = tmp();
    writeFileSync(path.join(dir, "thesis.tex"), "precious");
    const r = cli(["reproduce", "zgj", "--tiny", "--out", dir, "--quiet"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not an overparam results folder/);
    expect(readdirSync(dir)).toEqual(["thesis.tex"]);
    const forced = cli(["reproduce", "zgj", "--tiny", "--out", dir, "--quiet", "--force"]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(existsSync(path.join(dir, "report.html"))).toBe(true);
  }, 120_000);

  it("rejects --threads that is not a positive integer", () => {
    const r = cli(["reproduce", "--threads", "0", "--out", path.join(tmp(), "x")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--threads 0: must be a whole number ≥ 1/);
  });

  it("shows a run that fails in the report as failed with its error, and still writes the rest", async () => {
    // the pool runs compiled workers: use the built command (npm test builds first)
    const { executeReproduction } = await import(path.join(root, "dist/reproduce/command.js"));
    const plan = await planReproduction(["zgj"], "tiny");
    const bad = plan.jobs.find((j) => j.preset === "zgj-claim2")!;
    bad.spec = {
      ...bad.spec,
      teacher: { kind: "explicit", neurons: "missing.npy" },
    } as typeof bad.spec;
    bad.hash = "deliberately-broken";
    const out = path.join(tmp(), "report");
    mkdirSync(out);
    const code = await executeReproduction(plan, { out, force: false, quiet: true });
    expect(code).toBe(1);
    const meta = JSON.parse(readFileSync(path.join(out, "report.json"), "utf8"));
    const failed = meta.runs.filter((r: { status: string }) => r.status === "failed");
    expect(failed.map((r: { dir: string }) => r.dir)).toEqual([`runs/${bad.dir}`]);
    expect(failed[0].reason).toMatch(/missing\.npy/);
    const html = readFileSync(path.join(out, "report.html"), "utf8");
    expect(html).toContain("Runs that did not finish");
    expect(html).toMatch(/missing\.npy/);
    expect(meta.figures.map((f: { id: string }) => f.id)).toContain("zgj-fig1");
  }, 120_000);
});
