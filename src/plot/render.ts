/** Vega-Lite → SVG in Node (vega's headless renderer) and SVG → PNG (resvg, bundled font). */

import { createRequire } from "node:module";
import path from "node:path";
import { Resvg } from "@resvg/resvg-js";
import * as vega from "vega";
import { compile } from "vega-lite";
import { writeFileAtomic } from "../io/atomicWrite.js";
import { type Figure, figureCsv, toVegaLite } from "./charts.js";

const require = createRequire(import.meta.url);
/** DejaVu from npm, so PNG text renders the same on a machine without system fonts. */
const fontDir = path.join(path.dirname(require.resolve("dejavu-fonts-ttf/package.json")), "ttf");
const fontFiles = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf"].map((f) =>
  path.join(fontDir, f),
);

export async function renderSvg(vegaLiteSpec: object): Promise<string> {
  let compiled: vega.Spec;
  try {
    // biome-ignore lint/suspicious/noExplicitAny: vega-lite's TopLevelSpec is a large union
    compiled = compile(vegaLiteSpec as any).spec as vega.Spec;
  } catch (e) {
    throw new Error(`Vega-Lite could not compile the figure: ${(e as Error).message}`);
  }
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export function renderPng(
  svg: string,
  scale = 2,
): { png: Uint8Array; width: number; height: number } {
  const resvg = new Resvg(svg, {
    background: "white",
    fitTo: { mode: "zoom", value: scale },
    font: { fontFiles, loadSystemFonts: false, defaultFontFamily: "DejaVu Sans" },
  });
  const image = resvg.render();
  return { png: image.asPng(), width: image.width, height: image.height };
}

/** Writes <id>.svg, <id>.png (2×), <id>.csv and <id>.vl.json into dir. */
export async function writeFigure(
  fig: Figure,
  dir: string,
): Promise<{
  svg: string;
  png: string;
  csv: string;
  vegaLite: string;
  width: number;
  height: number;
}> {
  const spec = toVegaLite(fig);
  const svg = await renderSvg(spec);
  const png = renderPng(svg);
  const files = {
    svg: path.join(dir, `${fig.id}.svg`),
    png: path.join(dir, `${fig.id}.png`),
    csv: path.join(dir, `${fig.id}.csv`),
    vegaLite: path.join(dir, `${fig.id}.vl.json`),
  };
  writeFileAtomic(files.svg, svg);
  writeFileAtomic(files.png, png.png);
  writeFileAtomic(files.csv, figureCsv(fig));
  writeFileAtomic(files.vegaLite, `${JSON.stringify(spec, null, 1)}\n`);
  return { ...files, width: png.width, height: png.height };
}
