/**
 * The sweep's figures, as the spec's `summary.plots` ask: a heatmap (phase diagram) over two
 * swept axes coloured by the median over seeds, or lines over one axis with a band over seeds.
 * Written like the report's figures: <id>.svg, .png, .csv and .vl.json.
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { aggregateSeeds, formatNumber } from "../analysis/series.js";
import type { Figure, Series } from "../plot/charts.js";
import { renderPng, renderSvg, writeFigure } from "../plot/render.js";
import type { SweepPlan } from "./plan.js";
import { type Cell, cellValue, csvCell, type RunRow, rowValue } from "./summary.js";

type Plot = SweepPlan["summary"]["plots"][number];

export interface WrittenFigure {
  id: string;
  title: string;
  svg: string;
  files: { svg: string; png: string; csv: string; vegaLite: string };
}

const isNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** "auto": log when every value is positive and they span a decade or more. */
function useLog(choice: boolean | "auto", values: number[]): boolean {
  if (choice !== "auto") return choice;
  const v = values.filter((x) => Number.isFinite(x));
  if (v.length < 2 || v.some((x) => x <= 0)) return false;
  return Math.max(...v) / Math.min(...v) >= 10;
}

function label(v: unknown): string {
  return typeof v === "number" ? formatNumber(v) : typeof v === "string" ? v : JSON.stringify(v);
}

/** The other swept axes' settings of a cell, e.g. "student.width=3" (one panel or line each). */
function restKey(plan: SweepPlan, point: unknown[], used: number[]): string {
  const parts = plan.axes
    .map((a, i) => (used.includes(i) ? null : `${a.path}=${label(point[i])}`))
    .filter((s): s is string => s !== null);
  return parts.join(", ");
}

/** Cell edges around sorted centres: geometric midpoints on a log axis, arithmetic otherwise. */
function edges(centres: number[], log: boolean): Map<number, [number, number]> {
  const out = new Map<number, [number, number]>();
  const t = (x: number) => (log ? Math.log(x) : x);
  const inv = (u: number) => (log ? Math.exp(u) : u);
  const u = centres.map(t);
  for (let i = 0; i < u.length; i++) {
    const left =
      i > 0 ? (u[i - 1] + u[i]) / 2 : u.length > 1 ? u[0] - (u[1] - u[0]) / 2 : u[0] - 0.5;
    const right =
      i < u.length - 1
        ? (u[i] + u[i + 1]) / 2
        : u.length > 1
          ? u[i] + (u[i] - u[i - 1]) / 2
          : u[i] + 0.5;
    out.set(centres[i], [inv(left), inv(right)]);
  }
  return out;
}

const FONT = "DejaVu Sans";

