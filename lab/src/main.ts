/**
 * The lab page: a spec (preset, form fields, YAML text) → one Web Worker per run (a sweep runs
 * its combinations side by side in a small pool) → live charts. The main thread only parses
 * text, validates, and draws at most once per animation frame; the numbers are computed in the
 * workers by the engine.
 */
import specSchema from "virtual:spec-schema";
import YAML from "yaml";
import { type LiveChart as Chart, LiveChart, type RunSeries } from "./charts.js";
import { activations, metrics, type SpecInput, teacherOf } from "./engine.js";
import {
  neuronColors,
  type Plane,
  planeFor,
  project,
  renderCanvas,
  renderSvg,
  type Scene,
  sceneOf,
} from "./neurons.js";
import { findPreset, presets } from "./presets.js";
import type { FromWorker, ToWorker } from "./protocol.js";
import { buildSchemaForm, type SchemaForm } from "./schemaform.js";
import { type Checked, checkText, cliCommand, type Doc, getPath, setField } from "./specdoc.js";
import { decodeState, defaultViews, encodeState, type LabState, type Views } from "./state.js";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const ui = {
  preset: $<HTMLSelectElement>("preset"),
  explain: $<HTMLParagraphElement>("preset-explain"),
  formFields: $<HTMLDivElement>("form-fields"),
  text: $<HTMLTextAreaElement>("spec-text"),
  problems: $<HTMLUListElement>("problems"),
  run: $<HTMLButtonElement>("run"),
  pause: $<HTMLButtonElement>("pause"),
  stop: $<HTMLButtonElement>("stop"),
  copyCli: $<HTMLButtonElement>("copy-cli"),
  downloadSpec: $<HTMLButtonElement>("download-spec"),
  downloadCsv: $<HTMLButtonElement>("download-csv"),
  status: $<HTMLParagraphElement>("status"),
  cli: $<HTMLOutputElement>("cli-command"),
  xAxis: $<HTMLSelectElement>("x-axis"),
  lossScale: $<HTMLSelectElement>("loss-scale"),
  overlay: $<HTMLInputElement>("overlay"),
  metric: $<HTMLSelectElement>("metric"),
  metricScale: $<HTMLSelectElement>("metric-scale"),
  metricCaption: $<HTMLSpanElement>("metric-caption"),
  runsBody: $<HTMLTableElement>("runs").tBodies[0],
  resultsPanel: $<HTMLElement>("results-panel"),
  resultsList: $<HTMLUListElement>("results-list"),
  neuronRun: $<HTMLSelectElement>("neuron-run"),
  neuronFrame: $<HTMLInputElement>("neuron-frame"),
  neuronPlay: $<HTMLButtonElement>("neuron-play"),
  neuronFollow: $<HTMLInputElement>("neuron-follow"),
  neuronCanvas: $<HTMLCanvasElement>("neuron-canvas"),
  neuronNote: $<HTMLParagraphElement>("neuron-note"),
  neuronStep: $<HTMLSpanElement>("neuron-step"),
};

const palette = [
  "#0b5cad",
  "#d1495b",
  "#2a9d8f",
  "#e9a23b",
  "#6a4c93",
  "#3d5a80",
  "#8d6e63",
  "#43aa8b",
];

// ---------------------------------------------------------------- state

let state: LabState = {
  preset: "xd-fig1",
  text: findPreset("xd-fig1")?.text ?? "",
  views: { ...defaultViews },
};
let checked: Checked = checkText(state.text);

interface Run extends RunSeries {
  doc: Doc;
  /** Columns the lab added for its views (charted, not in metrics.csv). */
  extra: Set<string>;
  m: number;
  d: number;
  teacher: { r: number; V: number[] } | null;
  summary: Record<string, number | string | null>;
  worker: Worker | null;
  status: "queued" | "starting" | "running" | "paused" | string;
  reason: string;
  step: number;
  totalSteps: number;
  loss: number;
  row: HTMLTableRowElement;
}
let runs: Run[] = [];
let queue: Run[] = [];
let paused = false;
const concurrency = Math.max(1, Math.min((navigator.hardwareConcurrency || 2) - 1, 4));
/**
 * Threads of each run's matrix products (large empirical losses): the cores shared among the
 * runs that go at once; `?threads=n` in the address overrides (1: the one-thread kernel).
 */
