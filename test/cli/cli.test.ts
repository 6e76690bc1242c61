import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { serializeNpy } from "../../src/io/npyFormat.js";

const python = process.env.OVERPARAM_PYTHON ?? "python3";
const root = path.resolve(__dirname, "../..");
const bin = path.join(root, "bin/overparam.js");

function cli(args: string[], cwd = root) {
  const r = spawnSync("node", [bin, ...args], { cwd, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
function tmp(): string {
  return mkdtempSync(path.join(tmpdir(), "overparam-cli-"));
}
function readCsv(file: string): { header: string[]; rows: number[][] } {
  const lines = readFileSync(file, "utf8").trim().split("\n");
  return { header: lines[0].split(","), rows: lines.slice(1).map((l) => l.split(",").map(Number)) };
}

const tiny = ["--set", "sweep=null", "--set", "optimizer.steps=2000", "--quiet"];

describe("overparam CLI", () => {
  it("overparam run <preset> writes manifest.json and metrics.csv on a log-spaced grid", () => {
    const out = path.join(tmp(), "run");
    const r = cli(["run", "xd-fig1", "--out", out, ...tiny, "--set", "student.width=3"]);
    expect(r.code, r.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(path.join(out, "manifest.json"), "utf8"));
    expect(manifest.status).toBe("completed");
    expect(manifest.seed).toBe(0);
    expect(manifest.spec.student.width).toBe(3);
    expect(manifest.overparam).toMatch(/^\d+\.\d+\.\d+/);
    expect(typeof manifest.wallSeconds).toBe("number");
    const { header, rows } = readCsv(path.join(out, "metrics.csv"));
    expect(header.slice(0, 3)).toEqual(["step", "time", "loss"]);
    expect(header).toContain("xd_angle[2]");
    expect(header).toContain("xd_pair_angle[0][2]");
    expect(rows[rows.length - 1][0]).toBe(2000);
    expect(rows.length).toBeLessThan(100); // log grid, not 2001 rows
    expect(rows[rows.length - 1][2]).toBeLessThan(rows[0][2]);
  });

  it("overparam run is bit-reproducible for a seed and differs across seeds", () => {
    const dir = tmp();
    for (const [name, seed] of [
      ["a", "1"],
      ["b", "1"],
      ["c", "2"],
    ]) {
      expect(
        cli(["run", "wa-fig1", "--out", path.join(dir, name), ...tiny, "--seed", seed]).code,
      ).toBe(0);
    }
    const csv = (n: string) => readFileSync(path.join(dir, n, "metrics.csv"), "utf8");
    expect(csv("a")).toBe(csv("b"));
    expect(csv("a")).not.toBe(csv("c"));
  });

  it("overparam run expands a sweep into one folder per combination plus an index", () => {
    const out = path.join(tmp(), "sweep");
    const r = cli([
      "run",
      "zgj-claim2",
      "--out",
      out,
      "--quiet",
      "--set",
      "sweep={student.init.delta: [0.01, 0.1]}",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const index = JSON.parse(readFileSync(path.join(out, "index.json"), "utf8"));
    expect(index.runs.map((x: { folder: string }) => x.folder)).toEqual([
      "student.init.delta=0.01",
      "student.init.delta=0.1",
    ]);
    const loss = index.runs.map((x: { finalLoss: number }) => x.finalLoss);
    // ZGJ Claim 2: loss = Θ(δ³), so 10× δ gives ~1000× loss
    expect(Math.log10(loss[1] / loss[0])).toBeGreaterThan(2.8);
    expect(Math.log10(loss[1] / loss[0])).toBeLessThan(3.2);
  });

  it("overparam run ends a divergent run with status diverged, its data kept and exit code 0 (WA, eta = 1.0)", () => {
    const out = path.join(tmp(), "div");
    const r = cli([
      "run",
      "wa-fig6",
      "--out",
      out,
      "--quiet",
      "--set",
      "sweep=null",
      "--set",
      "optimizer.lr=1.0",
      "--set",
      "student.width=3",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(path.join(out, "manifest.json"), "utf8"));
    expect(manifest.status).toBe("diverged");
    expect(readCsv(path.join(out, "metrics.csv")).rows.length).toBeGreaterThan(1);
  });

  const bad: [string, string[], string][] = [
    ["an unknown field", ["--set", "student.widht=3"], "student.widht: unknown field"],
    ["a wrong type", ["--set", "student.width=three"], "student.width:"],
    ["a negative width", ["--set", "student.width=-2"], "student.width:"],
    ["a non-positive step size", ["--set", "optimizer.lr=0"], "optimizer.lr:"],
    ["an unknown activation", ["--set", "activation=tanh"], "activation:"],
    [
      "an inapplicable metric",
      ["--set", "metrics=[loss, wa_dist]"],
      "metrics: wa_dist does not apply",
    ],
    [
      "an unknown metric",
      ["--set", "metrics=[loss, nope]"],
      'metrics.1: unknown metric "nope"; allowed: loss, test_loss',
    ],
  ];
  for (const [what, args, message] of bad) {
    it(`overparam run refuses ${what} with exit code 2, one line naming the field, and no run folder`, () => {
      const out = path.join(tmp(), "never");
      const r = cli(["run", "xd-fig1", "--out", out, ...tiny, ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stderr).not.toContain("    at "); // no stack trace
      expect(existsSync(out)).toBe(false);
    });
  }

  it("overparam run refuses missing files, unknown presets and .npy files of the wrong shape or dtype", () => {
    const dir = tmp();
    writeFileSync(
      path.join(dir, "w_bad.npy"),
      serializeNpy({ shape: [3, 4], data: new Float64Array(12) }),
    );
    writeFileSync(
      path.join(dir, "f32.npy"),
      readFileSync(path.join(root, "test/fixtures/npy/float32_2x2.npy")),
    );
    const spec = (weights: string) => ({
      dimension: 2,
      activation: "relu",
      teacher: { kind: "single" },
      student: { width: 2, init: { kind: "file", weights } },
      optimizer: { kind: "gd", lr: 0.1, steps: 10 },
    });
    writeFileSync(path.join(dir, "shape.json"), JSON.stringify(spec("w_bad.npy")));
    writeFileSync(path.join(dir, "dtype.json"), JSON.stringify(spec("f32.npy")));
    writeFileSync(path.join(dir, "missing.json"), JSON.stringify(spec("nothere.npy")));
    const cases: [string, string][] = [
      [
        path.join(dir, "shape.json"),
        "student.init.weights: w_bad.npy has shape (3, 4); expected (2, 2)",
      ],
      [path.join(dir, "dtype.json"), "expected float64"],
      [path.join(dir, "missing.json"), "no such file"],
      [path.join(dir, "absent.yaml"), "cannot read spec"],
      ["no-such-preset", 'unknown preset "no-such-preset"; available: '],
    ];
    for (const [ref, message] of cases) {
      const r = cli(["run", ref, "--out", path.join(dir, "out"), "--quiet"]);
      expect(r.code, ref).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stderr.trim().split("\n").length).toBe(1);
    }
    expect(existsSync(path.join(dir, "out"))).toBe(false);
  });

  it("a bad --kernels, $OVERPARAM_KERNELS or unknown option is bad input: exit 2, nothing written", () => {
    const dir = tmp();
    const out = path.join(dir, "out");
    const bad = cli(["run", "xd-fig1", "--out", out, "--kernels", "gpu", ...tiny]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      "argument 'gpu' is invalid. Allowed choices are auto, portable, blas, onnx, wasm",
    );
    const unknown = cli(["run", "xd-fig1", "--out", out, "--bogus", ...tiny]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--bogus'");
    const env = spawnSync("node", [bin, "run", "xd-fig1", "--out", out, ...tiny], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, OVERPARAM_KERNELS: "bad" },
    });
    expect(env.status).toBe(2);
    expect(env.stderr.trim()).toBe(
      'error: OVERPARAM_KERNELS: "bad" is not a kernel backend; use one of auto, portable, blas, onnx, wasm',
    );
    expect(existsSync(out)).toBe(false);
  });

  it("the manifest names the matrix-product backend the run used", () => {
    const out = path.join(tmp(), "run");
    const args = [
      "run",
      "du-fig1",
      "--out",
      out,
      "--set",
      "sweep=null",
      "--set",
      "optimizer.steps=3",
      "--quiet",
    ];
    expect(cli([...args, "--kernels", "portable"]).code).toBe(0);
    expect(JSON.parse(readFileSync(path.join(out, "manifest.json"), "utf8")).kernels).toBe(
      "portable",
    );
    expect(cli([...args, "--kernels", "onnx", "--force"]).code).toBe(0);
    expect(JSON.parse(readFileSync(path.join(out, "manifest.json"), "utf8")).kernels).toMatch(
      /^onnxruntime \d+ threads?$/,
    );
    // the system BLAS: what auto takes first; `--kernels blas` without one is bad input
    expect(cli([...args, "--kernels", "blas", "--force"]).code).toBe(0);
    expect(JSON.parse(readFileSync(path.join(out, "manifest.json"), "utf8")).kernels).toMatch(
      /^libopenblas \d+ threads?$/,
    );
    expect(cli([...args, "--force"]).code).toBe(0);
    expect(JSON.parse(readFileSync(path.join(out, "manifest.json"), "utf8")).kernels).toMatch(
      /^libopenblas \d+ threads?$/,
    );
    const noBlasOut = path.join(tmp(), "run");
    const noBlas = spawnSync(
      "node",
      [bin, ...args.slice(0, 2), "--out", noBlasOut, ...args.slice(4), "--kernels", "blas"],
      {
        cwd: root,
        encoding: "utf8",
        env: { ...process.env, OVERPARAM_BLAS: "/nonexistent/libcblas.so" },
      },
    );
    expect(noBlas.status).toBe(2);
    expect(noBlas.stderr.trim().split("\n")).toHaveLength(1);
    expect(noBlas.stderr).toMatch(
      /--kernels blas: BLAS is not available: .*\/nonexistent\/libcblas\.so/,
    );
    expect(existsSync(noBlasOut)).toBe(false);
    // the WebAssembly GEMM: a lone run on every core, a pool's job on its share (1 per core)
    const threads = (n: number) => `wasm ${n} thread${n === 1 ? "" : "s"}`;
    expect(cli([...args, "--kernels", "wasm", "--force"]).code).toBe(0);
    expect(JSON.parse(readFileSync(path.join(out, "manifest.json"), "utf8")).kernels).toBe(
      threads(availableParallelism()),
    );
    const dir = tmp();
    const spec = path.join(dir, "sweep.yaml");
    writeFileSync(
      spec,
      [
        "name: threads",
        "dimension: 40",
        "activation: relu",
        "inputs: sphere",
        "teacher: { kind: noise, std: 1 }",
        "student: { width: 200, parameterization: ntk, init: { kind: du } }",
        "loss: { kind: empirical, scale: 0.5, reduction: sum, trainSize: 300 }",
        "optimizer: { kind: gd, lr: 0.5, steps: 3 }",
        "record: { pointsPerDecade: 1 }",
        "metrics: [loss]",
        "sweep: { student.width: [200, 300] }",
      ].join("\n"),
    );
    const sweep = cli([
      "sweep",
      spec,
      "--out",
      path.join(dir, "out"),
      "--kernels",
      "wasm",
      "--quiet",
    ]);
    expect(sweep.code, sweep.stderr).toBe(0);
    const share = Math.max(
      1,
      Math.floor(availableParallelism() / Math.min(availableParallelism(), 2)),
    );
    for (const run of ["student.width=200_seed=0", "student.width=300_seed=0"]) {
      const manifest = JSON.parse(
        readFileSync(path.join(dir, "out", "runs", run, "manifest.json"), "utf8"),
      );
      expect(manifest.kernels).toBe(threads(share));
    }
  });

  it("overparam run reads teacher, weights and data from numpy files and matches a numpy computation of the loss", () => {
    const dir = tmp();
    const script = `
import numpy as np
rng = np.random.default_rng(0)
d, m, r, n = 4, 3, 2, 50
V = rng.normal(size=(r, d)); W = rng.normal(size=(m, d)) * 0.5
X = rng.normal(size=(n, d)); y = np.maximum(X @ V.T, 0).sum(1)
for k, a in dict(V=V, W=W, X=X, y=y).items(): np.save(f"${dir}/{k}.npy", a)
print(repr(float(0.5 * np.mean((np.maximum(X @ W.T, 0).sum(1) - y) ** 2))))`;
    const expected = Number(execFileSync(python, ["-c", script]).toString().trim());
    writeFileSync(
      path.join(dir, "spec.yaml"),
      `dimension: 4
activation: relu
teacher: { kind: explicit, neurons: V.npy }
student: { width: 3, init: { kind: file, weights: W.npy } }
loss: { kind: empirical, scale: 0.5, reduction: mean, train: { inputs: X.npy, labels: y.npy } }
optimizer: { kind: gd, lr: 0.05, steps: 5 }
metrics: [loss, population_loss]
`,
    );
    const out = path.join(dir, "out");
    const r = cli([
      "run",
      path.join(dir, "spec.yaml"),
      "--out",
      out,
      "--quiet",
      "--save-weights",
      "--save-initial-weights",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const { rows } = readCsv(path.join(out, "metrics.csv"));
    expect(Math.abs(rows[0][2] - expected) / expected).toBeLessThan(1e-13);
    const check = execFileSync(python, [
      "-c",
      `import numpy as np; a = np.load("${out}/weights_initial.npy"); b = np.load("${dir}/W.npy"); print(a.shape, np.array_equal(a, b), np.load("${out}/weights_final.npy").shape)`,
    ]).toString();
    expect(check.trim()).toBe("(3, 4) True (3, 4)");
  });

  it("Ctrl-C ends a run with status interrupted and keeps the rows recorded so far", async () => {
    const out = path.join(tmp(), "int");
    const child = spawn(
      "node",
      [
        bin,
        "run",
        "xd-fig1",
        "--out",
        out,
        "--quiet",
        "--set",
        "sweep=null",
        "--set",
        "optimizer.steps=1000000000",
      ],
      { cwd: root },
    );
    const deadline = Date.now() + 20_000;
    while (!existsSync(path.join(out, "metrics.csv")) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1500));
    child.kill("SIGINT");
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    expect(code).toBe(130);
    const manifest = JSON.parse(readFileSync(path.join(out, "manifest.json"), "utf8"));
    expect(manifest.status).toBe("interrupted");
    const { rows } = readCsv(path.join(out, "metrics.csv"));
    expect(rows.length).toBeGreaterThan(10);
    expect(rows[rows.length - 1][0]).toBe(manifest.steps);
  });

  it("overparam presets lists every preset with its paper and description", () => {
    const r = cli(["presets"]);
    expect(r.code).toBe(0);
    for (const p of [
      "wa-fig1",
      "wa-fig6",
      "du-fig1",
      "xd-fig1",
      "xd-toy",
      "zgj-fig1",
      "zgj-claim2",
    ])
      expect(r.stdout).toContain(p);
    expect(cli(["run", "--help"]).stdout).toContain("--save-weights");
  });
});
