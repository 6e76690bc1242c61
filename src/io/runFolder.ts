import { createHash, type Hash } from "node:crypto";
import { closeSync, fsyncSync, openSync, writeSync } from "node:fs";
import path from "node:path";
import { writeFileAtomic } from "./atomicWrite.js";
import { prepareOutputFolder } from "./outputFolder.js";
import { UserInputError } from "./specFile.js";

/** Formats a float64 so that numpy/pandas read back the identical value ("nan", "inf"). */
export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Number.POSITIVE_INFINITY) return "inf";
  if (x === Number.NEGATIVE_INFINITY) return "-inf";
  return String(x);
}

/**
 * One run's folder: manifest.json (rewritten atomically at start and end) and metrics.csv
 * (appended row by row with a synchronous write, so an interrupted or crashed run keeps every
 * row it recorded).
 */
export class RunFolder {
  private csv: number | null = null;
  private digest: Hash | null = null;
  private sha256: string | null = null;

  private constructor(readonly dir: string) {}

  /**
   * Creates (or reuses) dir. A folder that already holds a run (manifest.json) or anything else
   * is refused unless force, so earlier results are never overwritten by accident.
   */
  static create(dir: string, force: boolean): RunFolder {
    const entries = prepareOutputFolder(dir);
    if (entries.length > 0 && !force) {
      throw new UserInputError([
        `--out ${dir}: folder exists and is not empty; choose another folder or pass --force`,
      ]);
    }
    return new RunFolder(dir);
  }

  writeJson(name: string, value: unknown): void {
    const file = path.join(this.dir, name);
    writeFileAtomic(file, `${JSON.stringify(value, jsonReplacer, 2)}\n`);
  }

  openMetrics(columns: readonly string[]): void {
    this.csv = openSync(path.join(this.dir, "metrics.csv"), "w");
    this.digest = createHash("sha256");
    this.write(`${columns.join(",")}\n`);
  }

  appendRow(row: readonly number[]): void {
    if (this.csv === null) throw new Error("metrics.csv is not open");
    this.write(`${row.map(formatNumber).join(",")}\n`);
  }

  private write(text: string): void {
    writeSync(this.csv!, text);
    this.digest!.update(text);
  }

  close(): void {
    if (this.csv !== null) {
      const fd = this.csv;
      this.csv = null;
      this.sha256 = this.digest!.digest("hex");
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
  }

  /** SHA-256 of metrics.csv as written (after close), for verifying a folder before reuse. */
  get metricsSha256(): string | null {
    return this.sha256;
  }
}

/** JSON has no NaN/Infinity: write them as strings so the manifest stays valid JSON. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === "number" && !Number.isFinite(value)) return formatNumber(value);
  return value;
}