const gemmThreads =
  Math.floor(Number(new URLSearchParams(location.search).get("threads"))) ||
  Math.max(1, Math.floor((navigator.hardwareConcurrency || 1) / concurrency));

const lossChart: Chart = new LiveChart($("loss-chart"));
const metricChart: Chart = new LiveChart($("metric-chart"));

// ---------------------------------------------------------------- the form

const activationNotes = new Map(activations().map((a) => [a.name, a.description]));
const metricNotes = new Map(metrics().map((m) => [m.name, m.description]));
let form!: SchemaForm;

function onFieldInput(path: string, value: unknown): void {
  try {
    state.text = setField(state.text, path, value);
  } catch (e) {
    showStatus((e as Error).message);
    return;
  }
  ui.text.value = state.text;
  onSpecChanged();
  refreshMetricOptions();
}

// ---------------------------------------------------------------- validation and views

function onSpecChanged(): void {
  checked = checkText(state.text);
  renderForm();
  renderProblems();
  renderCli();
  saveState();
  updateButtons();
}

function renderProblems(): void {
  ui.problems.replaceChildren(
    ...checked.problems.map((p) => {
      const li = document.createElement("li");
      li.textContent = `${p.run ? `[${p.run}] ` : ""}${p.path ? `${p.path}: ` : ""}${p.message}`;
      return li;
    }),
  );
  form.showProblems(checked.problems);
}

function renderForm(): void {
  const doc = checked.doc;
  const sweep = doc?.sweep && typeof doc.sweep === "object" ? (doc.sweep as Doc) : {};
  form.render(doc, new Set(Object.keys(sweep)));
  const n = checked.runs.length;
  ui.run.textContent = n > 1 ? `Run ${n}` : "Run";
}

function updateButtons(): void {
  const active = runs.some((r) => r.worker || r.status === "queued");
  ui.run.disabled = active || checked.problems.length > 0 || checked.runs.length === 0;
  ui.pause.disabled = !active;
  ui.pause.textContent = paused ? "Resume" : "Pause";
  ui.pause.setAttribute("aria-pressed", paused ? "true" : "false");
  ui.stop.disabled = !active;
  ui.downloadCsv.disabled = !runs.some((r) => r.steps.length);
}

function renderCli(): void {
  const preset = state.preset ? findPreset(state.preset) : undefined;
  const presetDoc = preset ? (YAML.parse(preset.text) as Doc) : null;
  const cmd = checked.doc ? cliCommand(state.preset, presetDoc, checked.doc) : null;
  ui.cli.value = cmd ?? "npx overparam run spec.yaml   (Download spec.yaml first)";
}

function showStatus(text: string): void {
  ui.status.textContent = text;
}

let saveTimer = 0;
function saveState(): void {
  clearTimeout(saveTimer);
  document.body.dataset.saved = "pending"; // "true" once the URL holds this state (for tests)
  saveTimer = window.setTimeout(async () => {
    const hash = await encodeState(state);
    if (location.hash.slice(1) !== hash) history.replaceState(null, "", `#${hash}`);
    if (saveTimer === mine) document.body.dataset.saved = "true";
  }, 150);
  const mine = saveTimer;
}

function readViews(): Views {
  return {
    x: ui.xAxis.value === "time" ? "time" : "step",
    lossScale: ui.lossScale.value === "linear" ? "linear" : "log",
    overlay: ui.overlay.checked,
    metric: ui.metric.value,
    metricScale: ui.metricScale.value === "log" ? "log" : "linear",
    neuronRun: Math.max(0, Number(ui.neuronRun.value) || 0),
  };
}

function applyViews(v: Views): void {
  ui.xAxis.value = v.x;
  ui.lossScale.value = v.lossScale;
  ui.overlay.checked = v.overlay;
  ui.metricScale.value = v.metricScale;
  ensureMetricOption(v.metric);
  ui.metric.value = v.metric;
  ensureNeuronRunOption(v.neuronRun);
  ui.neuronRun.value = String(v.neuronRun);
}

// ---------------------------------------------------------------- metric choice

