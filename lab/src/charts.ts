/**
 * Live charts with uPlot. Why uPlot: it draws on a canvas (no DOM node per point, unlike SVG
 * libraries such as Vega or Chart.js's plugins), is ~50 KB minified with no dependencies, is
 * built for streaming (setData on every animation frame costs well under a millisecond for our
 * few thousand points), and has real log axes (base 10) — the loss spans 1 to 1e-30. Vega, which
 * the report uses for static SVG, re-parses its spec on updates and is an order of magnitude
 * larger; Chart.js lacks fast log-axis redraws with hundreds of series.
 */
import uPlot, { type AlignedData, type Options } from "uplot";

export interface RunSeries {
  label: string;
  color: string;
  steps: number[];
  times: number[];
  columns: string[];
  values: Map<string, number[]>;
}

export interface ChartView {
  x: "step" | "time";
  scale: "log" | "linear";
  /** Column names to draw per run (one for the loss chart; a group for a per-neuron metric). */
  columns: (run: RunSeries) => string[];
  /** Adds the XD T⁻³ slope reference to the loss chart. */
  overlay?: boolean;
  yLabel: string;
}

export class LiveChart {
  private plot: uPlot | null = null;
  private shape = "";
  private frame = 0;
  private lastDraw = 0;
  private pending: { runs: RunSeries[]; view: ChartView } | null = null;

  constructor(private readonly host: HTMLElement) {
    new ResizeObserver(() => {
      this.plot?.setSize(this.size());
    }).observe(host);
  }

  /**
   * Redraws on an animation frame at most every 100 ms (many calls draw once): streaming at
   * 10 frames per second keeps the main thread's share small even for many series.
   */
  update(runs: RunSeries[], view: ChartView): void {
    this.pending = { runs, view };
    if (this.frame) return;
    const wait = Math.max(0, this.lastDraw + 100 - performance.now());
    this.frame = window.setTimeout(() => {
      requestAnimationFrame(() => {
        this.frame = 0;
        if (!this.pending) return;
        // measured (performance.getEntriesByName("lab-draw")) by the browser test
        const t0 = performance.now();
        this.draw(this.pending.runs, this.pending.view);
        this.lastDraw = performance.now();
        performance.measure("lab-draw", { start: t0, end: this.lastDraw });
      });
    }, wait);
  }

  canvas(): HTMLCanvasElement | null {
    return this.host.querySelector("canvas");
  }

  private size(): { width: number; height: number } {
    return { width: Math.max(280, this.host.clientWidth), height: 260 };
  }

  private draw(runs: RunSeries[], view: ChartView): void {
    const log = view.scale === "log";
    const tables: AlignedData[] = [];
    const series: Options["series"] = [{ label: view.x }];
    for (const run of runs) {
      const xs = view.x === "step" ? run.steps : run.times;
      const cols = view.columns(run);
      // a log x axis cannot show x = 0 (the initial point)
      const keep: number[] = [];
      for (let i = 0; i < xs.length; i++) if (xs[i] > 0) keep.push(i);
      // uPlot.join needs strictly increasing x; a stop or a fused block may repeat the last step
      const idx = keep.filter((i, k) => k === 0 || xs[i] > xs[keep[k - 1]]);
      const x = idx.map((i) => xs[i]);
      cols.forEach((c, k) => {
        const ys = run.values.get(c) ?? [];
        const y = idx.map((i) => {
          const v = ys[i];
          return v === undefined || !Number.isFinite(v) || (log && v <= 0) ? null : v;
        });
        tables.push([x, y] as unknown as AlignedData);
        series.push({
          label: cols.length > 1 ? `${run.label} ${c}` : run.label || c,
          stroke: run.color,
          alpha: cols.length > 1 ? Math.max(0.35, 1 - k / cols.length) : 1,
          width: 1.5,
          spanGaps: true,
          points: { show: false },
        });
      });
    }
    let data: AlignedData = tables.length
      ? tables.length === 1
        ? tables[0]
        : uPlot.join(tables)
      : ([[], []] as unknown as AlignedData);
    if (!tables.length) series.push({ label: "", stroke: "transparent" });
    if (view.overlay) {
      // always present while the overlay is on (all null until there is a tail), so the
      // chart is not rebuilt when it appears
      const ref = tables.length ? slopeReference(data, -3) : null;
      data = [...data, ref ?? (data[0] as number[]).map(() => null)] as unknown as AlignedData;
      series.push({
        label: "T⁻³ reference",
        stroke: "#555",
        dash: [6, 4],
        width: 1.2,
        spanGaps: true,
        points: { show: false },
      });
    }
    const shape = JSON.stringify([series.map((s) => [s.label, s.stroke]), view.scale, view.x]);
    if (this.plot && shape === this.shape) {
      this.plot.setData(data);
      return;
    }
    this.plot?.destroy();
    this.shape = shape;
    const opts: Options = {
      ...this.size(),
      series,
      scales: {
        x: { time: false, distr: 3, log: 10 },
        y: log ? { distr: 3, log: 10 } : { distr: 1 },
      },
      axes: [
        { label: view.x, space: 50 },
        {
          label: view.yLabel,
          size: 70,
          values: (_u, splits) => splits.map(formatTick),
          // uPlot's own log splits know the decades 1e-32…1e32 only; a loss reaches 1e-300
          ...(log
            ? {
                splits: (_u: uPlot, _i: number, min: number, max: number) => decades(min, max),
                filter: (_u: uPlot, splits: number[]) => splits,
              }
            : {}),
        },
      ],
      legend: { show: series.length <= 16, live: false },
      cursor: { drag: { x: true, y: false } },
    };
    this.plot = new uPlot(opts, data, this.host);
  }
}

/**
 * A line of the given log-log slope through the last point of the slowest series (the one with
 * the largest final value), drawn over its last three decades: compare slopes, not levels.
 */
function slopeReference(data: AlignedData, slope: number): (number | null)[] | null {
  const x = data[0] as number[];
  let anchor: { x: number; y: number } | null = null;
  for (let s = 1; s < data.length; s++) {
    const ys = data[s] as (number | null)[];
    for (let i = ys.length - 1; i >= 0; i--) {
      const y = ys[i];
      if (y !== null && y !== undefined && y > 0) {
        if (!anchor || x[i] > anchor.x || (x[i] === anchor.x && y > anchor.y))
          anchor = { x: x[i], y };
        break;
      }
    }
  }
  if (!anchor || anchor.x < 10) return null;
  const a = anchor;
  return x.map((xi) => (xi >= a.x / 1000 && xi <= a.x ? a.y * (xi / a.x) ** slope : null));
}

/** Powers of ten between min and max, every k-th decade so that at most 8 are drawn. */
function decades(min: number, max: number): number[] {
  const lo = Math.ceil(Math.log10(min) - 1e-9);
  const hi = Math.floor(Math.log10(max) + 1e-9);
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi < lo) return [min, max];
  const k = Math.max(1, Math.ceil((hi - lo + 1) / 8));
  const out: number[] = [];
  for (let e = hi; e >= lo; e -= k) out.unshift(10 ** e);
  return out;
}

function formatTick(v: number | null): string {
  if (v === null) return "";
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(0).replace("e+", "e");
  return String(Number(v.toPrecision(3)));
}
