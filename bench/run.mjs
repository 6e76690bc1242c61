#!/usr/bin/env node
/**
 * `npm run bench`: each workload run by overparam and by the numpy / PyTorch baselines on the
 * same arrays (.npy), checked to agree (final loss to 1e-9 relative) before any time is
 * reported; medians of several repeats after a warm-up; ratios in bench/results.json.
 *
 * Workloads: population (XD setting), small empirical (WA setting), large empirical (DU
 * setting, matrix products through the installed kernels; see BENCHMARKS.md).
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { runExperiment } from "../dist/core/experiment/run.js";
import { setupRun } from "../dist/core/experiment/setup.js";
import { Rng } from "../dist/core/random/rng.js";
import { writeNpyFile } from "../dist/io/npy.js";
import { loadSpecArrays } from "../dist/io/specFile.js";
import { selectKernels } from "../dist/kernels/index.js";
import { renderPng, writeFigure } from "../dist/plot/render.js";
import { validateSpec } from "../dist/spec/validate.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const args = new Set(process.argv.slice(2));
const quick = args.has("--quick");
const repeats = quick ? 3 : 5;

/** Python interpreters: numpy from the PATH python3; PyTorch from Debian's /usr/bin/python3. */
const pythons = {
  numpy: process.env.OVERPARAM_PYTHON ?? "python3",
  torch: process.env.OVERPARAM_TORCH_PYTHON ?? "/usr/bin/python3",
};

/**
 * The baselines need numpy (python3 on the PATH) and Debian's python3-torch with an optimized
 * BLAS (libopenblas0-pthread; without it Debian's numpy/torch fall back to the reference BLAS).
 * Where something is missing and this runs as root with apt-get, install it (`--no-install`
 * skips this); otherwise say what to install. A baseline still missing is reported as such.
 */
