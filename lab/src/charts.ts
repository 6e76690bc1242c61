/**
 * Live charts with uPlot. Why uPlot: it draws on a canvas (no DOM node per point, unlike SVG
 * libraries such as Vega or Chart.js's plugins), is ~50 KB minified with no dependencies, is
 * built for streaming (setData on every animation frame costs well under a millisecond for our
 * few thousand points), and has real log axes (base 10) — the loss spans 1 to 1e-30. Vega, which
 * the report uses for static SVG, re-parses its spec on updates and is an order of magnitude
 * larger; Chart.js lacks fast log-axis redraws with hundreds of series.
 */
import uPlot, { type AlignedData, type Options } from "uplot";
import { escapeXml, svgDocument } from "./neurons.js";

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
  /** A theory curve per run on the run's recorded rows (e.g. DU Thm 4.1's envelope), dashed. */
  theory?: (run: RunSeries) => { label: string; y: number[] } | null;
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

  /**
   * The chart as it is drawn now, as an SVG document: the same scales, ticks (uPlot's own
   * splits and labels), series (colour, dash, opacity) and legend; null before the first draw.
   */
  svg(title: string): string | null {
    const u = this.plot;
    if (!u) return null;
    const r = uPlot.pxRatio || 1;
    const L = u.bbox.left / r;
    const T = u.bbox.top / r;
    const W = u.bbox.width / r;
    const H = u.bbox.height / r;
    const f = (x: number) => String(Math.round(x * 100) / 100);
    const body: string[] = [
      `<text x="${f(L)}" y="14" font-size="13" font-weight="600">${escapeXml(title)}</text>`,
      `<clipPath id="plot"><rect x="${f(L)}" y="${f(T)}" width="${f(W)}" height="${f(H)}"/></clipPath>`,
    ];
    u.axes.forEach((axis, i) => {
      const a = axis as uPlot.Axis & { _splits?: number[]; _values?: (string | number | null)[] };
      const horizontal = i === 0;
      const key = horizontal ? "x" : "y";
      (a._splits ?? []).forEach((v, k) => {
        const p = u.valToPos(v, key);
        if (!Number.isFinite(p)) return;
        const label = a._values?.[k];
        if (horizontal) {
          body.push(
            `<line x1="${f(L + p)}" y1="${f(T)}" x2="${f(L + p)}" y2="${f(T + H)}" stroke="#0000001a"/>`,
            `<text x="${f(L + p)}" y="${f(T + H + 16)}" font-size="11" text-anchor="middle">${escapeXml(String(label ?? ""))}</text>`,
          );
        } else {
          body.push(
            `<line x1="${f(L)}" y1="${f(T + p)}" x2="${f(L + W)}" y2="${f(T + p)}" stroke="#0000001a"/>`,
            `<text x="${f(L - 6)}" y="${f(T + p + 4)}" font-size="11" text-anchor="end">${escapeXml(String(label ?? ""))}</text>`,
          );
        }
      });
      const name = typeof a.label === "string" ? a.label : "";
      body.push(
        horizontal
          ? `<text x="${f(L + W / 2)}" y="${f(T + H + 34)}" font-size="12" text-anchor="middle">${escapeXml(name)}</text>`
          : `<text transform="translate(14 ${f(T + H / 2)}) rotate(-90)" font-size="12" text-anchor="middle">${escapeXml(name)}</text>`,
      );
    });
    body.push(
      `<rect x="${f(L)}" y="${f(T)}" width="${f(W)}" height="${f(H)}" fill="none" stroke="#8c959f"/>`,
    );
    const xs = u.data[0] as number[];
    const legend: { label: string; stroke: string; dash: string }[] = [];
    u.series.forEach((s, i) => {
      if (i === 0 || s.show === false) return;
      const stroke = typeof s.stroke === "string" ? s.stroke : "#000";
      if (stroke === "transparent") return;
      const ys = u.data[i] as (number | null)[];
      const segments: string[] = [];
      let current: string[] = [];
      for (let k = 0; k < xs.length; k++) {
        const y = ys[k];
        if (y === null || y === undefined) {
          if (!s.spanGaps && current.length) {
            segments.push(current.join(" "));
            current = [];
          }
          continue;
        }
        current.push(`${f(L + u.valToPos(xs[k], "x"))},${f(T + u.valToPos(y, "y"))}`);
      }
      if (current.length) segments.push(current.join(" "));
      const dash = s.dash?.length ? ` stroke-dasharray="${s.dash.join(" ")}"` : "";
      const alpha = s.alpha !== undefined && s.alpha < 1 ? ` stroke-opacity="${s.alpha}"` : "";
      for (const points of segments)
        body.push(
          `<polyline clip-path="url(#plot)" points="${points}" fill="none" stroke="${stroke}" stroke-width="${s.width ?? 1}"${dash}${alpha} stroke-linejoin="round"/>`,
        );
      legend.push({ label: String(s.label ?? ""), stroke, dash });
    });
    const rowH = 16;
    const legendTop = T + H + 48;
    legend.forEach((e, k) => {
      const y = legendTop + k * rowH;
      body.push(
        `<line x1="${f(L)}" y1="${f(y - 4)}" x2="${f(L + 22)}" y2="${f(y - 4)}" stroke="${e.stroke}" stroke-width="2"${e.dash}/>`,
        `<text x="${f(L + 28)}" y="${f(y)}" font-size="11">${escapeXml(e.label)}</text>`,
      );
    });
    const height = Math.ceil(legendTop + legend.length * rowH);
    return svgDocument(Math.ceil(u.width), height, body);
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
      const theory = view.theory?.(run);
      if (theory) {
        tables.push([
          x,
          idx.map((i) => {
            const v = theory.y[i];
            return Number.isFinite(v) && !(log && v <= 0) ? v : null;
          }),
        ] as unknown as AlignedData);
        series.push({
          label: theory.label,
          stroke: run.color,
          dash: [3, 3],
          width: 1.2,
          spanGaps: true,
          points: { show: false },
        });
      }
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