const baseName = (column: string) => column.replace(/\[.*$/, "");

function ensureMetricOption(name: string): void {
  if (name && ![...ui.metric.options].some((o) => o.value === name))
    ui.metric.add(new Option(name, name));
}

function refreshMetricOptions(): void {
  const names = new Set<string>();
  for (const r of runs)
    for (const c of r.columns)
      if (c !== "loss" && !(r.extra.has(c) && /^[wa]\[/.test(c))) names.add(baseName(c));
  if (!names.size && checked.doc && Array.isArray(checked.doc.metrics))
    for (const m of checked.doc.metrics as string[]) if (m !== "loss") names.add(m);
  const current = ui.metric.value || state.views.metric;
  const labels: Record<string, string> = {
    xd_angle: "xd_angle: θᵢ to the teacher",
    xd_pair_angle: "xd_pair_angle: θᵢⱼ",
    wa_A: "wa_A (WA eq. 8)",
    wa_B: "wa_B (WA eq. 8)",
    wa_C: "wa_C (WA eq. 8)",
    wa_D: "wa_D (WA eq. 8)",
    wa_B_over_A: "wa_B_over_A: |B|/|A|",
    wa_D_over_C: "wa_D_over_C: ‖D‖/‖C‖",
  };
  ui.metric.replaceChildren(
    ...[...names].map((n) => {
      const o = new Option(labels[n] ?? n, n);
      o.title = metricNotes.get(n) ?? "";
      return o;
    }),
  );
  if (current && names.has(current)) ui.metric.value = current;
  state.views.metric = ui.metric.value;
}

// ---------------------------------------------------------------- charts

/**
 * DU Thm 4.1: ‖y − u(k)‖² ≤ (1 − ηλ₀/2)ᵏ‖y − u(0)‖², in the loss's units (the loss is a fixed
 * multiple of ‖y − u‖²), as src/reproduce/papers/du.ts draws it. λ₀ = λ_min(H^∞) is in the
 * run's summary (du_gram), so the envelope appears when the run ends.
 */
function duEnvelope(series: RunSeries): { label: string; y: number[] } | null {
  const r = series as Run;
  const l0 = Number(r.summary?.du_lambda0);
  const eta = Number(getPath(r.doc, "optimizer.lr"));
  const loss = r.values.get("loss");
  if (!(l0 > 0) || !(eta > 0) || !loss?.length || r.steps[0] !== 0) return null;
  const q = 1 - (eta * l0) / 2;
  return {
    label: `${r.label ? `${r.label} ` : ""}Thm 4.1 envelope (λ₀ = ${l0.toPrecision(3)})`,
    y: r.steps.map((k) => loss[0] * q ** k),
  };
}

function drawCharts(): void {
  const v = state.views;
  const du = runs.some((r) => getPath(r.doc, "paper") === "du" || "du_lambda0" in r.summary);
  lossChart.update(runs, {
    x: v.x,
    scale: v.lossScale,
    columns: () => ["loss"],
    overlay: v.overlay && !du,
    theory: v.overlay ? duEnvelope : undefined,
    yLabel: "loss",
  });
  const metric = v.metric;
  ui.metricCaption.textContent = metric || "Metric";
  metricChart.update(runs, {
    x: v.x,
    scale: v.metricScale,
    columns: (r) => r.columns.filter((c) => c !== "loss" && baseName(c) === metric),
    yLabel: metric,
  });
  scheduleNeurons();
}

let neuronTimer = 0;
let neuronsDrawn = 0;
/** Redraws the neuron view on an animation frame, at most every 100 ms (as the charts do). */
function scheduleNeurons(): void {
  if (neuronTimer) return;
  const wait = Math.max(0, neuronsDrawn + 100 - performance.now());
  neuronTimer = window.setTimeout(() => {
    requestAnimationFrame(() => {
      neuronTimer = 0;
      const t0 = performance.now();
      drawNeurons();
      neuronsDrawn = performance.now();
      performance.measure("lab-draw", { start: t0, end: neuronsDrawn });
    });
  }, wait);
}

// ---------------------------------------------------------------- the neuron view

/** m and d from a recorded run's weight columns w[i][k] (0 when it has none). */
function weightsShape(columns: string[]): { m: number; d: number } {
  let m = 0;
  let d = 0;
  for (const c of columns) {
    const hit = /^w\[(\d+)\]\[(\d+)\]$/.exec(c);
    if (hit) {
      m = Math.max(m, Number(hit[1]) + 1);
      d = Math.max(d, Number(hit[2]) + 1);
    }
  }
  return { m, d };
}

function ensureNeuronRunOption(index: number): void {
  if (![...ui.neuronRun.options].some((o) => o.value === String(index)))
    ui.neuronRun.add(new Option(`run ${index + 1}`, String(index)));
}

function refreshNeuronRuns(): void {
  const current = ui.neuronRun.value || String(state.views.neuronRun);
  ui.neuronRun.replaceChildren(
    ...runs.map((r, i) => new Option(r.label || `run ${i + 1}`, String(i))),
  );
  if (!runs.length) ensureNeuronRunOption(state.views.neuronRun);
  ui.neuronRun.value = Number(current) < Math.max(runs.length, 1) ? current : "0";
}

/** Column arrays of w[i][k] in row-major order, per run (built once its columns are known). */
const weightColumns = new WeakMap<Run, { key: string; cols: number[][] }>();
let plane: Plane | null = null;
let planeKey = "";
let neuronScene: Scene | null = null;
let playTimer = 0;

function studentWeights(run: Run): number[][] | null {
  const { m, d } = run;
  if (!m || !d) return null;
  const key = `${run.columns.length}:${m}:${d}`;
  const cached = weightColumns.get(run);
  if (cached?.key === key) return cached.cols;
  const cols: number[][] = [];
  for (let i = 0; i < m; i++)
    for (let k = 0; k < d; k++) {
      const c = run.values.get(`w[${i}][${k}]`);
      if (!c) return null;
      cols.push(c);
    }
  weightColumns.set(run, { key, cols });
  return cols;
}

function drawNeurons() {
  const run = runs[Number(ui.neuronRun.value) || 0];
  const ctx = ui.neuronCanvas.getContext("2d");
  const size = Math.max(240, Math.min(460, ui.neuronCanvas.parentElement?.clientWidth ?? 420));
  const dpr = window.devicePixelRatio || 1;
  if (ui.neuronCanvas.width !== Math.round(size * dpr)) {
    ui.neuronCanvas.width = Math.round(size * dpr);
    ui.neuronCanvas.height = Math.round(size * dpr);
    ui.neuronCanvas.style.width = `${size}px`;
    ui.neuronCanvas.style.height = `${size}px`;
  }
  const clear = (note: string) => {
    neuronScene = null;
    ui.neuronCanvas.hidden = true;
    ctx?.clearRect(0, 0, ui.neuronCanvas.width, ui.neuronCanvas.height);
    ui.neuronNote.textContent = note;
    ui.neuronStep.textContent = "";
    ui.neuronFrame.max = "0";
  };
  if (!run) return clear("Run a spec to see its neurons.");
  const cols = studentWeights(run);
  const rows = run.steps.length;
  if (!cols) {
    const md = run.m * run.d;
    return clear(
      run.status === "recorded" || !run.m
        ? "No student weights recorded (the weights metric)."
        : `The neuron view needs every student weight per row (the weights metric), limited to m·d ≤ 2000; this run has m·d = ${md}.`,
    );
  }
  if (!rows) return clear("Waiting for the first recorded row…");
  ui.neuronCanvas.hidden = false;
  const { m, d } = run;
  const frames = rows;
  ui.neuronFrame.max = String(frames - 1);
  if (ui.neuronFollow.checked) ui.neuronFrame.value = String(frames - 1);
  const frame = Math.min(Number(ui.neuronFrame.value) || 0, frames - 1);
  // the plane: from up to 40 evenly spaced rows (stable while the animation plays)
  const key = `${ui.neuronRun.value}:${frames}`;
  if (key !== planeKey || !plane) {
    const samples: Float64Array[] = [];
    const take = Math.min(frames, 40);
    for (let s = 0; s < take; s++) {
      const f = take === 1 ? 0 : Math.round((s * (frames - 1)) / (take - 1));
      for (let i = 0; i < m; i++) {
        const w = new Float64Array(d);
        for (let k = 0; k < d; k++) w[k] = cols[i * d + k][f];
        samples.push(w);
      }
    }
    const V = run.teacher ? Float64Array.from(run.teacher.V) : null;
    plane = planeFor(
      d,
      V,
      run.teacher?.r ?? 0,
      samples,
      planeKey.split(":")[0] === ui.neuronRun.value ? plane : null,
    );
    planeKey = key;
  }
  const p = plane;
  const teachers: [number, number][] = [];
  if (run.teacher)
    for (let j = 0; j < run.teacher.r; j++) teachers.push(project(p, run.teacher.V, j * d, d));
  const paths: [number, number][][] = [];
  const w = new Float64Array(d);
  for (let i = 0; i < m; i++) {
    const path: [number, number][] = [];
    for (let f = 0; f < frames; f++) {
      for (let k = 0; k < d; k++) w[k] = cols[i * d + k][f];
      path.push(project(p, w, 0, d));
    }
    paths.push(path);
  }
  const step = run.steps[frame];
  ui.neuronStep.textContent = `(${run.label || "run"}, row ${frame + 1}/${frames}: step ${step}, t = ${Number(run.times[frame].toPrecision(4))})`;
  ui.neuronNote.textContent = `${p.note}. Black: teacher${teachers.length === 1 ? "" : "s"}; coloured: the ${m} student${m === 1 ? "" : "s"}, with ${m === 1 ? "its path" : "their paths"} up to this row.`;
  neuronScene = sceneOf(
    {
      teachers,
      paths,
      frame,
      colors: neuronColors(m),
      axes: p.axes,
      caption: `step ${step}`,
    },
    size,
    size,
  );
  if (ctx) {
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    renderCanvas(neuronScene, ctx);
  }
}

/** Plays the recorded rows from the first (log-spaced rows: equal time per decade). */
function togglePlay(): void {
  if (playTimer) {
    clearInterval(playTimer);
    playTimer = 0;
    ui.neuronPlay.textContent = "Play";
    return;
  }
  ui.neuronFollow.checked = false;
  if (Number(ui.neuronFrame.value) >= Number(ui.neuronFrame.max)) ui.neuronFrame.value = "0";
  ui.neuronPlay.textContent = "Stop playing";
  playTimer = window.setInterval(() => {
    const next = Number(ui.neuronFrame.value) + 1;
    if (next > Number(ui.neuronFrame.max)) return togglePlay();
    ui.neuronFrame.value = String(next);
    drawNeurons();
  }, 60);
}

// ---------------------------------------------------------------- running

function startRuns(): void {
  if (ui.run.disabled) return;
  stopAll(false);
  paused = false;
  ui.runsBody.replaceChildren();
  runs = checked.runs.map((plan, i) => {
    const row = document.createElement("tr");
    const run: Run = {
      label: plan.label || String(checked.doc?.name ?? "run"),
      color: palette[i % palette.length],
      steps: [],
      times: [],
      values: new Map(),
      columns: [],
      extra: new Set(),
      m: 0,
      d: 0,
      teacher: null,
      summary: {},
      doc: plan.doc,
      worker: null,
      status: "queued",
      reason: "",
      step: 0,
      totalSteps: 0,
      loss: Number.NaN,
      row,
    };
    ui.runsBody.append(row);
    renderRunRow(run);
    return run;
  });
  queue = [...runs];
  refreshMetricOptions();
  refreshNeuronRuns();
  pumpQueue();
  drawCharts();
  updateButtons();
  showStatus(`Running ${runs.length} run${runs.length > 1 ? "s" : ""}…`);
}

function pumpQueue(): void {
  while (!paused && queue.length && runs.filter((r) => r.worker).length < concurrency) {
    const run = queue.shift()!;
    launch(run);
  }
}

/** Idle workers, reused for the next run (a new worker costs the main thread a few ms). */
const idleWorkers: Worker[] = [];

function launch(run: Run): void {
  const worker =
    idleWorkers.pop() ?? new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
  run.worker = worker;
  run.status = "starting";
  worker.onmessage = (e: MessageEvent<FromWorker>) => onWorkerMessage(run, e.data);
  worker.onerror = (e) => {
    run.worker?.terminate();
    run.worker = null;
    finish(run, "failed", e.message || "the worker failed to load");
  };
  send(run, { type: "start", doc: run.doc, threads: gemmThreads });
  renderRunRow(run);
}

function send(run: Run, message: ToWorker): void {
  run.worker?.postMessage(message);
}

function onWorkerMessage(run: Run, m: FromWorker): void {
  switch (m.type) {
    case "ready":
      run.status = paused ? "paused" : "running";
      if (paused) send(run, { type: "pause" });
      break;
    case "columns":
      run.columns = m.columns;
      run.extra = new Set(m.extra);
      run.m = m.m;
      run.d = m.d;
      run.teacher = m.teacher;
      for (const c of m.columns) run.values.set(c, []);
      refreshMetricOptions();
      break;
    case "rows":
      for (const row of m.rows) {
        run.steps.push(row.step);
        run.times.push(row.time);
        for (const c of run.columns) run.values.get(c)!.push(row.values[c]);
        run.step = row.step;
        run.loss = row.values.loss;
      }
      drawCharts();
      break;
    case "progress":
      run.step = m.step;
      run.totalSteps = m.totalSteps;
      run.loss = m.loss;
      break;
    case "paused":
      run.status = "paused";
      break;
    case "resumed":
      run.status = "running";
      break;
    case "done":
      run.loss = m.finalLoss;
      run.summary = m.summary;
      finish(run, m.status, `${m.reason} (${m.seconds.toFixed(2)} s, ${m.kernels})`);
      return;
    case "error":
      finish(run, "failed", m.message);
      return;
  }
  renderRunRow(run);
}

function finish(run: Run, status: string, reason: string): void {
  if (run.worker) {
    run.worker.onmessage = null;
    run.worker.onerror = null;
    idleWorkers.push(run.worker);
  }
  run.worker = null;
  run.status = status;
  run.reason = reason;
  renderRunRow(run);
  pumpQueue();
  drawCharts();
  updateButtons();
  if (!runs.some((r) => r.worker || r.status === "queued")) {
    const counts = new Map<string, number>();
    for (const r of runs) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
    showStatus(`Done: ${[...counts].map(([s, n]) => `${n} ${s}`).join(", ")}.`);
  }
}

function renderRunRow(run: Run): void {
  const swatch = `<span class="swatch" style="background:${run.color}"></span>`;
  const cells = [
    `${swatch}${escapeHtml(run.label)}`,
    escapeHtml(run.status) + (run.reason ? ` <small>${escapeHtml(run.reason)}</small>` : ""),
    run.totalSteps ? `${run.step} / ${run.totalSteps}` : String(run.step),
    Number.isFinite(run.loss) ? run.loss.toExponential(3) : "",
    "",
  ];
  run.row.innerHTML = cells.map((c) => `<td>${c}</td>`).join("");
  if (run.steps.length && !run.worker) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = "metrics.csv";
    b.setAttribute("aria-label", `Download metrics.csv of ${run.label}`);
    b.addEventListener("click", () => download(csvName(run), csvOf(run), "text/csv"));
    run.row.cells[4].append(b);
  }
}

function togglePause(): void {
  paused = !paused;
  for (const r of runs) if (r.worker) send(r, { type: paused ? "pause" : "resume" });
  if (!paused) pumpQueue();
  showStatus(paused ? "Paused." : "Running…");
  updateButtons();
}

function stopAll(announce = true): void {
  for (const r of queue) {
    r.status = "not started";
    renderRunRow(r);
  }
  queue = [];
  paused = false;
  for (const r of runs) if (r.worker) send(r, { type: "stop" });
  if (announce) showStatus("Stopping: the runs keep what they recorded…");
  updateButtons();
}

// ---------------------------------------------------------------- downloads

function formatNumber(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Number.POSITIVE_INFINITY) return "inf";
  if (x === Number.NEGATIVE_INFINITY) return "-inf";
  return String(x);
}