function heatmapSpec(plan: SweepPlan, plot: Extract<Plot, { kind: "heatmap" }>, cells: Cell[]) {
  const xi = plan.axes.findIndex((a) => a.path === plot.x);
  const yi = plan.axes.findIndex((a) => a.path === plot.y);
  const xVals = plan.axes[xi].values;
  const yVals = plan.axes[yi].values;
  const xNumeric = xVals.every(isNumber);
  const yNumeric = yVals.every(isNumber);
  const logX = xNumeric && useLog(plot.logX, xVals as number[]);
  const logY = yNumeric && useLog(plot.logY, yVals as number[]);
  const xEdges = xNumeric
    ? edges(
        [...(xVals as number[])].sort((a, b) => a - b),
        logX,
      )
    : null;
  const yEdges = yNumeric
    ? edges(
        [...(yVals as number[])].sort((a, b) => a - b),
        logY,
      )
    : null;
  const fraction = plot.value.endsWith("_frac");
  const values = cells.map((c) => cellValue(c, plot.value));
  const logValue = !fraction && useLog(plot.logValue, values);
  const rows = cells.map((c) => {
    const v = cellValue(c, plot.value);
    const x = c.point[xi];
    const y = c.point[yi];
    const drawable = Number.isFinite(v) && (!logValue || v > 0);
    return {
      panel: restKey(plan, c.point, [xi, yi]),
      x: xNumeric ? x : label(x),
      y: yNumeric ? y : label(y),
      x0: xEdges?.get(x as number)?.[0],
      x1: xEdges?.get(x as number)?.[1],
      y0: yEdges?.get(y as number)?.[0],
      y1: yEdges?.get(y as number)?.[1],
      value: drawable ? v : null,
      text:
        v === Number.POSITIVE_INFINITY
          ? "never"
          : Number.isNaN(v)
            ? "—"
            : fraction
              ? `${Math.round(100 * v)}%`
              : formatNumber(v, 2),
    };
  });
  // labels are white on the dark (low) third of the viridis scale
  const finite = rows.map((r) => r.value).filter((v): v is number => v !== null);
  const lo = fraction ? 0 : Math.min(...finite);
  const hi = fraction ? 1 : Math.max(...finite);
  const dark = logValue ? lo * (hi / lo) ** 0.35 : lo + 0.35 * (hi - lo);
  const panels = [...new Set(rows.map((r) => r.panel))].slice(0, 12);
  const showText = xVals.length <= 14 && yVals.length <= 14;
  const axisEnc = (
    which: "x" | "y",
    numeric: boolean,
    log: boolean,
    vals: unknown[],
    title: string,
  ) =>
    numeric
      ? {
          [which]: {
            field: `${which}0`,
            type: "quantitative",
            title,
            scale: log ? { type: "log", nice: false } : { zero: false, nice: false },
            axis: { values: vals, format: log ? "~g" : "~g", labelOverlap: true },
          },
          [`${which}2`]: { field: `${which}1` },
        }
      : {
          [which]: {
            field: which,
            type: "ordinal",
            title,
            sort: vals.map(label),
          },
        };
  const pos = {
    ...axisEnc("x", xNumeric, logX, xVals, plot.x),
    ...axisEnc("y", yNumeric, logY, yVals, plot.y),
  };
  const center = {
    x: xNumeric
      ? {
          field: "x",
          type: "quantitative",
          scale: logX ? { type: "log", nice: false } : { zero: false, nice: false },
        }
      : { field: "x", type: "ordinal", sort: xVals.map(label) },
    y: yNumeric
      ? {
          field: "y",
          type: "quantitative",
          scale: logY ? { type: "log", nice: false } : { zero: false, nice: false },
        }
      : { field: "y", type: "ordinal", sort: yVals.map(label) },
  };
  const colour = {
    field: "value",
    type: "quantitative",
    title: plot.value,
    scale: fraction
      ? { domain: [0, 1], scheme: "viridis" }
      : logValue
        ? { type: "log", scheme: "viridis" }
        : { scheme: "viridis" },
    legend: { format: fraction ? ".0%" : "~g" },
  };
  const panelSpec = (panel: string) => {
    const data = rows.filter((r) => r.panel === panel);
    const layers: Record<string, unknown>[] = [
      {
        data: { values: data.filter((r) => r.value === null) },
        mark: { type: "rect", color: "#d9d9d9", stroke: "white", strokeWidth: 0.5 },
        encoding: pos,
      },
      {
        data: { values: data.filter((r) => r.value !== null) },
        mark: { type: "rect", stroke: "white", strokeWidth: 0.5 },
        encoding: { ...pos, color: colour },
      },
    ];
    if (showText)
      layers.push({
        data: { values: data },
        mark: { type: "text", fontSize: 9, font: FONT },
        encoding: {
          ...center,
          text: { field: "text" },
          color: {
            condition: { test: `datum.value !== null && datum.value < ${dark}`, value: "white" },
            value: "black",
          },
        },
      });
    return {
      title: panel || undefined,
      width: Math.max(220, Math.min(520, 34 * xVals.length)),
      height: Math.max(180, Math.min(420, 26 * yVals.length)),
      layer: layers,
      resolve: { scale: { x: "shared", y: "shared" } },
    };
  };
  return {
    spec: {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      title: {
        text: plot.title ?? `${plot.value} (median over ${plan.seeds.length} seeds)`,
        anchor: "start",
        fontSize: 15,
      },
      background: "white",
      padding: 12,
      columns: Math.min(panels.length, 3),
      concat: panels.map(panelSpec),
      resolve: { scale: { color: "shared" } },
      config: {
        font: FONT,
        title: { font: FONT, fontSize: 13 },
        axis: { labelFont: FONT, titleFont: FONT, labelFontSize: 10, titleFontSize: 11 },
        legend: { labelFont: FONT, titleFont: FONT, labelFontSize: 10 },
        view: { stroke: "#888" },
      },
    },
    csv: `${[
      "panel,x,y,value",
      ...rows.map((r) =>
        [r.panel, r.x, r.y, r.value ?? (r.text === "never" ? "inf" : "nan")].map(csvCell).join(","),
      ),
    ].join("\n")}\n`,
  };
}

function writeAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

function linesFigure(
  plan: SweepPlan,
  plot: Extract<Plot, { kind: "lines" }>,
  id: string,
  rows: RunRow[],
): Figure {
  const xi = plan.axes.findIndex((a) => a.path === plot.x);
  const xVals = plan.axes[xi].values;
  const finished = rows.filter((r) => r.status === "completed" || r.status === "diverged");
  const groups = new Map<string, RunRow[]>();
  for (const r of finished) {
    const k = restKey(plan, r.job.point, [xi]);
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const series: Series[] = [];
  const ys: number[] = [];
  for (const [key, rs] of groups) {
    const bySeed = new Map<number, { x: number[]; y: number[] }>();
    for (const r of rs) {
      const s = bySeed.get(r.job.seed) ?? { x: [], y: [] };
      s.x.push(Number(r.job.point[xi]));
      s.y.push(rowValue(r, plot.y));
      bySeed.set(r.job.seed, s);
    }
    const agg = aggregateSeeds([...bySeed.values()], { band: plot.band });
    ys.push(...agg.median);
    series.push({
      name: key || plot.y,
      points: agg.x.map((x, i) => ({ x, y: agg.median[i], lo: agg.lo[i], hi: agg.hi[i] })),
    });
  }
  return {
    id,
    title:
      plot.title ??
      `${plot.y} against ${plot.x} (median over ${plan.seeds.length} seeds, ${plot.band === "iqr" ? "interquartile" : "min–max"} band)`,
    panels: [
      {
        title: "",
        xLabel: plot.x,
        yLabel: plot.y,
        logX: xVals.every(isNumber) && useLog(plot.logX, xVals as number[]),
        logY: useLog(plot.logY, ys),
        series,
      },
    ],
  };
}

/** Draws every plot of the summary into dir; a plot that cannot be drawn is reported, not fatal. */
export async function writeSweepFigures(
  plan: SweepPlan,
  rows: RunRow[],
  cells: Cell[],
  dir: string,
): Promise<{ figures: WrittenFigure[]; problems: string[] }> {
  const figures: WrittenFigure[] = [];
  const problems: string[] = [];
  for (const [i, plot] of plan.summary.plots.entries()) {
    const id =
      plot.kind === "heatmap" ? `heatmap-${i + 1}-${plot.value}` : `lines-${i + 1}-${plot.y}`;
    const files = {
      svg: path.join(dir, `${id}.svg`),
      png: path.join(dir, `${id}.png`),
      csv: path.join(dir, `${id}.csv`),
      vegaLite: path.join(dir, `${id}.vl.json`),
    };
    try {
      let title: string;
      if (plot.kind === "heatmap") {
        const { spec, csv } = heatmapSpec(plan, plot, cells);
        const svg = await renderSvg(spec);
        writeAtomic(files.svg, svg);
        writeAtomic(files.png, renderPng(svg).png);
        writeAtomic(files.csv, csv);
        writeAtomic(files.vegaLite, `${JSON.stringify(spec, null, 1)}\n`);
        title = spec.title.text;
      } else {
        const fig = linesFigure(plan, plot, id, rows);
        await writeFigure(fig, dir);
        title = fig.title;
      }
      figures.push({
        id,
        title,
        svg: readFileSync(files.svg, "utf8"),
        files,
      });
    } catch (e) {
      problems.push(`figure ${id}: ${(e as Error).message}`);
    }
  }
  return { figures, problems };
}
