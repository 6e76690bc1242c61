import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { estimateMemory, parseBytes, sweepSize } from "../../src/spec/resources.js";
import { validateSpec } from "../../src/spec/validate.js";

const root = path.resolve(__dirname, "../..");
const bin = path.join(root, "bin/overparam.js");
const tmp = () => mkdtempSync(path.join(tmpdir(), "overparam-limits-"));
function cli(args: string[]) {
  const r = spawnSync("node", [bin, ...args], { cwd: root, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const xd = ["run", "xd-fig1", "--set", "sweep=null", "--quiet"];

describe("resource limits", () => {
  for (const [what, set, field] of [
    ["a huge dimension", ["--set", "dimension=1000000000"], "dimension"],
    ["a huge width", ["--set", "student.width=1e8"], "student.width"],
    [
      "a huge training set",
      ["--set", "loss.kind=empirical", "--set", "loss.trainSize=3e8"],
      "loss.trainSize",
    ],
  ] as const)
    it(`refuses ${what} before allocating: exit 2, one line naming ${field}, nothing written`, () => {
      const out = path.join(tmp(), "run");
      const r = cli([...xd, ...set, "--out", out]);
      expect(r.code).toBe(2);
      const lines = r.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        new RegExp(
          `^error: ${field.replace(".", "\\.")}: this run needs about [0-9.]+ [kMGTP]?B of memory`,
        ),
      );
      expect(lines[0]).toContain("--max-memory");
      expect(existsSync(out)).toBe(false);
    });

  it("--max-memory sets the limit (a small run is refused under a tiny limit, accepted above)", () => {
    const out = path.join(tmp(), "run");
    const small = [...xd, "--set", "optimizer.steps=10", "--out", out];
    const r = cli([...small, "--max-memory", "1MB"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("above the limit of 1.0 MB (--max-memory)");
    expect(cli([...small, "--max-memory", "1GiB"]).code).toBe(0);
    expect(cli([...xd, "--max-memory", "lots"]).stderr).toContain(
      "--max-memory lots: not a size; use e.g. 8GB, 512MiB or a number of bytes",
    );
  });

  it("caps a sweep's product before expanding it (10⁸ points: refused at once)", () => {
    const values = `[${Array.from({ length: 100 }, (_, i) => i + 1).join(",")}]`;
    const sweep = `sweep={seed: ${values}, student.width: ${values}, optimizer.lr: ${values}, dimension: ${values}}`;
    const t0 = Date.now();
    const r = cli(["run", "xd-fig1", "--set", sweep, "--out", path.join(tmp(), "s")]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      "error: sweep: expands to 100000000 runs, more than --max-runs 100000; sweep fewer values or raise --max-runs",
    );
    expect(Date.now() - t0).toBeLessThan(30_000); // not after expanding 10⁸ specs
    const few = cli(["run", "xd-fig1", "--max-runs", "4", "--out", path.join(tmp(), "s")]);
    expect(few.stderr).toContain("sweep: expands to 5 runs, more than --max-runs 4");
  });

  it("reproduce refuses a plan above --max-runs", () => {
    const r = cli(["reproduce", "xd", "--tiny", "--max-runs", "2", "--out", path.join(tmp(), "r")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/reproduce: \d+ runs, more than --max-runs 2/);
  });

  it("Ctrl-C during a long setup stops the run at once and marks it interrupted", async () => {
    const dir = tmp();
    const spec = path.join(dir, "slow.yaml");
    // ZGJ Algorithm 2 with 4·10⁶ samples: seconds of setup before the first step
    writeFileSync(
      spec,
      [
        "dimension: 10",
        "activation: relu",
        "teacher: { kind: separated, neurons: 3, separation: 0.5 }",
        "student: { width: 6, parameterization: norm-weighted, init: { kind: zgj-subspace, samples: 4000000 } }",
        "optimizer: { kind: gd, lr: 0.01, steps: 100 }",
      ].join("\n"),
    );
    const out = path.join(dir, "run");
    const child = spawn("node", [bin, "run", spec, "--out", out, "--quiet"], { cwd: root });
    const t0 = Date.now();
    while (!existsSync(path.join(out, "manifest.json")))
      await new Promise((r) => setTimeout(r, 20));
    child.kill("SIGINT");
    const code = await new Promise((resolve) => child.on("exit", resolve));
    expect(code).toBe(130);
    expect(Date.now() - t0).toBeLessThan(4000); // the setup alone takes longer
    const manifest = JSON.parse(readFileSync(path.join(out, "manifest.json"), "utf8"));
    expect(manifest.status).toBe("interrupted");
    expect(manifest.reason).toBe("interrupted by the user during setup");
  });

  it("parses sizes, counts sweep points and grows the estimate with each size field", () => {
    expect(parseBytes("8GB")).toBe(8e9);
    expect(parseBytes("512 MiB")).toBe(512 * 2 ** 20);
    expect(parseBytes("2e9")).toBe(2e9);
    expect(parseBytes("-1")).toBeNull();
    expect(sweepSize({ sweep: { a: [1, 2], b: [1, 2, 3] } })).toBe(6);
    expect(sweepSize({})).toBe(1);
    const v = validateSpec({
      dimension: 100,
      activation: "relu",
      inputs: "sphere",
      teacher: { kind: "noise" },
      student: { width: 1000, parameterization: "ntk", init: { kind: "du" } },
      loss: { kind: "empirical", trainSize: 500 },
      optimizer: { kind: "gd", lr: 0.1, steps: 10 },
      metrics: ["loss", "du_gram"],
    });
    if (!v.ok) throw new Error(v.problems.join("; "));
    const base = estimateMemory(v.spec).bytes;
    const wider = estimateMemory({ ...v.spec, student: { ...v.spec.student, width: 4000 } }).bytes;
    const moreData = estimateMemory({ ...v.spec, loss: { ...v.spec.loss, trainSize: 5000 } }).bytes;
    expect(wider).toBeGreaterThan(3 * (base - 4 * 2 ** 20) * 0.9);
    // du_gram keeps n × n matrices: 10× the samples, ~100× that part
    expect(moreData).toBeGreaterThan(20 * base);
    // losses that go through matrix products count the WebAssembly kernel's operand copies
    // (two of X, W and Z: measured at DU's size in BENCHMARKS.md)
    const copies = estimateMemory(v.spec).parts.find((p) => p.what.startsWith("matrix-product"));
    expect(copies?.bytes).toBe(8 * 2 * (500 * 100 + 1000 * 100 + 500 * 1000));
  });
});