/** The same layout as the CLI's metrics.csv: step, time, then the metric columns. */
function csvOf(run: Run): string {
  const own = ownColumns(run);
  const lines = [["step", "time", ...own].join(",")];
  for (let i = 0; i < run.steps.length; i++)
    lines.push(
      [run.steps[i], run.times[i], ...own.map((c) => run.values.get(c)![i])]
        .map(formatNumber)
        .join(","),
    );
  return `${lines.join("\n")}\n`;
}

/** The spec's own columns (the CLI's metrics.csv), without the ones the lab added for views. */
function ownColumns(run: Run): string[] {
  return run.columns.filter((c) => !run.extra.has(c));
}

function csvName(run: Run): string {
  return run.label ? `metrics-${run.label.replace(/[^A-Za-z0-9._=+-]+/g, "_")}.csv` : "metrics.csv";
}

function download(name: string, content: string | Blob, type: string): void {
  const blob = content instanceof Blob ? content : new Blob([content], { type });
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

// ---------------------------------------------------------------- results folder (overparam lab --results)

async function loadResults(): Promise<void> {
  let list: {
    kind: string;
    path: string;
    files: Record<string, string>;
    name?: string;
    status?: string;
    finalLoss?: unknown;
  }[];
  try {
    const r = await fetch("api/results");
    if (!r.ok) return;
    list = (await r.json()).results;
    if (!Array.isArray(list)) return;
  } catch {
    return; // a static host without the lab server: no results folder
  }
  ui.resultsPanel.hidden = false;
  ui.resultsList.replaceChildren(
    ...list.map((entry) => {
      const li = document.createElement("li");
      if (entry.kind === "report" && entry.files["report.html"]) {
        const a = document.createElement("a");
        a.href = entry.files["report.html"];
        a.target = "_blank";
        a.rel = "noopener";
        a.textContent = `report: ${entry.path}`;
        li.append(a);
      } else if (entry.kind === "run") {
        const b = document.createElement("button");
        b.type = "button";
        b.textContent = `${entry.path}`;
        b.setAttribute("aria-label", `Chart the run ${entry.path}`);
        b.addEventListener("click", () => openRecordedRun(entry.path, entry.files));
        li.append(b, ` ${entry.name ?? ""} ${entry.status ?? ""} ${entry.finalLoss ?? ""}`);
      } else li.textContent = entry.path;
      return li;
    }),
  );
}

/** Charts a finished run folder from its metrics.csv (as a run that is not running). */
async function openRecordedRun(path: string, files: Record<string, string>): Promise<void> {
  if (!files["metrics.csv"]) return showStatus(`${path}: no metrics.csv`);
  const text = await (await fetch(files["metrics.csv"])).text();
  const [header, ...lines] = text.trim().split("\n");
  const cols = header.split(",");
  const values = new Map<string, number[]>(cols.slice(2).map((c) => [c, []]));
  const steps: number[] = [];
  const times: number[] = [];
  for (const line of lines) {
    const cells = line
      .split(",")
      .map((c) =>
        c === "nan" ? Number.NaN : c === "inf" ? Infinity : c === "-inf" ? -Infinity : Number(c),
      );
    steps.push(cells[0]);
    times.push(cells[1]);
    cols.slice(2).forEach((c, k) => {
      values.get(c)!.push(cells[k + 2]);
    });
  }
  // the manifest's resolved spec and summary (the neuron view's teacher, the DU envelope)
  let doc: Doc = {};
  let summary: Run["summary"] = {};
  let teacher: Run["teacher"] = null;
  if (files["manifest.json"])
    try {
      const manifest = (await (await fetch(files["manifest.json"])).json()) as {
        spec?: Doc;
        summary?: Run["summary"];
      };
      doc = manifest.spec ?? {};
      summary = manifest.summary ?? {};
      const t = teacherOf(doc as SpecInput);
      if (t) teacher = { r: t.r, V: Array.from(t.V) };
    } catch {
      // a manifest this version cannot read: chart the metrics without it
    }
  const row = document.createElement("tr");
  ui.runsBody.append(row);
  const run: Run = {
    label: path,
    color: palette[runs.length % palette.length],
    steps,
    times,
    values,
    columns: cols.slice(2),
    extra: new Set(),
    ...weightsShape(cols.slice(2)),
    teacher,
    summary,
    doc,
    worker: null,
    status: "recorded",
    reason: "",
    step: steps[steps.length - 1] ?? 0,
    totalSteps: 0,
    loss: values.get("loss")?.at(-1) ?? Number.NaN,
    row,
  };
  runs.push(run);
  renderRunRow(run);
  refreshMetricOptions();
  refreshNeuronRuns();
  drawCharts();
  updateButtons();
}

function exportChart(name: string, format: string) {
  if (name === "neurons") {
    if (!neuronScene) return showStatus("Nothing to export yet: run a spec first.");
    if (format === "svg") return download("neurons.svg", renderSvg(neuronScene), "image/svg+xml");
    ui.neuronCanvas.toBlob((blob) => blob && download("neurons.png", blob, "image/png"));
    return;
  }
  const chart = name === "metric" ? metricChart : lossChart;
  if (format === "svg") {
    const title = name === "metric" ? ui.metric.value || "metric" : "loss";
    const svg = chart.svg(title);
    if (!svg) return showStatus("Nothing to export yet: run a spec first.");
    return download(`${name}.svg`, svg, "image/svg+xml");
  }
  chart.canvas()?.toBlob((blob) => blob && download(`${name}.png`, blob, "image/png"));
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// ---------------------------------------------------------------- wiring

function selectPreset(name: string): void {
  const preset = findPreset(name);
  if (!preset) return;
  state.preset = name;
  state.text = preset.text;
  ui.text.value = state.text;
  ui.explain.textContent = preset.explain;
  state.views.overlay = name.startsWith("xd") || name.startsWith("du");
  ui.overlay.checked = state.views.overlay;
  onSpecChanged();
  refreshMetricOptions();
  drawCharts();
}

async function init(): Promise<void> {
  for (const p of presets) ui.preset.add(new Option(p.name, p.name));
  ui.preset.add(new Option("(custom)", ""));
  form = buildSchemaForm(specSchema, ui.formFields, onFieldInput, (path, value) =>
    path === "activation" ? (activationNotes.get(value) ?? "") : (metricNotes.get(value) ?? ""),
  );
  const restored = await decodeState(location.hash);
  if (restored) state = restored;
  ui.preset.value = state.preset ?? "";
  ui.explain.textContent = state.preset ? (findPreset(state.preset)?.explain ?? "") : "";
  ui.text.value = state.text;
  applyViews(state.views);
  onSpecChanged();
  refreshMetricOptions();
  if (state.views.metric) {
    ensureMetricOption(state.views.metric);
    ui.metric.value = state.views.metric;
  }
  drawCharts();

  ui.preset.addEventListener("change", () => {
    if (ui.preset.value) selectPreset(ui.preset.value);
    else {
      state.preset = null;
      ui.explain.textContent = "";
      onSpecChanged();
    }
  });
  let typing = 0;
  ui.text.addEventListener("input", () => {
    clearTimeout(typing);
    typing = window.setTimeout(() => {
      state.text = ui.text.value;
      onSpecChanged();
      refreshMetricOptions();
    }, 200);
  });
  for (const el of [ui.xAxis, ui.lossScale, ui.overlay, ui.metric, ui.metricScale])
    el.addEventListener("change", () => {
      state.views = readViews();
      saveState();
      drawCharts();
    });
  ui.run.addEventListener("click", startRuns);
  ui.pause.addEventListener("click", togglePause);
  ui.stop.addEventListener("click", () => stopAll());
  ui.copyCli.addEventListener("click", async () => {
    const text = ui.cli.value.startsWith("npx overparam run spec.yaml")
      ? "npx overparam run spec.yaml"
      : ui.cli.value;
    try {
      await navigator.clipboard.writeText(text);
      showStatus("Copied the CLI command.");
    } catch {
      showStatus(`Copy this: ${text}`);
    }
  });
  ui.downloadSpec.addEventListener("click", () => download("spec.yaml", state.text, "text/yaml"));
  ui.downloadCsv.addEventListener("click", () => {
    const done = runs.filter((r) => r.steps.length);
    if (done.length === 1) return download("metrics.csv", csvOf(done[0]), "text/csv");
    // a sweep: one table with the combination in a leading "run" column
    const columns = [...new Set(done.flatMap(ownColumns))];
    const lines = [["run", "step", "time", ...columns].join(",")];
    for (const r of done)
      for (let i = 0; i < r.steps.length; i++)
        lines.push(
          [
            JSON.stringify(r.label),
            ...[
              r.steps[i],
              r.times[i],
              ...columns.map((c) => r.values.get(c)?.[i] ?? Number.NaN),
            ].map(formatNumber),
          ].join(","),
        );
    download("metrics.csv", `${lines.join("\n")}\n`, "text/csv");
  });
  for (const b of document.querySelectorAll<HTMLButtonElement>("button.export"))
    b.addEventListener("click", () =>
      exportChart(b.dataset.chart ?? "loss", b.dataset.format ?? "png"),
    );
  ui.neuronRun.addEventListener("change", () => {
    state.views = readViews();
    saveState();
    drawNeurons();
  });
  ui.neuronFrame.addEventListener("input", () => {
    ui.neuronFollow.checked = false;
    drawNeurons();
  });
  ui.neuronFollow.addEventListener("change", drawNeurons);
  ui.neuronPlay.addEventListener("click", togglePlay);
  window.addEventListener("hashchange", async () => {
    const s = await decodeState(location.hash);
    if (!s || s.text === state.text) return;
    state = s;
    ui.preset.value = s.preset ?? "";
    ui.text.value = s.text;
    applyViews(s.views);
    onSpecChanged();
  });
  void loadResults();
  document.body.dataset.ready = "true";
}

void init();
