import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Manifest } from "./manifest.js";

/**
 * Whether a run folder holds a finished run that can be reused as it is: null when it can,
 * otherwise why not. A folder is reused only when its manifest is complete (finished
 * completed or diverged, with an end time), was made from the same resolved spec and engine
 * (`specHash`), and metrics.csv is exactly the file the run wrote: its header is the
 * manifest's columns, it has `rowsRecorded` rows and its SHA-256 is the one recorded. A run
 * cut short, or a folder another process wrote into, fails one of these and is run again.
 */
export function unusableBecause(dir: string, specHash: string): string | null {
  const file = path.join(dir, "manifest.json");
  if (!existsSync(file)) return "no manifest.json";
  let m: Manifest;
  try {
    m = JSON.parse(readFileSync(file, "utf8")) as Manifest;
  } catch {
    return "manifest.json is not valid JSON";
  }
  if (m.specHash !== specHash) return "made from another spec or engine";
  if (m.status !== "completed" && m.status !== "diverged") return `status ${m.status}`;
  if (!m.endedAt) return "the manifest has no end time";
  const csvFile = path.join(dir, "metrics.csv");
  if (!existsSync(csvFile)) return "no metrics.csv";
  const bytes = readFileSync(csvFile);
  if (!m.metricsSha256 || createHash("sha256").update(bytes).digest("hex") !== m.metricsSha256)
    return "metrics.csv is not the file the run wrote (checksum)";
  const lines = bytes.toString("utf8").split("\n");
  if (lines.at(-1) === "") lines.pop();
  if (lines.length - 1 !== m.rowsRecorded)
    return `metrics.csv has ${lines.length - 1} rows, the manifest says ${m.rowsRecorded}`;
  if (m.columns && lines[0] !== m.columns.join(",")) return "metrics.csv has other columns";
  return null;
}
