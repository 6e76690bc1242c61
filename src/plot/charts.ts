/**
 * Data series → Vega-Lite specs. Pure (no Node imports): the same spec renders to SVG in Node
 * (render.ts) and can later be embedded interactively in the browser lab.
 *
 * A Figure is a grid of Panels (small multiples); a Panel layers, in drawing order, the seed
 * bands, the measured lines, the dashed theory overlays, markers and trajectory paths.
 */

export interface Point {
  x: number;
  y: number;
  /** Band (min–max or interquartile range across seeds). */
  lo?: number;
  hi?: number;
}

export interface Series {
  /** Legend entry (unless `group` is set). */
  name: string;
  points: Point[];
  /** line (default) | dashed: a theory overlay | points: markers only | path: joined in the given order (2-D trajectories). */
  style?: "line" | "dashed" | "points" | "path";
  /** Mark the last point with a filled symbol (trajectory end points). */
  endMarker?: boolean;
  /** Series sharing a group share one colour and one legend entry (e.g. 20 students). */
  group?: string;
}

export interface Panel {
  title: string;
  xLabel: string;
  yLabel: string;
  logX?: boolean;
  logY?: boolean;
  series: Series[];
  xDomain?: [number, number];
  yDomain?: [number, number];
  /** Same units on both axes (2-D trajectories). */
  equalAspect?: boolean;
  /** Default true. */
  legend?: boolean;
}

export interface Figure {
  id: string;
  title: string;
  caption?: string;
  panels: Panel[];
  /** Panels per row (default: min(panels, 3)). */
  columns?: number;
  panelWidth?: number;
  panelHeight?: number;
}

interface Row {
  legend: string;
  series: string;
  i: number;
  x: number;
  y: number;
  lo?: number;
  hi?: number;
}

type VegaLiteSpec = Record<string, unknown>;

/** A point is drawable on an axis if finite, and positive on a log axis. */
function drawable(v: number, log: boolean | undefined): boolean {
  return Number.isFinite(v) && (!log || v > 0);
}

/** Rows of one series that can be drawn on the panel's axes; the band is clipped, never NaN. */
function rows(s: Series, panel: Panel): Row[] {
  const legend = s.group ?? s.name;
  const out: Row[] = [];
  s.points.forEach((p, i) => {
    if (!drawable(p.x, panel.logX) || !drawable(p.y, panel.logY)) return;
    const row: Row = { legend, series: s.name, i, x: p.x, y: p.y };
    if (
      p.lo !== undefined &&
      p.hi !== undefined &&
      Number.isFinite(p.lo) &&
      Number.isFinite(p.hi)
    ) {
      row.lo = panel.logY ? Math.max(p.lo, p.y * 1e-300, Number.MIN_VALUE) : p.lo;
      row.hi = p.hi;
      if (panel.logY && !(row.hi > 0)) row.hi = p.y;
    }
    out.push(row);
  });
  return out;
}

/** Log axes label 1e-12 style; linear axes keep Vega's own nice labels (0, 20, 40). */
function axis(log: boolean | undefined): Record<string, unknown> {
  return log ? { format: "~e", labelOverlap: true } : { labelOverlap: true };
}

function scale(log: boolean | undefined, domain?: [number, number]): Record<string, unknown> {
  const s: Record<string, unknown> = log ? { type: "log" } : { zero: false };
  if (domain) {
    s.domain = domain;
    s.clamp = true;
  }
  return s;
}

/** Equal-aspect domains: the data's bounding box made square around its centre. */
function squareDomains(all: Row[]): { x: [number, number]; y: [number, number] } | null {
  if (all.length === 0) return null;
  const xs = all.map((r) => r.x);
  const ys = all.map((r) => r.y);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const half = (Math.max(x1 - x0, y1 - y0) / 2) * 1.05 || 1;
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  return { x: [cx - half, cx + half], y: [cy - half, cy + half] };
}

