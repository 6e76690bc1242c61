import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { type Figure, figureCsv, type Series, toVegaLite } from "../../src/plot/charts.js";
import { renderPng, renderSvg, writeFigure } from "../../src/plot/render.js";

const line = (name: string, f: (x: number) => number, n = 50, style?: Series["style"]): Series => ({
  name,
  style,
  points: Array.from({ length: n }, (_, i) => ({ x: i + 1, y: f(i + 1) })),
});

function pngSize(png: Uint8Array): { width: number; height: number } {
  const b = Buffer.from(png);
  expect(b.subarray(1, 4).toString("ascii")).toBe("PNG");
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

const svgSize = (svg: string) => ({
  width: Number(svg.match(/<svg[^>]*\swidth="([\d.]+)"/)?.[1]),
  height: Number(svg.match(/<svg[^>]*\sheight="([\d.]+)"/)?.[1]),
});

/** Paths drawn for the line marks: vega gives each line mark the class "mark-line". */
const lineGroups = (svg: string) => (svg.match(/class="mark-line[^"]*"/g) ?? []).length;

describe("figures as Vega-Lite → SVG → PNG", () => {
  it("draws log axes without NaN even when the data holds zeros, negatives and NaN", async () => {
    const fig: Figure = {
      id: "t",
      title: "log axes",
      panels: [
        {
          title: "loss",
          xLabel: "t",
          yLabel: "loss",
          logX: true,
          logY: true,
          series: [
            {
              name: "a",
              points: [
                { x: 0, y: 1 },
                { x: 1, y: 0 },
                { x: 2, y: -1 },
                { x: 3, y: Number.NaN },
                { x: 4, y: 1e-12 },
                { x: 10, y: 1e-15 },
              ],
            },
            line("b", (x) => x ** -3),
          ],
        },
      ],
    };
    const svg = await renderSvg(toVegaLite(fig));
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    expect(svg).not.toMatch(/NaN|Infinity/);
    expect(svg).toContain("1e-15");
  });

  it("renders bands, dashed overlays, points and ordered paths in small multiples", async () => {
    const spiral: Series = {
      name: "spiral",
      style: "path",
      endMarker: true,
      points: Array.from({ length: 80 }, (_, i) => ({
        x: Math.cos(i / 5) * i,
        y: Math.sin(i / 5) * i,
      })),
    };
    const banded: Series = {
      name: "median",
      points: Array.from({ length: 30 }, (_, i) => ({
        x: i + 1,
        y: 1 / (i + 1),
        lo: 0.5 / (i + 1),
        hi: 2 / (i + 1),
      })),
    };
    const fig: Figure = {
      id: "multi",
      title: "six panels",
      columns: 3,
      panels: Array.from({ length: 6 }, (_, k) => ({
        title: `panel ${k}`,
        xLabel: "x",
        yLabel: "y",
        logY: k === 0,
        equalAspect: k === 5,
        series:
          k === 5
            ? [spiral]
            : [
                banded,
                line("theory", (x) => 1 / x, 10, "dashed"),
                line("pts", (x) => 1.5 / x, 5, "points"),
              ],
      })),
    };
    const spec = toVegaLite(fig) as {
      concat: { layer: { mark: { type: string; strokeDash?: number[] } }[] }[];
    };
    expect(spec.concat).toHaveLength(6);
    const marks = spec.concat[0].layer.map((l) => l.mark.type);
    expect(marks).toEqual(["area", "line", "line", "point"]);
    expect(spec.concat[0].layer[2].mark.strokeDash).toEqual([6, 4]);
    // the path keeps the given order (not sorted by x)
    const pathLayer = spec.concat[5].layer[0] as unknown as {
      encoding: { order: { field: string } };
    };
    expect(pathLayer.encoding.order.field).toBe("i");
    const svg = await renderSvg(spec);
    expect(svg).toContain("stroke-dasharray");
    expect(lineGroups(svg)).toBeGreaterThanOrEqual(11);
    expect(svg).not.toMatch(/NaN/);
  });

  it("gives PNGs at twice the SVG size with the bundled font drawing text", async () => {
    const svg = await renderSvg(
      toVegaLite({
        id: "p",
        title: "Title",
        panels: [{ title: "a", xLabel: "x", yLabel: "y", series: [line("s", (x) => x)] }],
      }),
    );
    const { png, width, height } = renderPng(svg, 2);
    const size = svgSize(svg);
    expect(pngSize(png)).toEqual({ width, height });
    expect(width).toBe(Math.round(2 * size.width));
    expect(height).toBe(Math.round(2 * size.height));
    // text only: an SVG with one label must put dark pixels on the white page
    const text =
      '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><text x="5" y="28" font-family="DejaVu Sans" font-size="24">Ag</text></svg>';
    const blank = '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"></svg>';
    expect(renderPng(text, 1).png.length).toBeGreaterThan(renderPng(blank, 1).png.length + 100);
  });

  it("writes the SVG, PNG, CSV and Vega-Lite spec of a figure", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "overparam-plot-"));
    const fig: Figure = {
      id: "w",
      title: "w",
      panels: [{ title: "p,1", xLabel: "x", yLabel: "y", series: [line("a", (x) => 2 * x, 3)] }],
    };
    const files = await writeFigure(fig, dir);
    expect(readFileSync(files.svg, "utf8")).toMatch(/^<svg/);
    expect(pngSize(readFileSync(files.png)).width).toBe(files.width);
    expect(readFileSync(files.csv, "utf8")).toBe(figureCsv(fig));
    expect(figureCsv(fig).split("\n")).toEqual([
      "panel,series,x,y,lo,hi",
      '"p,1",a,1,2,,',
      '"p,1",a,2,4,,',
      '"p,1",a,3,6,,',
      "",
    ]);
    expect(JSON.parse(readFileSync(files.vegaLite, "utf8")).concat).toHaveLength(1);
  });
});
