/**
 * The lab page: a spec (preset, form fields, YAML text) → one Web Worker per run (a sweep runs
 * its combinations side by side in a small pool) → live charts. The main thread only parses
 * text, validates, and draws at most once per animation frame; the numbers are computed in the
 * workers by the engine.
 */
import YAML from "yaml";
import { type LiveChart as Chart, LiveChart, type RunSeries } from "./charts.js";
import { activations, metrics } from "./engine.js";
import { findPreset, presets } from "./presets.js";
import type { FromWorker, ToWorker } from "./protocol.js";
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

const lossChart: Chart = new LiveChart($("loss-chart"));
const metricChart: Chart = new LiveChart($("metric-chart"));

// ---------------------------------------------------------------- the form

interface FormField {
  path: string;
  label: string;
  kind: "integer" | "number" | "choice";
  choices?: () => string[];
  /** Shown only when this returns true for the current document. */
  when?: (doc: Doc | null) => boolean;
}

const isFlow = (doc: Doc | null) => getPath(doc, "optimizer.kind") === "flow";
const formFields: FormField[] = [
  { path: "seed", label: "seed", kind: "integer" },
  { path: "dimension", label: "dimension d", kind: "integer" },
  {
    path: "activation",
    label: "activation",
    kind: "choice",
    choices: () => activations().map((a) => a.name),
  },
  { path: "student.width", label: "student width m", kind: "integer" },
  { path: "optimizer.lr", label: "learning rate η", kind: "number", when: (d) => !isFlow(d) },
  { path: "optimizer.steps", label: "steps", kind: "integer", when: (d) => !isFlow(d) },
  { path: "optimizer.time", label: "flow time", kind: "number", when: isFlow },
  { path: "record.pointsPerDecade", label: "points per decade", kind: "integer" },
];
const inputs = new Map<
  string,
  { wrap: HTMLDivElement; input: HTMLInputElement | HTMLSelectElement; error: HTMLDivElement }
>();

function buildForm(): void {
  for (const f of formFields) {
    const wrap = document.createElement("div");
    wrap.className = "field";
    const id = `field-${f.path.replace(/\./g, "-")}`;
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = f.label;
    let input: HTMLInputElement | HTMLSelectElement;
    if (f.kind === "choice") {
      input = document.createElement("select");
      for (const c of f.choices?.() ?? []) input.add(new Option(c, c));
    } else {
      input = document.createElement("input");
      input.type = "text";
      input.inputMode = f.kind === "integer" ? "numeric" : "decimal";
      input.autocomplete = "off";
    }
    input.id = id;
    input.name = f.path;
    input.dataset.path = f.path;
    const error = document.createElement("div");
    error.className = "field-error";
    error.id = `${id}-error`;
    error.setAttribute("aria-live", "polite");
    input.setAttribute("aria-describedby", error.id);
    input.addEventListener("change", () => onFieldInput(f, input.value));
    wrap.append(label, input, error);
    ui.formFields.append(wrap);
    inputs.set(f.path, { wrap, input, error });
  }
}

function onFieldInput(f: FormField, raw: string): void {
  let value: unknown = raw;
  const t = raw.trim();
  if (f.kind !== "choice") {
    // numbers as numbers; anything else goes in as text so the validator names the problem
    if (t !== "" && Number.isFinite(Number(t))) value = Number(t);
    else if (t === "") value = undefined;
  }
  try {
    state.text = setField(state.text, f.path, value);
  } catch (e) {
    showStatus((e as Error).message);
    return;
  }
  ui.text.value = state.text;
  onSpecChanged();
}

// ---------------------------------------------------------------- validation and views

function onSpecChanged(): void {
  checked = checkText(state.text);
  renderProblems();
  renderForm();
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
  for (const [path, { input, error }] of inputs) {
    const mine = checked.problems.filter((p) => p.path === path || p.path.startsWith(`${path}.`));
    error.textContent = mine.map((p) => `${p.path}: ${p.message}`).join("\n");
    input.setAttribute("aria-invalid", mine.length ? "true" : "false");
  }
}

