import { execFileSync } from "node:child_process";
import { existsSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readNpyFile } from "../../src/io/npy.js";
import { NpyFormatError, parseNpyHeader, serializeNpy } from "../../src/io/npyFormat.js";
import { baseSpec, cli, cliLimited, tmp, writeSpec } from "./cli.js";

// Issue 12 item 4: the contents of .npy files were not checked (NaN/Inf and 0-row arrays ran),
// a FIFO hung and a symlink to /dev/zero was read until memory ran out.

function npy(dir: string, name: string, shape: number[], values: number[]): string {
  writeFileSync(path.join(dir, name), serializeNpy({ shape, data: Float64Array.from(values) }));
  return name;
}

function fileSpec(weights: string): Record<string, unknown> {
  return { ...baseSpec(), student: { width: 2, init: { kind: "file", weights } } };
}

describe(".npy contents", () => {
  it("overparam run refuses NaN/Inf in init weights, labels and teacher arrays, naming the file and the first bad index", () => {
    const dir = tmp();
    const w = npy(dir, "w.npy", [2, 4], [0, 1, 2, 3, 4, 5, Number.NaN, Number.NaN]);
    const v = npy(dir, "v.npy", [1, 4], [1, 0, Number.POSITIVE_INFINITY, 0]);
    const b = npy(dir, "b.npy", [1], [Number.NaN]);
    const x = npy(dir, "x.npy", [3, 4], new Array(12).fill(0.5));
    const y = npy(dir, "y.npy", [3], [1, 2, Number.NEGATIVE_INFINITY]);
    const file = writeSpec(dir, "spec.json", {
      ...fileSpec(w),
      teacher: { kind: "explicit", neurons: v, outputWeights: b },
      loss: { kind: "empirical", train: { inputs: x, labels: y } },
    });
    const out = path.join(dir, "out");
    const r = cli(["run", file, "--out", out, "--quiet"]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.errors.sort()).toEqual(
      [
        "teacher.neurons: v.npy has Infinity at [0, 2]; every entry must be a finite number",
        "teacher.outputWeights: b.npy has NaN at [0]; every entry must be a finite number",
        "student.init.weights: w.npy has NaN at [1, 2]; every entry must be a finite number",
        "loss.train.labels: y.npy has -Infinity at [2]; every entry must be a finite number",
      ].sort(),
    );
    expect(existsSync(out)).toBe(false);
  });

  it("overparam run refuses 0-row teacher, input and label arrays", () => {
    const dir = tmp();
    const v = npy(dir, "v0.npy", [0, 4], []);
    const x = npy(dir, "x0.npy", [0, 4], []);
    const y = npy(dir, "y0.npy", [0], []);
    const file = writeSpec(dir, "spec.json", {
      ...baseSpec(),
      teacher: { kind: "explicit", neurons: v },
      loss: { kind: "empirical", train: { inputs: x, labels: y } },
    });
    const out = path.join(dir, "out");
    const r = cli(["run", file, "--out", out, "--quiet"]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.errors).toEqual([
      "teacher.neurons: v0.npy has no rows (shape (0, 4)); at least one is needed",
      "loss.train.inputs: x0.npy has no rows (shape (0, 4)); at least one is needed",
      "loss.train.labels: y0.npy has no entries (shape (0,)); at least one is needed",
    ]);
    expect(existsSync(out)).toBe(false);
  });

  it("overparam run refuses a FIFO named as a .npy file instead of waiting for it forever", () => {
    const dir = tmp();
    execFileSync("mkfifo", [path.join(dir, "pipe.npy")]);
    const file = writeSpec(dir, "spec.json", fileSpec("pipe.npy"));
    const out = path.join(dir, "out");
    const r = cli(["run", file, "--out", out, "--quiet"], { timeoutMs: 20_000 });
    expect(r.code, r.stderr).toBe(2);
    expect(r.errors).toEqual([
      `student.init.weights: cannot read ${path.join(dir, "pipe.npy")}: is a FIFO (named pipe), not a regular file`,
    ]);
    expect(existsSync(out)).toBe(false);
  });

  it("overparam run refuses a symlink to /dev/zero without reading it", () => {
    const dir = tmp();
    symlinkSync("/dev/zero", path.join(dir, "zero.npy"));
    const file = writeSpec(dir, "spec.json", fileSpec("zero.npy"));
    const out = path.join(dir, "out");
    // a reader that reads on would hit the memory limit instead of taking the machine's memory
    const r = cliLimited(["run", file, "--out", out, "--quiet"], 8_000_000);
    expect(r.code, r.stderr).toBe(2);
    expect(r.errors).toEqual([
      `student.init.weights: cannot read ${path.join(dir, "zero.npy")}: is a character device, not a regular file`,
    ]);
    expect(existsSync(out)).toBe(false);
  });

  it("readNpyFile follows a symlink to a regular file", async () => {
    const dir = tmp();
    npy(dir, "real.npy", [2], [1, 2]);
    symlinkSync(path.join(dir, "real.npy"), path.join(dir, "link.npy"));
    const a = await readNpyFile(path.join(dir, "link.npy"));
    expect(a.shape).toEqual([2]);
    expect([...a.data]).toEqual([1, 2]);
  });

  it("readNpyFile compares the size the header declares with the file size before reading the data", async () => {
    const dir = tmp();
    const file = path.join(dir, "big.npy");
    writeFileSync(file, serializeNpy({ shape: [10], data: new Float64Array(10) }));
    truncateSync(file, 5 * 2 ** 30); // sparse: 5 GiB on paper, too big to read into one buffer
    const error = await readNpyFile(file).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(NpyFormatError);
    expect(error?.message).toMatch(
      new RegExp(
        `^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: unexpected trailing data: shape \\(10,\\) of float64 needs 80 data bytes, the file has \\d+$`,
      ),
    );
  });

  it("parseNpyHeader reads the declared shape from the header alone", () => {
    const bytes = serializeNpy({ shape: [3, 2], data: new Float64Array(6) });
    const header = parseNpyHeader(bytes.subarray(0, 128));
    expect(header).toEqual({ dataStart: 128, shape: [3, 2], littleEndian: true, dataBytes: 48 });
    expect(() => parseNpyHeader(bytes.subarray(0, 100))).toThrow(
      /truncated .npy file: the header should be/,
    );
  });
});