function panelSpec(panel: Panel, width: number, height: number, legends: string[]): VegaLiteSpec {
  const bySeries = panel.series.map((s) => ({ s, data: rows(s, panel) }));
  const all = bySeries.flatMap((b) => b.data);
  if (panel.logY && all.length) {
    // a band reaching far below every line (a seed that hit exact zero) would stretch the log
    // axis over hundreds of decades: clip bands at the lowest drawn value
    const floor = Math.min(...all.map((r) => r.y));
    for (const r of all) if (r.lo !== undefined) r.lo = Math.max(r.lo, floor);
  }
  let xDomain = panel.xDomain;
  let yDomain = panel.yDomain;
  let w = width;
  let h = height;
  if (panel.equalAspect) {
    const sq = squareDomains(all);
    if (sq) {
      xDomain ??= sq.x;
      yDomain ??= sq.y;
    }
    w = h = Math.min(width, height);
  }
  const x = {
    field: "x",
    type: "quantitative",
    title: panel.xLabel,
    scale: scale(panel.logX, xDomain),
    axis: axis(panel.logX),
  };
  const y = {
    field: "y",
    type: "quantitative",
    title: panel.yLabel,
    scale: scale(panel.logY, yDomain),
    axis: axis(panel.logY),
  };
  const color = {
    field: "legend",
    type: "nominal",
    title: null,
    scale: { domain: legends },
    // the legend lists this panel's own series only (the domain is the figure's)
    legend:
      panel.legend === false
        ? null
        : { orient: "right", labelLimit: 420, values: [...new Set(all.map((r) => r.legend))] },
  };
  const layers: VegaLiteSpec[] = [];
  const banded = bySeries.flatMap((b) => b.data.filter((r) => r.lo !== undefined));
  if (banded.length) {
    layers.push({
      data: { values: banded },
      mark: { type: "area", opacity: 0.2 },
      encoding: {
        x,
        y: { ...y, field: "lo" },
        y2: { field: "hi" },
        // a separate fill scale with the same domain gives the same colours, while the lines
        // alone carry the legend (a stroke symbol, not a shaded square)
        fill: { ...color, legend: null },
        detail: { field: "series" },
      },
    });
  }
  const pick = (style: NonNullable<Series["style"]>) =>
    bySeries.filter((b) => (b.s.style ?? "line") === style).flatMap((b) => b.data);
  const lines = pick("line");
  if (lines.length) {
    layers.push({
      data: { values: lines },
      mark: { type: "line", strokeWidth: 1.8, clip: true },
      encoding: { x, y, color, detail: { field: "series" } },
    });
  }
  const paths = pick("path");
  if (paths.length) {
    layers.push({
      data: { values: paths },
      mark: { type: "line", strokeWidth: 1.2, clip: true },
      encoding: {
        x,
        y,
        color,
        detail: { field: "series" },
        order: { field: "i", type: "quantitative" },
      },
    });
  }
  const dashed = pick("dashed");
  if (dashed.length) {
    layers.push({
      data: { values: dashed },
      mark: { type: "line", strokeDash: [6, 4], strokeWidth: 1.6, clip: true },
      encoding: {
        x,
        y,
        color,
        detail: { field: "series" },
        order: { field: "i", type: "quantitative" },
      },
    });
  }
  const points = pick("points");
  if (points.length) {
    layers.push({
      data: { values: points },
      mark: { type: "point", filled: true, size: 40, clip: true },
      encoding: { x, y, color },
    });
  }
  const ends = bySeries
    .filter((b) => b.s.endMarker && b.data.length > 0)
    .map((b) => b.data[b.data.length - 1]);
  if (ends.length) {
    layers.push({
      data: { values: ends },
      mark: { type: "circle", size: 45, color: "#d62728", opacity: 1, clip: true },
      encoding: { x, y },
    });
  }
  if (layers.length === 0) {
    // an empty panel still draws its axes and says why
    layers.push({
      data: { values: [{ x: 1, y: 1 }] },
      mark: { type: "text", text: "no data" },
      encoding: { x: { ...x, scale: { type: "linear" } }, y: { ...y, scale: { type: "linear" } } },
    });
  }
  return { title: panel.title, width: w, height: h, layer: layers };
}

export function toVegaLite(fig: Figure): VegaLiteSpec {
  const width = fig.panelWidth ?? 360;
  const height = fig.panelHeight ?? 260;
  // one colour domain for the whole figure: "K = 3" has the same colour in every panel, and
  // bands (fill) and lines (stroke) agree even where only some series have bands
  const legends = [...new Set(fig.panels.flatMap((p) => p.series.map((s) => s.group ?? s.name)))];
  const panels = fig.panels.map((p) => panelSpec(p, width, height, legends));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: fig.title, anchor: "start", fontSize: 15 },
    background: "white",
    padding: 12,
    columns: fig.columns ?? Math.min(fig.panels.length, 3),
    concat: panels,
    resolve: {
      scale: { color: "independent", x: "independent", y: "independent" },
      legend: { color: "independent" },
    },
    config: {
      font: "DejaVu Sans",
      title: { font: "DejaVu Sans", fontSize: 13 },
      axis: {
        labelFont: "DejaVu Sans",
        titleFont: "DejaVu Sans",
        labelFontSize: 10,
        titleFontSize: 11,
        grid: true,
        gridOpacity: 0.4,
      },
      legend: { labelFont: "DejaVu Sans", titleFont: "DejaVu Sans", labelFontSize: 10 },
      view: { stroke: "#888" },
    },
  };
}

const csvCell = (v: number | string | undefined): string => {
  if (v === undefined) return "";
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** The data behind a figure, long format: panel,series,x,y,lo,hi (all points, as given). */
export function figureCsv(fig: Figure): string {
  const lines = ["panel,series,x,y,lo,hi"];
  for (const p of fig.panels) {
    for (const s of p.series) {
      for (const pt of s.points) {
        lines.push([p.title, s.name, pt.x, pt.y, pt.lo, pt.hi].map(csvCell).join(","));
      }
    }
  }
  return `${lines.join("\n")}\n`;
}
