import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { RunStatus } from "../core/experiment/run.js";
import type { SimulationResult, Weights } from "../engine.js";
import type { Manifest } from "./manifest.js";
import { readNpyFile } from "./npy.js";

/** A run folder read back: the same shape simulate returns, plus the manifest. */
export interface LoadedRun extends Omit<SimulationResult, "status"> {
  /** "running" when the folder's process has not finished it (or died before finishing). */
  status: RunStatus | "running";
  manifest: Manifest;
  dir: string;
}

/** "nan", "inf", "-inf" (how run folders write non-finite numbers) back to numbers. */
export function parseNumber(text: string): number {
  const t = text.trim();
  if (t === "nan") return Number.NaN;
  if (t === "inf") return Number.POSITIVE_INFINITY;
  if (t === "-inf") return Number.NEGATIVE_INFINITY;
  return t === "" ? Number.NaN : Number(t);
}

/** metrics.csv → header and columns. */
export function parseMetricsCsv(text: string): { header: string[]; columns: Float64Array[] } {
  const lines = text.split("\n").filter((l) => l.length > 0);
  if (lines.length === 0) return { header: [], columns: [] };
  const header = lines[0].split(",");
  const columns = header.map(() => new Float64Array(lines.length - 1));
  for (let r = 1; r < lines.length; r++) {
    const cells = lines[r].split(",");
    if (cells.length !== header.length)
      throw new Error(
        `metrics.csv line ${r + 1}: ${cells.length} values for ${header.length} columns`,
      );
    for (let k = 0; k < cells.length; k++) columns[k][r - 1] = parseNumber(cells[k]);
  }
  return { header, columns };
}

/**
 * Reads a run folder (manifest.json, metrics.csv and any weights_*.npy) back into the result
 * simulate returns. Throws one clear line when the folder is not a run folder.
 */
export async function loadRun(dir: string): Promise<LoadedRun> {
  const manifestFile = path.join(dir, "manifest.json");
  if (!existsSync(manifestFile)) throw new Error(`${dir}: not a run folder (no manifest.json)`);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as Manifest;
  } catch (e) {
    throw new Error(`${manifestFile}: not valid JSON (${(e as Error).message})`);
  }
  const csvFile = path.join(dir, "metrics.csv");
  const { header, columns } = existsSync(csvFile)
    ? parseMetricsCsv(readFileSync(csvFile, "utf8"))
    : { header: [] as string[], columns: [] as Float64Array[] };
  const index = (name: string) => header.indexOf(name);
  const metrics: Record<string, Float64Array> = {};
  const names = header.filter((h) => h !== "step" && h !== "time");
  for (const name of names) metrics[name] = columns[index(name)];
  const spec = manifest.spec;
  const weights = async (which: "initial" | "final"): Promise<Weights | null> => {
    const file = path.join(dir, `weights_${which}.npy`);
    if (!existsSync(file)) return null;
    const W = await readNpyFile(file);
    const outFile = path.join(dir, `output_weights_${which}.npy`);
    return {
      shape: [W.shape[0], W.shape[1] ?? 1],
      W: W.data,
      outputWeights: existsSync(outFile) ? (await readNpyFile(outFile)).data : null,
    };
  };
  const num = (v: unknown) => (typeof v === "string" ? parseNumber(v) : Number(v ?? Number.NaN));
  return {
    dir,
    manifest,
    spec,
    status: manifest.status,
    reason: manifest.reason ?? "",
    columns: names,
    steps: index("step") >= 0 ? columns[index("step")] : new Float64Array(0),
    times: index("time") >= 0 ? columns[index("time")] : new Float64Array(0),
    metrics,
    summary: manifest.summary ?? {},
    finalLoss: num(manifest.finalLoss),
    totalSteps: num(manifest.steps),
    time: num(manifest.time),
    finalWeights: await weights("final"),
    initialWeights: await weights("initial"),
    notes: manifest.notes ?? [],
  };
}