function ensureBaselines() {
  const has = (python, module) =>
    spawnSync(python, ["-c", `import ${module}`], { stdio: "ignore" }).status === 0;
  const packages = [];
  if (!has(pythons.numpy, "numpy")) {
    packages.push("python3-numpy");
    if (!process.env.OVERPARAM_PYTHON) pythons.numpy = "/usr/bin/python3";
  }
  if (!has(pythons.torch, "torch")) packages.push("python3-torch");
  const dpkg = spawnSync("dpkg", ["-s", "libopenblas0-pthread"], { stdio: "ignore" });
  if (dpkg.status !== 0 && !dpkg.error) packages.push("libopenblas0-pthread");
  if (packages.length === 0) return;
  const command = `apt-get install -y ${packages.join(" ")}`;
  const apt = spawnSync("apt-get", ["--version"], { stdio: "ignore" });
  if (args.has("--no-install") || process.getuid?.() !== 0 || apt.status !== 0) {
    console.log(`baselines: missing ${packages.join(", ")}; install them with \`${command}\``);
    return;
  }
  console.log(`baselines: running \`apt-get update && ${command}\` (--no-install skips this)`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  spawnSync("apt-get", ["update"], { stdio: "inherit", env });
  spawnSync("apt-get", ["install", "-y", ...packages], { stdio: "inherit", env });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function populationWorkload(dir, params = {}) {
  const { d = 100, n = 8, steps = quick ? 20_000 : 100_000, backends } = params;
  const lr = 0.05;
  const rng = new Rng(7);
  const W0 = rng.fillNormal(new Float64Array(n * d), 0.1);
  const v = new Float64Array(d);
  v[0] = 1;
  await writeNpyFile(path.join(dir, "W0.npy"), { shape: [n, d], data: W0 });
  await writeNpyFile(path.join(dir, "v.npy"), { shape: [1, d], data: v });
  const doc = {
    name: "bench-population",
    dimension: d,
    activation: "relu",
    teacher: { kind: "explicit", neurons: "v.npy" },
    student: { width: n, init: { kind: "file", weights: "W0.npy" } },
    loss: { kind: "population", scale: 0.5 },
    optimizer: { kind: "gd", lr, steps },
    record: { pointsPerDecade: 1 },
    metrics: ["loss"],
  };
  const ours = await timeOverparam(doc, dir);
  const baselines = pythonBaselines(
    "population.py",
    [path.join(dir, "W0.npy"), path.join(dir, "v.npy"), String(lr), String(steps)],
    backends,
  );
  return {
    name: "population",
    setting: `ReLU population loss, d = ${d}, n = ${n}, GD η = ${lr}, ${steps} steps`,
    unit: "steps/s",
    steps,
    ours,
    baselines,
  };
}

/** Runs a Python baseline script for both backends; a failure is recorded as missing. */
function pythonBaselines(script, scriptArgs, backends = ["numpy", "torch"]) {
  const baselines = {};
  for (const backend of backends) {
    try {
      const out = execFileSync(
        pythons[backend],
        [path.join(here, script), backend, ...scriptArgs, String(repeats)],
        { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
      );
      baselines[backend] = JSON.parse(out.trim().split("\n").at(-1));
    } catch (e) {
      baselines[backend] = {
        backend,
        missing: String(e.stderr || e.message)
          .trim()
          .split("\n")
          .at(-1),
      };
    }
  }
  return baselines;
}

/** One timed overparam run of a spec, set up outside the timer; engine: setupRun's options. */
async function overparamRunner(doc, dir, engine = {}) {
  const v = validateSpec(doc);
  if (!v.ok) throw new Error(v.problems.join("; "));
  const arrays = await loadSpecArrays(v.spec, dir);
  return () => {
    const ctx = setupRun(v.spec, arrays, engine);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage(); // the whole process: helper threads of a GEMM included
    const result = runExperiment(ctx, { onRow: () => {} });
    const cpu = process.cpuUsage(cpu0);
    return {
      seconds: (performance.now() - t0) / 1000,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      loss: result.finalLoss,
    };
  };
}

/** Times an overparam spec (median of repeats after one warm-up run); engine: setupRun's options. */
async function timeOverparam(doc, dir, engine = {}) {
  const once = await overparamRunner(doc, dir, engine);
  once();
  return Array.from({ length: repeats }, once);
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * overparam's repeats interleaved with the Python baselines' (each baseline a process that
 * warms up once, then times one run per request: the script's `serve` mode), with a pause
 * before each run so no side's idle BLAS threads are still spinning when the other starts.
 * A machine whose speed drifts during the bench (a shared VM's does, by ±5% over minutes)
 * then slows both sides alike, where timing all of one side before the other would put the
 * drift into the ratio. Returns overparam's runs and the baselines in pythonBaselines' shape.
 */
async function timeInterleaved(once, script, scriptArgs, backends = ["numpy", "torch"]) {
  const servers = [];
  const baselines = {};
  for (const backend of backends) {
    const child = spawn(
      pythons[backend],
      [path.join(here, script), backend, ...scriptArgs, "serve"],
      {
        stdio: ["pipe", "pipe", "pipe"],
      },
    );
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", (e) => {
      stderr += e.message;
    });
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const next = async () => {
      const { value, done } = await lines.next();
      if (done) throw new Error(stderr.trim().split("\n").at(-1) || `${backend} exited`);
      return JSON.parse(value);
    };
    try {
      const hello = await next();
      if (!hello.ready) throw new Error(hello.missing ?? JSON.stringify(hello));
      baselines[backend] = { backend, seconds: [], final_loss: null };
      if (hello.threads != null) baselines[backend].threads = hello.threads;
      servers.push({ backend, child, next });
    } catch (e) {
      baselines[backend] = { backend, missing: String(e.message) };
      child.kill();
    }
  }
  once(); // warm-up
  const ours = [];
  for (let r = 0; r < repeats; r++) {
    await pause(300);
    ours.push(once());
    for (const server of servers) {
      await pause(300);
      server.child.stdin.write("run\n");
      const out = await server.next();
      baselines[server.backend].seconds.push(out.seconds);
      baselines[server.backend].final_loss = out.final_loss;
    }
  }
  for (const server of servers) server.child.stdin.end();
  for (const b of Object.values(baselines)) if (b.seconds) b.steps = Number(scriptArgs.at(-1));
  return { ours, baselines };
}

async function smallEmpiricalWorkload(dir, params = {}) {
  const { N = 200, steps = quick ? 20_000 : 100_000, backends } = params;
  const d = 10;
  const K = 10;
  const lr = 0.001;
  const rng = new Rng(11);
  const W0 = rng.fillNormal(new Float64Array(K * d), 0.01 / Math.sqrt(d));
  const X = rng.fillNormal(new Float64Array(N * d), 1);
  // WA: w* = e₁, labels y = (xᵀw*)²
  const y = Float64Array.from({ length: N }, (_, k) => X[k * d] ** 2);
  const V = new Float64Array(d);
  V[0] = 1;
  await writeNpyFile(path.join(dir, "wa_W0.npy"), { shape: [K, d], data: W0 });
  await writeNpyFile(path.join(dir, "wa_X.npy"), { shape: [N, d], data: X });
  await writeNpyFile(path.join(dir, "wa_y.npy"), { shape: [N], data: y });
  await writeNpyFile(path.join(dir, "wa_v.npy"), { shape: [1, d], data: V });
  const ours = await timeOverparam(
    {
      name: "bench-small-empirical",
      dimension: d,
      activation: "quadratic",
      teacher: { kind: "explicit", neurons: "wa_v.npy" },
      student: { width: K, init: { kind: "file", weights: "wa_W0.npy" } },
      loss: {
        kind: "empirical",
        scale: 0.25,
        reduction: "mean",
        train: { inputs: "wa_X.npy", labels: "wa_y.npy" },
      },
      optimizer: { kind: "gd", lr, steps },
      record: { pointsPerDecade: 1 },
      metrics: ["loss"],
    },
    dir,
  );
  const baselines = pythonBaselines(
    "quadratic.py",
    [
      path.join(dir, "wa_W0.npy"),
      path.join(dir, "wa_X.npy"),
      path.join(dir, "wa_y.npy"),
      String(lr),
      String(steps),
    ],
    backends,
  );
  return {
    name: "small empirical",
    setting: `quadratic, d = ${d}, N = ${N}, K = ${K}, GD η = ${lr}, ${steps} steps`,
    steps,
    ours,
    baselines,
  };
}

async function largeEmpiricalWorkload(dir, params = {}) {
  const { d = 1000, N = 1000, m = 4096, steps = quick ? 5 : 20, backends } = params;
  const lr = 0.5;
  const rng = new Rng(13);
  // DU §5: inputs on the unit sphere, labels N(0, 1), wᵣ ~ N(0, I), aᵣ = ±1
  const X = rng.fillNormal(new Float64Array(N * d), 1);
  for (let k = 0; k < N; k++) {
    let s = 0;
    for (let q = 0; q < d; q++) s += X[k * d + q] ** 2;
    const inv = 1 / Math.sqrt(s);
    for (let q = 0; q < d; q++) X[k * d + q] *= inv;
  }
  const y = rng.fillNormal(new Float64Array(N), 1);
  const W0 = rng.fillNormal(new Float64Array(m * d), 1);
  const a = Float64Array.from({ length: m }, () => rng.sign());
  await writeNpyFile(path.join(dir, "du_W0.npy"), { shape: [m, d], data: W0 });
  await writeNpyFile(path.join(dir, "du_a.npy"), { shape: [m], data: a });
  await writeNpyFile(path.join(dir, "du_X.npy"), { shape: [N, d], data: X });
  await writeNpyFile(path.join(dir, "du_y.npy"), { shape: [N], data: y });
  // one row per backend on the same arrays: $OVERPARAM_KERNELS picks one; by default the
  // default (auto: the system BLAS when it loads), ONNX Runtime and the WebAssembly kernel;
  // --portable adds the TypeScript kernel (~7 s/step)
  const choices =
    params.choices ??
    (process.env.OVERPARAM_KERNELS
      ? [process.env.OVERPARAM_KERNELS]
      : ["auto", "onnx", "wasm", ...(args.has("--portable") ? ["portable"] : [])]);
  const scriptArgs = [
    path.join(dir, "du_W0.npy"),
    path.join(dir, "du_a.npy"),
    path.join(dir, "du_X.npy"),
    path.join(dir, "du_y.npy"),
    String(lr),
    String(steps),
  ];
  const timed = [];
  let baselines = null;
  for (const choice of choices) {
    // auto that fell back to ONNX Runtime already is the onnx row
    if (choice === "onnx" && timed.some((t) => /^onnx/.test(t.kernels))) continue;
    const kernels = selectKernels({ choice });
    const once = await overparamRunner(
      {
        name: "bench-large-empirical",
        dimension: d,
        activation: "relu",
        teacher: { kind: "noise", std: 1 },
        student: {
          width: m,
          parameterization: "ntk",
          outputWeights: "du_a.npy",
          init: { kind: "file", weights: "du_W0.npy" },
        },
        loss: {
          kind: "empirical",
          scale: 0.5,
          reduction: "sum",
          train: { inputs: "du_X.npy", labels: "du_y.npy" },
        },
        optimizer: { kind: "gd", lr, steps },
        record: { pointsPerDecade: 1 },
        metrics: ["loss"],
      },
      dir,
      { matrixKernels: kernels.kernels },
    );
    let ours;
    if (baselines === null) {
      // the first (default) backend's repeats interleaved with the baselines'
      ({ ours, baselines } = await timeInterleaved(once, "large.py", scriptArgs, backends));
    } else {
      once();
      ours = Array.from({ length: repeats }, once);
    }
    timed.push({ kernels: kernels.describeRun(), ours });
    kernels.close(); // the WebAssembly GEMM's helper threads
  }
  return timed.map(({ kernels, ours }) => ({
    name: "large empirical",
    setting: `ReLU ntk, N = ${N} on the unit sphere, d = ${d}, m = ${m}, GD η = ${lr}, ${steps} steps`,
    unit: "s/step",
    kernels,
    steps,
    ours,
    baselines,
  }));
}

/**
 * `--only lab`: the population workload's XD setting (d = 100, n = 8, GD η = 0.05; inline
 * teacher and a seeded Gaussian start, since a page has no .npy files) run by `simulate` in
 * Node and in a Web Worker of headless Chromium (the lab's build, served by the lab server),
 * plus the lab's own run worker (what a user of the page gets: rows streamed to the page,
 * progress, a turn for the event loop every 20 ms). Medians of repeats after a warm-up.
 */
async function labWorkload() {
  const { simulate } = await import("../dist/engine.js");
  const { startLabServer } = await import("../dist/lab/server.js");
  const { chromium } = await import("playwright-core");
  const esbuild = await import("esbuild");
  const root = path.join(here, "..");
  const d = 100;
  const n = 8;
  const steps = quick ? 20_000 : 100_000;
  const teacher = Array.from({ length: d }, (_, k) => (k === 0 ? 1 : 0));
  const doc = {
    name: "bench-lab",
    seed: 7,
    dimension: d,
    activation: "relu",
    teacher: { kind: "explicit", neurons: [teacher] },
    student: { width: n, init: { kind: "gaussian", scale: 0.1 } },
    loss: { kind: "population", scale: 0.5 },
    optimizer: { kind: "gd", lr: 0.05, steps },
    record: { pointsPerDecade: 1 },
    metrics: ["loss"],
  };
  // the engine as it runs in Node (WebAssembly kernels, no turns for an event loop)
  const once = async () => {
    const t0 = performance.now();
    const r = await simulate(doc, { yieldEveryMs: 1e9 });
    return { seconds: (performance.now() - t0) / 1000, loss: r.finalLoss };
  };
  await once();
  const node = [];
  for (let k = 0; k < repeats; k++) node.push(await once());

  // the lab's build plus a worker that times simulate() itself
  const app = mkdtempSync(path.join(tmpdir(), "overparam-bench-lab-"));
  execFileSync(process.execPath, [
    path.join(root, "scripts/build-lab.mjs"),
    "--out",
    app,
    "--quiet",
  ]);
  await esbuild.build({
    stdin: {
      contents: `import { loadWasmKernels, simulate } from ${JSON.stringify(path.join(root, "src/engine.ts"))};
self.onmessage = async (e) => {
  const webAssembly = await loadWasmKernels();
  const { doc, repeats } = e.data;
  const once = async () => {
    const t0 = performance.now();
    const r = await simulate(doc, { webAssembly, yieldEveryMs: 1e9 });
    return { seconds: (performance.now() - t0) / 1000, loss: r.finalLoss };
  };
  await once();
  const runs = [];
  for (let k = 0; k < repeats; k++) runs.push(await once());
  self.postMessage({ webAssembly, runs });
};`,
      resolveDir: root,
      loader: "js",
    },
    bundle: true,
    format: "esm",
    platform: "browser",
    outfile: path.join(app, "bench-worker.js"),
    logLevel: "warning",
  });
  const lab = await startLabServer({ appDir: app });
  const browser = await chromium.launch({
    executablePath: process.env.OVERPARAM_CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
    ],
  });
  let inWorker;
  let labWorker;
  let version;
  try {
    version = browser.version();
    const page = await browser.newPage();
    await page.goto(lab.url);
    inWorker = await page.evaluate(
      ({ doc, repeats }) =>
        new Promise((resolve, reject) => {
          const w = new Worker("./bench-worker.js", { type: "module" });
          w.onmessage = (e) => {
            w.terminate();
            resolve(e.data);
          };
          w.onerror = (e) => reject(new Error(e.message));
          w.postMessage({ doc, repeats });
        }),
      { doc, repeats },
    );
    // the lab's run worker, as the page drives it ("done" carries the run's seconds)
    labWorker = await page.evaluate(
      ({ doc, repeats }) =>
        new Promise((resolve, reject) => {
          const w = new Worker("./worker.js", { type: "module" });
          const runs = [];
          let loss = Number.NaN;
          w.onmessage = (e) => {
            const m = e.data;
            if (m.type === "error") reject(new Error(m.message));
            if (m.type !== "done") return;
            runs.push({ seconds: m.seconds, loss: m.finalLoss });
            loss = m.finalLoss;
            if (runs.length === repeats + 1) {
              w.terminate();
              resolve({ runs: runs.slice(1), loss }); // the first is the warm-up
            } else w.postMessage({ type: "start", doc });
          };
          w.onerror = (e) => reject(new Error(e.message));
          w.postMessage({ type: "start", doc });
        }),
      { doc, repeats },
    );
  } finally {
    await browser.close();
    await lab.close();
    rmSync(app, { recursive: true, force: true });
  }
  const rate = (runs) => steps / median(runs.map((r) => r.seconds));
  const agree = (runs) =>
    runs.every((r) => Math.abs(r.loss - node[0].loss) <= 1e-9 * Math.abs(node[0].loss));
  return {
    setting: `ReLU population loss, d = ${d}, n = ${n}, GD η = 0.05, ${steps} steps (inline teacher, seeded start)`,
    chromium: version,
    steps,
    node: { stepsPerSecond: rate(node), finalLoss: node[0].loss },
    browserSimulate: {
      stepsPerSecond: rate(inWorker.runs),
      webAssembly: inWorker.webAssembly,
      finalLoss: inWorker.runs[0].loss,
      agree: agree(inWorker.runs),
    },
    labWorker: {
      stepsPerSecond: rate(labWorker.runs),
      finalLoss: labWorker.loss,
      agree: agree(labWorker.runs),
    },
  };
}

function summarize(w) {
  const ourRate = w.steps / median(w.ours.map((o) => o.seconds));
  const ourLoss = w.ours[0].loss;
  const row = {
    workload: w.name,
    setting: w.setting,
    unit: w.unit ?? "steps/s",
    overparam: {
      stepsPerSecond: ourRate,
      // CPU seconds per wall second (all threads): about the threads used on an idle machine
      cpuPerWall: median(w.ours.map((o) => o.cpuSeconds / o.seconds)),
      finalLoss: ourLoss,
      kernels: w.kernels,
    },
  };
  for (const [name, b] of Object.entries(w.baselines)) {
    if (b.missing) {
      row[name] = { missing: b.missing };
      continue;
    }
    const rel = Math.abs(b.final_loss - ourLoss) / Math.abs(ourLoss);
    const agree = rel <= 1e-9;
    const rate = b.steps / median(b.seconds);
    row[name] = {
      stepsPerSecond: rate,
      ...(b.threads ? { threads: b.threads } : {}),
      finalLoss: b.final_loss,
      relativeDifference: rel,
      agree,
      ratio: agree ? ourRate / rate : null,
    };
  }
  return row;
}

// the lab workload alone needs no Python baselines
const labOnly =
  process.argv.includes("--only") &&
  process.argv
    .slice(2)
    .every((a, i, all) =>
      a === "--only" ? all[i + 1] === "lab" : a === "lab" || a.startsWith("--"),
    );
if (!labOnly) ensureBaselines();
const dir = mkdtempSync(path.join(tmpdir(), "overparam-bench-"));
/**
 * Peak resident memory of one `overparam` CLI command (the whole process, worker threads
 * included): VmHWM (Linux), else getrusage's maxRSS. Not maxRSS on Linux: it carries the
 * parent's peak across fork + exec, and the bench parent holds the large arrays.
 */
function cliPeak(name, cliArgs) {
  const wrapper = `import { readFileSync } from "node:fs";
process.on("exit", () => {
  let kb = process.resourceUsage().maxRSS;
  try {
    kb = Number(/VmHWM:\\s+(\\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))[1]);
  } catch {}
  console.error("MAXRSS " + kb);
});
process.argv = [process.argv[0], "overparam", ...${JSON.stringify(cliArgs)}];
await import(${JSON.stringify(path.join(here, "../bin/overparam.js"))});`;
  const t0 = performance.now();
  // a file, not `node -e`: the run's worker thread inherits execArgv, and --input-type breaks it
  const script = path.join(dir, `${name}.mjs`);
  writeFileSync(script, wrapper);
  const r = spawnSync(process.execPath, [script], { encoding: "utf8" });
  const seconds = (performance.now() - t0) / 1000;
  const match = /MAXRSS (\d+)/.exec(r.stderr);
  if (r.status !== 0 || !match)
    throw new Error(`${name} failed (exit ${r.status}): ${r.stdout} ${r.stderr}`);
  return { seconds, maxRssMB: Number(match[1]) / 1024 };
}

/**
 * Memory targets. Issue 4: a 10⁷-step population run (XD setting, through the CLI: worker
 * thread, metrics, run folder) stays under 200 MB resident. Issue 11: a DU run at
 * N = d = 1000, m = 16 384 (3 GD steps through the CLI, default kernels) stays within the
 * engine's own estimate for its spec (what `--max-memory` is checked against before a run
 * starts), reported against the size of the arrays a step needs: θ, ∇θ, Z = X·Wᵀ (N × m),
 * the initial θ kept for the run's record, and X.
 */
async function memoryCheck() {
  const steps = quick ? 1_000_000 : 10_000_000;
  const population = cliPeak("memory-run", [
    "run",
    "xd-fig1",
    ...["--set", "sweep=null", "--set", "student.width=8", "--set", "dimension=100"],
    ...["--set", `optimizer.steps=${steps}`, "--quiet", "--out", path.join(dir, "memory-run")],
  ]);
  const [N, d, m] = [1000, 1000, 16_384];
  const sets = {
    sweep: null,
    dimension: d,
    "loss.trainSize": N,
    "student.width": m,
    "optimizer.steps": 3,
    metrics: ["loss"],
  };
  const { loadPreset } = await import("../dist/index.js");
  const { estimateMemory } = await import("../dist/spec/resources.js");
  const doc = structuredClone(await loadPreset("du-fig1"));
  delete doc.sweep;
  delete doc.reproduce;
  doc.dimension = d;
  doc.loss.trainSize = N;
  doc.student.width = m;
  doc.optimizer.steps = 3;
  doc.metrics = ["loss"];
  const valid = validateSpec(doc);
  if (!valid.ok) throw new Error(`DU memory spec: ${valid.problems.join("; ")}`);
  const estimateMB = estimateMemory(valid.spec).bytes / 2 ** 20;
  const arraysMB = (8 * (4 * m * d + N * m + N * d)) / 2 ** 20;
  // the default kernels, and the WebAssembly kernel (what an install without a native
  // backend gets: it also holds its operand blocks in its own memory, within 256 MiB)
  const du = ["auto", "wasm"].map((choice) => {
    const out = path.join(dir, `memory-du-${choice}`);
    const peak = cliPeak(`memory-du-${choice}`, [
      "run",
      "du-fig1",
      ...Object.entries(sets).flatMap(([k, v]) => ["--set", `${k}=${JSON.stringify(v)}`]),
      ...["--kernels", choice, "--quiet", "--out", out],
    ]);
    const manifest = JSON.parse(readFileSync(path.join(out, "manifest.json"), "utf8"));
    return {
      setting: `DU ReLU ntk, N = ${N}, d = ${d}, m = ${m}, 3 GD steps`,
      kernels: manifest.kernels,
      seconds: peak.seconds,
      maxRssMB: peak.maxRssMB,
      thetaMB: (8 * m * d) / 2 ** 20,
      arraysMB,
      budgetMB: estimateMB,
      ok: peak.maxRssMB <= estimateMB,
    };
  });
  return {
    steps,
    seconds: population.seconds,
    maxRssMB: population.maxRssMB,
    limitMB: 200,
    ok: population.maxRssMB < 200,
    du,
  };
}

/**
 * `--scaling`: time per step against m, d and N for overparam and numpy (one thread of work
 * each as configured; medians of repeats), as a log–log figure in bench/figures/scaling.png
 * with its points in bench/figures/scaling.csv (both committed). Every point's final losses
 * must agree to 1e-9 like the main workloads; a point that does not is left out and listed.
 */
async function scaling(dir) {
  const s = quick ? 0.3 : 1; // fewer steps with --quick
  const popSteps = (m) => Math.round(s * Math.min(20_000, Math.max(500, 20_000 / m)));
  const sweeps = [
    {
      title: "population (XD), d = 100: against m",
      xLabel: "student width m",
      values: [2, 4, 8, 16, 32, 64],
      run: (m) => populationWorkload(dir, { n: m, steps: popSteps(m), backends: ["numpy"] }),
    },
    {
      title: "population (XD), m = 8: against d",
      xLabel: "input dimension d",
      values: [10, 30, 100, 300, 1000, 3000],
      run: (d) => populationWorkload(dir, { d, steps: Math.round(s * 5000), backends: ["numpy"] }),
    },
    {
      title: "empirical: against N (WA: d = 10, m = 10; DU: d = 500, m = 1024)",
      xLabel: "training samples N",
      values: [100, 1000, 10_000, 50_000],
      run: (N) =>
        smallEmpiricalWorkload(dir, { N, steps: Math.round(s * 500), backends: ["numpy"] }),
      label: "WA quadratic",
    },
    {
      title: "empirical: against N (WA: d = 10, m = 10; DU: d = 500, m = 1024)",
      xLabel: "training samples N",
      values: [125, 250, 500, 1000, 2000],
      run: (N) =>
        largeEmpiricalWorkload(dir, {
          N,
          d: 500,
          m: 1024,
          steps: 3,
          backends: ["numpy"],
          choices: ["auto", "wasm"],
        }),
      label: "DU ReLU",
    },
    {
      title: "DU ReLU empirical, N = d = 500: against m",
      xLabel: "student width m",
      values: [256, 512, 1024, 2048, 4096],
      run: (m) =>
        largeEmpiricalWorkload(dir, {
          N: 500,
          d: 500,
          m,
          steps: 3,
          backends: ["numpy"],
          choices: ["auto", "wasm"],
        }),
    },
    {
      title: "DU ReLU empirical, N = 500, m = 1024: against d",
      xLabel: "input dimension d",
      values: [125, 250, 500, 1000, 2000],
      run: (d) =>
        largeEmpiricalWorkload(dir, {
          N: 500,
          d,
          m: 1024,
          steps: 3,
          backends: ["numpy"],
          choices: ["auto", "wasm"],
        }),
    },
  ];
  const panels = new Map();
  const points = [];
  const disagreements = [];
  for (const sweep of sweeps) {
    if (!panels.has(sweep.title))
      panels.set(sweep.title, {
        title: sweep.title,
        xLabel: sweep.xLabel,
        yLabel: "seconds per step",
        logX: true,
        logY: true,
        series: new Map(),
      });
    const panel = panels.get(sweep.title);
    const add = (name, x, seconds) => {
      if (!panel.series.has(name)) panel.series.set(name, { name, points: [] });
      const series = panel.series.get(name);
      if (series.points.some((p) => p.x === x)) return; // numpy: once per point
      series.points.push({ x, y: seconds });
      points.push({ panel: sweep.title, series: name, x, secondsPerStep: seconds });
    };
    for (const v of sweep.values) {
      const prefix = sweep.label ? `${sweep.label}: ` : "";
      for (const w of [await sweep.run(v)].flat()) {
        const row = summarize(w);
        const kind = /^onnx/.test(w.kernels ?? "")
          ? "onnx"
          : /blas/.test(w.kernels ?? "")
            ? "blas"
            : /^wasm/.test(w.kernels ?? "")
              ? "wasm"
              : w.kernels;
        const backend = w.kernels ? ` (${kind})` : "";
        add(`${prefix}overparam${backend}`, v, 1 / row.overparam.stepsPerSecond);
        if (row.numpy?.agree) add(`${prefix}numpy`, v, 1 / row.numpy.stepsPerSecond);
        else disagreements.push({ panel: sweep.title, x: v, backend, numpy: row.numpy });
      }
      console.log(`scaling: ${sweep.title}: ${v} done`);
    }
  }
  const fig = {
    id: "scaling",
    title: `Time per step, overparam against numpy (log–log; ${cpus()[0]?.model ?? "?"}, ${cpus().length} cores)`,
    panels: [...panels.values()].map((p) => ({ ...p, series: [...p.series.values()] })),
    columns: 2,
    panelWidth: 340,
    panelHeight: 220,
  };
  const figures = path.join(here, "figures");
  mkdirSync(figures, { recursive: true });
  const written = await writeFigure(fig, figures);
  // committed: a PNG at 1× (BENCHMARKS.md shows it; biome lints SVG files, and the rendered
  // SVG has no <title>) and the CSV of its points
  writeFileSync(written.png, renderPng(readFileSync(written.svg, "utf8"), 1).png);
  rmSync(written.svg, { force: true });
  rmSync(written.vegaLite, { force: true });
  return { points, disagreements };
}

// `--only population|small|large|memory|lab` (repeatable) runs a subset; lab runs only when named.
const workloads = {
  population: populationWorkload,
  small: smallEmpiricalWorkload,
  large: largeEmpiricalWorkload,
};
const argv = process.argv.slice(2);
const only = argv.flatMap((a, i) => (a === "--only" ? [argv[i + 1]] : []));
for (const name of only)
  if (!(name in workloads) && name !== "memory" && name !== "lab") {
    console.error(
      `--only ${name}: not a workload; use one of ${[...Object.keys(workloads), "memory", "lab"].join(", ")}`,
    );
    process.exit(2);
  }
if (args.has("--scaling")) {
  const t0 = performance.now();
  const result = await scaling(dir);
  const machine = {
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    node: process.version,
    date: new Date().toISOString(),
    load: loadavg()[0],
  };
  rmSync(dir, { recursive: true, force: true });
  for (const p of result.points)
    console.log(`${p.panel} | ${p.series} | ${p.x} | ${p.secondsPerStep.toExponential(3)} s/step`);
  for (const d of result.disagreements) console.log(`DISAGREES (left out): ${JSON.stringify(d)}`);
  console.log(
    `scaling: ${((performance.now() - t0) / 1000).toFixed(0)} s, load ${machine.load.toFixed(1)}; figure in bench/figures/scaling.png`,
  );
  process.exit(0);
}
const rows = [];
for (const [name, workload] of Object.entries(workloads))
  if (only.length === 0 || only.includes(name))
    for (const w of [await workload(dir)].flat()) rows.push(summarize(w));
const memory = only.length === 0 || only.includes("memory") ? await memoryCheck() : null;
const browser = only.includes("lab") ? await labWorkload() : null;
const machine = {
  cpu: cpus()[0]?.model ?? "unknown",
  cores: cpus().length,
  node: process.version,
  date: new Date().toISOString(),
  /** 1-minute load average at the end: other processes share these cores */
  load: loadavg()[0],
};
rmSync(dir, { recursive: true, force: true });
writeFileSync(
  path.join(here, "results.json"),
  `${JSON.stringify({ machine, quick, repeats, rows, memory, ...(browser ? { browser } : {}) }, null, 2)}\n`,
);
console.log(
  `${machine.cpu}, ${machine.cores} cores, load ${machine.load.toFixed(1)}, ${machine.date}${quick ? " (--quick)" : ""}`,
);
for (const r of rows) {
  const speed = (stepsPerSecond) =>
    r.unit === "s/step"
      ? `${(1 / stepsPerSecond).toFixed(3).padStart(9)} s/step `
      : `${stepsPerSecond.toFixed(0).padStart(9)} steps/s`;
  console.log(`\n${r.workload}: ${r.setting}`);
  console.log(
    `  overparam  ${speed(r.overparam.stepsPerSecond)}   CPU/wall ${r.overparam.cpuPerWall.toFixed(2)}   final loss ${r.overparam.finalLoss.toExponential(6)}${r.overparam.kernels ? `   kernels: ${r.overparam.kernels}` : ""}`,
  );
  for (const name of ["numpy", "torch"]) {
    const b = r[name];
    if (b.missing) console.log(`  ${name.padEnd(9)}  missing: ${b.missing}`);
    else if (!b.agree)
      console.log(
        `  ${name.padEnd(9)}  DISAGREES: final loss ${b.finalLoss.toExponential(6)} (relative difference ${b.relativeDifference.toExponential(2)}); no time reported`,
      );
    else
      console.log(
        `  ${name.padEnd(9)}  ${speed(b.stepsPerSecond)}   overparam/${name} = ${b.ratio.toFixed(2)}×`,
      );
  }
}
if (memory) {
  console.log(
    `\nmemory: ${memory.steps} population steps through the CLI in ${memory.seconds.toFixed(1)} s, peak resident ${memory.maxRssMB.toFixed(0)} MB (limit ${memory.limitMB} MB: ${memory.ok ? "met" : "NOT met"})`,
  );
  for (const du of memory.du)
    console.log(
      `memory: ${du.setting} (${du.kernels}) in ${du.seconds.toFixed(1)} s: peak resident ${du.maxRssMB.toFixed(0)} MB = ${(du.maxRssMB / du.arraysMB).toFixed(2)}× the arrays a step needs (θ, ∇θ, Z, θ₀, X: ${du.arraysMB.toFixed(0)} MB; θ alone ${du.thetaMB.toFixed(0)} MB); budget = the engine's estimate ${du.budgetMB.toFixed(0)} MB: ${du.ok ? "met" : "NOT met"}`,
    );
}
if (browser) {
  const b = browser;
  const line = (name, r) =>
    `  ${name.padEnd(28)} ${r.stepsPerSecond.toFixed(0).padStart(9)} steps/s   ${(r.stepsPerSecond / b.node.stepsPerSecond).toFixed(2)}× Node${r.agree === false ? "   FINAL LOSS DISAGREES" : ""}`;
  console.log(`\nlab: ${b.setting}; ${b.chromium}`);
  console.log(
    `  ${"Node simulate".padEnd(28)} ${b.node.stepsPerSecond.toFixed(0).padStart(9)} steps/s   final loss ${b.node.finalLoss.toExponential(6)}`,
  );
  console.log(
    line(
      `Chromium worker simulate${b.browserSimulate.webAssembly ? "" : " (no wasm)"}`,
      b.browserSimulate,
    ),
  );
  console.log(line("Chromium, the lab's worker", b.labWorker));
}
