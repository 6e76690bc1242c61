import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Rng } from "../../src/core/random/rng.js";
import {
  NpyFormatError,
  parseNpy,
  readNpyFile,
  serializeNpy,
  writeNpyFile,
} from "../../src/io/npy.js";

const python = process.env.OVERPARAM_PYTHON ?? "python3";
const fixtures = path.resolve(__dirname, "../fixtures/npy");
const expected = JSON.parse(readFileSync(path.join(fixtures, "expected.json"), "utf8")) as Record<
  string,
  { shape: number[]; values: (number | string)[] }
>;
const toNumber = (v: number | string) =>
  typeof v === "number" ? v : v === "nan" ? Number.NaN : v === "inf" ? Infinity : -Infinity;

describe("npy", () => {
  for (const [name, want] of Object.entries(expected)) {
    it(`parseNpy reads numpy's ${name}.npy bit for bit`, () => {
      const arr = parseNpy(readFileSync(path.join(fixtures, `${name}.npy`)));
      expect(arr.shape).toEqual(want.shape);
      want.values.forEach((v, k) => {
        expect(Object.is(arr.data[k], toNumber(v))).toBe(true);
      });
    });
  }

  it.each([
    ["float32_2x2", "dtype '<f4' is not supported; expected float64"],
    ["int64_3", "dtype '<i8' is not supported; expected float64"],
    ["fortran_2x3", "Fortran order"],
    ["cube_2x2x2", "only 1-D and 2-D"],
  ])("parseNpy refuses %s with a message naming the problem", (name, message) => {
    expect(() => parseNpy(readFileSync(path.join(fixtures, `${name}.npy`)))).toThrow(
      NpyFormatError,
    );
    expect(() => parseNpy(readFileSync(path.join(fixtures, `${name}.npy`)))).toThrow(message);
  });

  it("serializeNpy writes the same bytes as numpy for the same array", () => {
    for (const name of ["matrix_3x4", "vector_5", "special"]) {
      const bytes = readFileSync(path.join(fixtures, `${name}.npy`));
      expect(Buffer.from(serializeNpy(parseNpy(bytes))).equals(bytes)).toBe(true);
    }
  });

  it("serializeNpy → parseNpy round-trips random shapes, including empty ones", () => {
    const rng = new Rng(5);
    for (const shape of [[0], [7], [1, 1], [3, 5], [0, 3], [64, 17]]) {
      const count = shape.reduce((a, b) => a * b, 1);
      const data = rng.fillNormal(new Float64Array(count));
      const back = parseNpy(serializeNpy({ shape, data }));
      expect(back.shape).toEqual(shape);
      expect(Array.from(back.data)).toEqual(Array.from(data));
    }
  });

  it("writeNpyFile output is read back exactly by numpy", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "overparam-npy-"));
    const file = path.join(dir, "w.npy");
    const data = Float64Array.from([0.1, -2, 1e-310, 3.5, Math.PI, -0]);
    await writeNpyFile(file, { shape: [2, 3], data });
    const out = execFileSync(python, [
      "-c",
      `import numpy as np; a = np.load(${JSON.stringify(file)}); print(a.shape, a.dtype, [float(x).hex() for x in a.ravel()])`,
    ]).toString();
    const hex = (x: number) =>
      execFileSync(python, [
        "-c",
        `print(float(${x === 0 && Object.is(x, -0) ? "-0.0" : x.toPrecision(17)}).hex())`,
      ])
        .toString()
        .trim();
    expect(out).toContain("(2, 3) float64");
    for (const x of data) expect(out).toContain(`'${hex(x)}'`);
  });

  it("readNpyFile on a missing path gives one line naming the file", async () => {
    await expect(readNpyFile("/nonexistent/x.npy")).rejects.toThrow(
      "cannot read /nonexistent/x.npy: no such file",
    );
  });
});