function renderForm(): void {
  const doc = checked.doc;
  for (const f of formFields) {
    const { wrap, input } = inputs.get(f.path)!;
    wrap.hidden = f.when ? !f.when(doc) : false;
    if (document.activeElement === input && input.getAttribute("aria-invalid") === "true") continue;
    const v = getPath(doc, f.path);
    const swept = doc?.sweep && typeof doc.sweep === "object" && f.path in (doc.sweep as Doc);
    input.value = v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
    input.title = swept
      ? `swept: ${JSON.stringify((doc!.sweep as Doc)[f.path])}; setting it fixes it`
      : "";
    if (input instanceof HTMLInputElement) input.placeholder = swept ? "swept" : "";
  }
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
  };
}

function applyViews(v: Views): void {
  ui.xAxis.value = v.x;
  ui.lossScale.value = v.lossScale;
  ui.overlay.checked = v.overlay;
  ui.metricScale.value = v.metricScale;
  ensureMetricOption(v.metric);
  ui.metric.value = v.metric;
}

// ---------------------------------------------------------------- metric choice

const baseName = (column: string) => column.replace(/\[.*$/, "");

function ensureMetricOption(name: string): void {
  if (name && ![...ui.metric.options].some((o) => o.value === name))
    ui.metric.add(new Option(name, name));
}

function refreshMetricOptions(): void {
  const names = new Set<string>();
  for (const r of runs) for (const c of r.columns) if (c !== "loss") names.add(baseName(c));
  if (!names.size && checked.doc && Array.isArray(checked.doc.metrics))
    for (const m of checked.doc.metrics as string[]) if (m !== "loss") names.add(m);
  const current = ui.metric.value || state.views.metric;
  const descriptions = new Map(metrics().map((m) => [m.name, m.description]));
  ui.metric.replaceChildren(
    ...[...names].map((n) => {
      const o = new Option(n, n);
      o.title = descriptions.get(n) ?? "";
      return o;
    }),
  );
  if (current && names.has(current)) ui.metric.value = current;
  state.views.metric = ui.metric.value;
}

// ---------------------------------------------------------------- charts

function drawCharts(): void {
  const v = state.views;
  lossChart.update(runs, {
    x: v.x,
    scale: v.lossScale,
    columns: () => ["loss"],
    overlay: v.overlay,
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
  send(run, { type: "start", doc: run.doc });
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
      finish(run, m.status, `${m.reason} (${m.seconds.toFixed(2)} s)`);
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
  const lines = [["step", "time", ...run.columns].join(",")];
  for (let i = 0; i < run.steps.length; i++)
    lines.push(
      [run.steps[i], run.times[i], ...run.columns.map((c) => run.values.get(c)![i])]
        .map(formatNumber)
        .join(","),
    );
  return `${lines.join("\n")}\n`;
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
  const row = document.createElement("tr");
  ui.runsBody.append(row);
  const run: Run = {
    label: path,
    color: palette[runs.length % palette.length],
    steps,
    times,
    values,
    columns: cols.slice(2),
    doc: {},
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
  drawCharts();
  updateButtons();
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
  state.views.overlay = name.startsWith("xd");
  ui.overlay.checked = state.views.overlay;
  onSpecChanged();
  refreshMetricOptions();
  drawCharts();
}

async function init(): Promise<void> {
  for (const p of presets) ui.preset.add(new Option(p.name, p.name));
  ui.preset.add(new Option("(custom)", ""));
  buildForm();
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
    const columns = [...new Set(done.flatMap((r) => r.columns))];
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
  for (const b of document.querySelectorAll<HTMLButtonElement>("button.png"))
    b.addEventListener("click", () => {
      const chart = b.dataset.chart === "metric" ? metricChart : lossChart;
      chart
        .canvas()
        ?.toBlob((blob) => blob && download(`${b.dataset.chart}.png`, blob, "image/png"));
    });
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
