import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  type NpyArray,
  NpyFormatError,
  parseNpy,
  readNpyFile,
  serializeNpy,
  writeNpyFile,
} from "../../src/io/npy.js";

/** python3 with numpy; `npm test` guarantees one (scripts/ensure-test-deps.mjs), so these tests never skip. */
const python = process.env.OVERPARAM_PYTHON ?? "python3";
const fixtures = path.resolve(__dirname, "../fixtures/npy");

/** Written by test/fixtures/npy/make_fixtures.py next to the .npy files it describes. */
interface Expected {
  arrays: Record<string, { shape: number[]; values: (number | string)[] }>;
  refused: Record<string, { dtype: string; shape: number[] }>;
}
const expected = JSON.parse(readFileSync(path.join(fixtures, "expected.json"), "utf8")) as Expected;

function jsonValue(v: number | string): number {
  if (typeof v === "number") return v;
  const special: Record<string, number> = { nan: Number.NaN, inf: Infinity, "-inf": -Infinity };
  if (!(v in special)) throw new Error(`unexpected value ${v} in expected.json`);
  return special[v];
}
const expectedArray = (name: string): NpyArray => {
  const want = expected.arrays[name];
  return { shape: want.shape, data: Float64Array.from(want.values, jsonValue) };
};
const fixture = (name: string) => new Uint8Array(readFileSync(path.join(fixtures, `${name}.npy`)));
const tmp = () => mkdtempSync(path.join(tmpdir(), "overparam-npy-"));

/** Element-by-element Object.is (so -0 ≠ 0 and NaN = NaN); returns the first mismatch. */
function firstMismatch(got: Float64Array, want: ArrayLike<number>): string | null {
  if (got.length !== want.length) return `length ${got.length} ≠ ${want.length}`;
  for (let k = 0; k < want.length; k++) {
    if (!Object.is(got[k], want[k])) return `[${k}]: ${got[k]} ≠ ${want[k]}`;
  }
  return null;
}

/** A .npy file with the given header text (padded to 64 unless raw) and data bytes. */
function npyBytes(
  header: string,
  data: Uint8Array = new Uint8Array(0),
  opts: { version?: number; raw?: boolean } = {},
): Uint8Array {
  const version = opts.version ?? 1;
  const prefix = version === 1 ? 10 : 12;
  let text = header;
  if (!opts.raw) text = `${header}${" ".repeat(63 - ((prefix + header.length) % 64))}\n`;
  const encoded = new TextEncoder().encode(text);
  const out = new Uint8Array(prefix + encoded.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, encoded.length, true);
  else view.setUint32(8, encoded.length, true);
  out.set(encoded, prefix);
  out.set(data, prefix + encoded.length);
  return out;
}
const f64le = (...values: number[]) => new Uint8Array(new Float64Array(values).buffer);

/** Deterministic float64s from random bit patterns: subnormals, NaNs, ±0, huge and tiny. */
function randomBits(count: number, seed: number): Float64Array {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
  const words = new Uint32Array(2 * count);
  for (let k = 0; k < words.length; k++) words[k] = next();
  return new Float64Array(words.buffer);
}

describe("parseNpy", () => {
  for (const name of Object.keys(expected.arrays)) {
    it(`parseNpy reads numpy's ${name}.npy with the shape and bit-identical values of expected.json`, () => {
      const want = expectedArray(name);
      const got = parseNpy(fixture(name));
      expect(got.shape).toEqual(want.shape);
      expect(got.data).toBeInstanceOf(Float64Array);
      expect(firstMismatch(got.data, want.data)).toBeNull();
    });
  }

  it("parseNpy has an expectation for every .npy fixture the script writes (read or refused)", () => {
    const files = readdirSync(fixtures)
      .filter((f) => f.endsWith(".npy"))
      .map((f) => f.slice(0, -4))
      .sort();
    const covered = [...Object.keys(expected.arrays), ...Object.keys(expected.refused)].sort();
    expect(files).toEqual(covered);
    expect(Object.keys(expected.refused).sort()).toEqual(
      ["cube_2x2x2", "float32_2x2", "fortran_2x3", "int64_3"].sort(),
    );
  });

  it("parseNpy reads the special values -0, 1e-300, 1e308, NaN and ±Infinity exactly", () => {
    const got = parseNpy(fixture("special")).data;
    expect(Object.is(got[0], -0)).toBe(true);
    expect(got[2]).toBe(1e-300);
    expect(got[3]).toBe(1e308);
    expect(got[4]).toBeNaN();
    expect(got[5]).toBe(Infinity);
    expect(got[6]).toBe(-Infinity);
    expect(got[7]).toBe(5e-324);
  });

  it("parseNpy reads a 0-d array as shape [] with one element", () => {
    const got = parseNpy(fixture("scalar"));
    expect(got.shape).toEqual([]);
    expect(Array.from(got.data)).toEqual([3.25]);
  });

  it("parseNpy reads big-endian '>f8' data by swapping bytes", () => {
    const got = parseNpy(fixture("big_endian_2x2"));
    expect(new TextDecoder().decode(fixture("big_endian_2x2").subarray(0, 128))).toContain(
      "'descr': '>f8'",
    );
    expect(Array.from(got.data)).toEqual([1, -2, 3e-310, 4.5]);
  });

  it("parseNpy reads format versions 2.0 and 3.0 as written by numpy", () => {
    expect(fixture("version2_2x3")[6]).toBe(2);
    expect(fixture("version3_3")[6]).toBe(3);
    expect(parseNpy(fixture("version2_2x3")).shape).toEqual([2, 3]);
    expect(parseNpy(fixture("version3_3")).data[0]).toBe(Math.PI);
  });

  it("parseNpy accepts '<f8', '|f8' and '=f8' as little-endian float64", () => {
    for (const descr of ["<f8", "|f8", "=f8"]) {
      const got = parseNpy(
        npyBytes(`{'descr': '${descr}', 'fortran_order': False, 'shape': (2,), }`, f64le(1.5, -3)),
      );
      expect(Array.from(got.data)).toEqual([1.5, -3]);
    }
  });

  it.each([
    [
      "double quotes, other key order, no trailing comma",
      `{"shape": (1, 2), "fortran_order": False, "descr": "<f8"}`,
      [1, 2],
    ],
    [
      "odd spacing and trailing commas",
      `{ 'descr' :'<f8' ,'fortran_order':False,'shape':( 2 , ) , }`,
      [2],
    ],
    [
      "tabs and newlines inside the dict",
      `{\n\t'descr': '<f8',\n\t'fortran_order': False,\n\t'shape': (1,\n 2),\n}`,
      [1, 2],
    ],
    [
      "Python 2 long integers",
      `{'descr': '<f8', 'fortran_order': False, 'shape': (1L, 2L), }`,
      [1, 2],
    ],
    ["an empty tuple for 0-d", `{'descr': '<f8', 'fortran_order': False, 'shape': (), }`, []],
    ["a list for the shape", `{'descr': '<f8', 'fortran_order': False, 'shape': [2], }`, [2]],
    ["an extra key", `{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'note': None}`, [2]],
  ])("parseNpy reads a header with %s", (_what, header, shape) => {
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    const data = f64le(...Array.from({ length: count }, (_, k) => k + 0.5));
    for (const version of [1, 2, 3]) {
      const got = parseNpy(npyBytes(header as string, data, { version }));
      expect(got.shape).toEqual(shape);
      expect(Array.from(got.data)).toEqual(Array.from({ length: count }, (_, k) => k + 0.5));
    }
    // Unpadded (not 64-aligned) headers are read too.
    expect(parseNpy(npyBytes(header as string, data, { raw: true })).shape).toEqual(shape);
  });

  it("parseNpy reads a 64-byte-aligned header from a Uint8Array that is a view into a larger buffer", () => {
    const file = fixture("matrix_3x4");
    const big = new Uint8Array(file.length + 3);
    big.set(file, 3);
    const got = parseNpy(big.subarray(3));
    expect(firstMismatch(got.data, expectedArray("matrix_3x4").data)).toBeNull();
  });

  it("parseNpy refuses float32 and int64 files with a message naming the dtype and float64", () => {
    for (const name of ["float32_2x2", "int64_3"]) {
      const dtype = expected.refused[name].dtype;
      expect(() => parseNpy(fixture(name))).toThrow(NpyFormatError);
      expect(() => parseNpy(fixture(name))).toThrow(
        `dtype '${dtype}' is not supported; expected float64 ('<f8')`,
      );
    }
  });

  it("parseNpy refuses other dtypes, structured dtypes included, naming what it found", () => {
    for (const [descr, shown] of [
      ["'<f4'", "'<f4'"],
      ["'>i8'", "'>i8'"],
      ["'<c16'", "'<c16'"],
      ["'<f16'", "'<f16'"],
      ["'f8'", "'f8'"],
      ["'|O'", "'|O'"],
      ["[('x', '<f8')]", "[('x', '<f8')]"],
    ]) {
      const bytes = npyBytes(
        `{'descr': ${descr}, 'fortran_order': False, 'shape': (1,), }`,
        f64le(1),
      );
      expect(() => parseNpy(bytes)).toThrow(NpyFormatError);
      expect(() => parseNpy(bytes)).toThrow(
        `dtype ${shown} is not supported; expected float64 ('<f8')`,
      );
    }
  });

  it("parseNpy refuses a Fortran-order file and says to save with np.ascontiguousarray", () => {
    expect(() => parseNpy(fixture("fortran_2x3"))).toThrow(NpyFormatError);
    expect(() => parseNpy(fixture("fortran_2x3"))).toThrow(/Fortran.*np\.ascontiguousarray/);
  });

  it("parseNpy refuses a 3-D array: only 1-D and 2-D arrays are supported", () => {
    expect(() => parseNpy(fixture("cube_2x2x2"))).toThrow(NpyFormatError);
    expect(() => parseNpy(fixture("cube_2x2x2"))).toThrow(
      "array has shape (2, 2, 2) (3 dimensions); only 1-D and 2-D arrays are supported",
    );
  });

  it("parseNpy refuses truncated data and trailing bytes, giving both byte counts", () => {
    const file = fixture("matrix_3x4");
    for (const cut of [1, 7, 8, 96]) {
      expect(() => parseNpy(file.subarray(0, file.length - cut))).toThrow(NpyFormatError);
      expect(() => parseNpy(file.subarray(0, file.length - cut))).toThrow(
        `truncated data: shape (3, 4) of float64 needs 96 data bytes, the file has ${96 - cut}`,
      );
    }
    const longer = new Uint8Array(file.length + 8);
    longer.set(file);
    expect(() => parseNpy(longer)).toThrow("unexpected trailing data");
    const scalar = fixture("scalar");
    expect(() => parseNpy(scalar.subarray(0, scalar.length - 8))).toThrow(
      "truncated data: shape () of float64 needs 8 data bytes, the file has 0",
    );
  });

  it("parseNpy refuses a file cut inside its header or prefix", () => {
    const file = fixture("vector_5");
    for (const keep of [6, 7, 9, 50, 127]) {
      expect(() => parseNpy(file.subarray(0, keep))).toThrow(NpyFormatError);
      expect(() => parseNpy(file.subarray(0, keep))).toThrow("truncated .npy file");
    }
  });

  it("parseNpy refuses bad magic bytes: empty input, text, a CSV", () => {
    const inputs = [
      new Uint8Array(0),
      new TextEncoder().encode("1,2,3\n4,5,6\n"),
      new TextEncoder().encode("NUMPY header"),
      fixture("vector_5").map((b, k) => (k === 0 ? 0x92 : b)),
    ];
    for (const bytes of inputs) {
      expect(() => parseNpy(bytes)).toThrow(NpyFormatError);
      expect(() => parseNpy(bytes)).toThrow("not a .npy file");
    }
  });

  it("parseNpy refuses unknown format versions", () => {
    for (const [major, minor] of [
      [4, 0],
      [1, 1],
      [0, 0],
    ]) {
      const bytes = fixture("vector_5").slice();
      bytes[6] = major;
      bytes[7] = minor;
      expect(() => parseNpy(bytes)).toThrow(`unsupported .npy format version ${major}.${minor}`);
    }
  });

  it.each([
    ["missing shape", `{'descr': '<f8', 'fortran_order': False}`, "the key 'shape' is missing"],
    ["missing descr", `{'fortran_order': False, 'shape': (1,)}`, "the key 'descr' is missing"],
    [
      "missing fortran_order",
      `{'descr': '<f8', 'shape': (1,)}`,
      "the key 'fortran_order' is missing",
    ],
    [
      "a parenthesized int for the shape",
      `{'descr': '<f8', 'fortran_order': False, 'shape': (1)}`,
      "'shape' must be a tuple of non-negative integers, found 1",
    ],
    [
      "a negative dimension",
      `{'descr': '<f8', 'fortran_order': False, 'shape': (-1,)}`,
      "found (-1,)",
    ],
    [
      "a float dimension",
      `{'descr': '<f8', 'fortran_order': False, 'shape': (1.0,)}`,
      "found (1.0,)",
    ],
    [
      "a string fortran_order",
      `{'descr': '<f8', 'fortran_order': 'no', 'shape': (1,)}`,
      "'fortran_order' must be True or False",
    ],
    ["not a dict", `('<f8', False, (1,))`, "expected a dict"],
    [
      "text after the dict",
      `{'descr': '<f8', 'fortran_order': False, 'shape': (1,)} x`,
      "unexpected text after the header dict",
    ],
    [
      "an unterminated string",
      `{'descr': '<f8, 'fortran_order': False, 'shape': (1,)}`,
      "malformed .npy header",
    ],
    [
      "a missing comma",
      `{'descr': '<f8' 'fortran_order': False, 'shape': (1,)}`,
      "expected ',' or '}'",
    ],
    [
      "an unknown name",
      `{'descr': '<f8', 'fortran_order': false, 'shape': (1,)}`,
      "unexpected name 'false'",
    ],
    [
      "an unclosed dict",
      `{'descr': '<f8', 'fortran_order': False, 'shape': (1,)`,
      "malformed .npy header",
    ],
  ])("parseNpy refuses a header with %s", (_what, header, message) => {
    const bytes = npyBytes(header, f64le(1));
    expect(() => parseNpy(bytes)).toThrow(NpyFormatError);
    expect(() => parseNpy(bytes)).toThrow(message);
  });

  it("parseNpy error messages are a single line", () => {
    const bad = [
      fixture("float32_2x2"),
      fixture("fortran_2x3"),
      fixture("cube_2x2x2"),
      npyBytes(`{'descr': '<f8',\n 'fortran_order': False,\n 'shape': (1,)\n} x`, f64le(1)),
      npyBytes(`{'descr': '<f8\n', 'fortran_order': False, 'shape': (1,)}`, f64le(1)),
    ];
    for (const bytes of bad) {
      try {
        parseNpy(bytes);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(NpyFormatError);
        expect((e as Error).message).not.toContain("\n");
      }
    }
  });
});

describe("serializeNpy", () => {
  const refs = Object.keys(expected.arrays).filter((n) => n.startsWith("roundtrip_ref_"));

  it("serializeNpy writes byte for byte what np.save writes for the same arrays", () => {
    expect(refs.length).toBeGreaterThanOrEqual(10);
    for (const name of refs) {
      const ours = serializeNpy(expectedArray(name));
      const numpys = fixture(name);
      expect(Buffer.from(ours).equals(Buffer.from(numpys)), name).toBe(true);
    }
  });

  it("serializeNpy writes version 1.0, '<f8', C order and a header whose prefix is a multiple of 64 bytes", () => {
    for (const shape of [[], [0], [5], [3, 4], [123456789, 0], [0, 9007199254740991]]) {
      const count = shape.reduce((a, b) => a * b, 1);
      const bytes = serializeNpy({ shape, data: new Float64Array(count) });
      const headerLength = bytes[8] + 256 * bytes[9];
      expect(bytes[6]).toBe(1);
      expect(bytes[7]).toBe(0);
      expect((10 + headerLength) % 64).toBe(0);
      expect(bytes.length).toBe(10 + headerLength + 8 * count);
      const header = new TextDecoder().decode(bytes.subarray(10, 10 + headerLength));
      expect(header.endsWith(" \n")).toBe(true);
      const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
      expect(header).toMatch(
        new RegExp(
          `^\\{'descr': '<f8', 'fortran_order': False, 'shape': ${shapeText.replace(/[()]/g, "\\$&")}, \\} +\\n$`,
        ),
      );
    }
  });

  it("serializeNpy → parseNpy round-trips random bit patterns for random shapes, empty ones included", () => {
    const shapes = [[], [0], [1], [7], [1, 1], [0, 3], [3, 0], [0, 0], [3, 5], [64, 17], [1000]];
    let seed = 11;
    for (let t = 0; t < 20; t++) shapes.push([1 + ((t * 7919) % 13), (t * 104729) % 9]);
    for (const shape of shapes) {
      const count = shape.reduce((a, b) => a * b, 1);
      const data = randomBits(count, seed++);
      data.set([-0, Number.NaN, Infinity, -Infinity, 5e-324].slice(0, count));
      const back = parseNpy(serializeNpy({ shape, data }));
      expect(back.shape).toEqual(shape);
      expect(firstMismatch(back.data, data)).toBeNull();
    }
  });

  it("serializeNpy writes only the elements of a Float64Array that is a view into a larger buffer", () => {
    const whole = Float64Array.from({ length: 20 }, (_, k) => k);
    const view = whole.subarray(5, 11);
    const back = parseNpy(serializeNpy({ shape: [2, 3], data: view }));
    expect(Array.from(back.data)).toEqual([5, 6, 7, 8, 9, 10]);
  });

  it("serializeNpy refuses data whose length is not the product of the shape", () => {
    expect(() => serializeNpy({ shape: [3, 4], data: new Float64Array(11) })).toThrow(
      "data has 11 values; shape (3, 4) needs 12",
    );
    expect(() => serializeNpy({ shape: [], data: new Float64Array(0) })).toThrow(
      "data has 0 values; shape () needs 1",
    );
    expect(() => serializeNpy({ shape: [0, 3], data: new Float64Array(3) })).toThrow(
      NpyFormatError,
    );
  });

  it("serializeNpy refuses 3-D shapes and dimensions that are not non-negative integers", () => {
    expect(() => serializeNpy({ shape: [2, 2, 2], data: new Float64Array(8) })).toThrow(
      "only 1-D and 2-D arrays are supported",
    );
    for (const shape of [[-1], [1.5], [Number.NaN], [Infinity]]) {
      expect(() => serializeNpy({ shape, data: new Float64Array(1) })).toThrow(NpyFormatError);
    }
  });
});

describe("npy files", () => {
  it("writeNpyFile output is loaded by numpy with the same shape, dtype and bits", async () => {
    const dir = tmp();
    const arrays: Record<string, NpyArray> = {
      matrix: {
        shape: [2, 3],
        data: Float64Array.from([0.1, -2, 1e-310, 3.5, Math.PI, -0]),
      },
      vector: { shape: [4], data: Float64Array.from([Number.NaN, Infinity, -Infinity, 1e308]) },
      scalar: { shape: [], data: Float64Array.from([-2.5]) },
      empty: { shape: [0, 3], data: new Float64Array(0) },
      random: { shape: [17, 5], data: randomBits(85, 99) },
    };
    for (const [name, arr] of Object.entries(arrays)) {
      await writeNpyFile(path.join(dir, `${name}.npy`), arr);
    }
    const script = [
      "import json, sys, numpy as np",
      "out = {}",
      "for name in sys.argv[2:]:",
      "    a = np.load(sys.argv[1] + '/' + name + '.npy', allow_pickle=False)",
      "    out[name] = {'shape': list(a.shape), 'dtype': a.dtype.str, 'c': bool(a.flags.c_contiguous),",
      "                 'hex': a.astype('<f8').tobytes(order='C').hex()}",
      "print(json.dumps(out))",
    ].join("\n");
    const loaded = JSON.parse(
      execFileSync(python, ["-c", script, dir, ...Object.keys(arrays)], { encoding: "utf8" }),
    ) as Record<string, { shape: number[]; dtype: string; c: boolean; hex: string }>;
    for (const [name, arr] of Object.entries(arrays)) {
      const bits = Buffer.from(arr.data.buffer, arr.data.byteOffset, arr.data.byteLength);
      expect(loaded[name], name).toEqual({
        shape: arr.shape,
        dtype: "<f8",
        c: true,
        hex: bits.toString("hex"),
      });
    }
    expect(readdirSync(dir).sort()).toEqual(
      Object.keys(arrays)
        .map((n) => `${n}.npy`)
        .sort(),
    );
  });

  it("readNpyFile reads back what numpy saves in a script run now", async () => {
    const dir = tmp();
    const file = path.join(dir, "from_numpy.npy");
    execFileSync(python, [
      "-c",
      "import sys, numpy as np; np.save(sys.argv[1], np.arange(6, dtype=np.float64).reshape(3, 2) / 3 - 1)",
      file,
    ]);
    const got = await readNpyFile(file);
    expect(got.shape).toEqual([3, 2]);
    expect(
      firstMismatch(
        got.data,
        [0, 1, 2, 3, 4, 5].map((k) => k / 3 - 1),
      ),
    ).toBeNull();
  });

  it("writeNpyFile then readNpyFile round-trips, replacing an existing file and leaving no temporary files", async () => {
    const dir = tmp();
    const file = path.join(dir, "w.npy");
    writeFileSync(file, "old contents");
    const arr = { shape: [3, 2], data: randomBits(6, 3) };
    await writeNpyFile(file, arr);
    const back = await readNpyFile(file);
    expect(back.shape).toEqual([3, 2]);
    expect(firstMismatch(back.data, arr.data)).toBeNull();
    expect(readdirSync(dir)).toEqual(["w.npy"]);
  });

  it("writeNpyFile with an invalid array throws and writes nothing", async () => {
    const dir = tmp();
    await expect(
      writeNpyFile(path.join(dir, "bad.npy"), { shape: [2, 2], data: new Float64Array(3) }),
    ).rejects.toThrow(NpyFormatError);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("writeNpyFile into a missing folder gives one line naming the file and leaves nothing behind", async () => {
    const dir = tmp();
    const file = path.join(dir, "absent", "w.npy");
    await expect(writeNpyFile(file, { shape: [1], data: new Float64Array(1) })).rejects.toThrow(
      `cannot write ${file}: no such folder`,
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  it("readNpyFile on a missing path gives the one-line message `cannot read <path>: no such file`", async () => {
    const file = path.join(tmp(), "nothere.npy");
    const error = await readNpyFile(file).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error?.message).toBe(`cannot read ${file}: no such file`);
  });

  it("readNpyFile on a folder says it is a directory", async () => {
    const dir = tmp();
    mkdirSync(path.join(dir, "sub.npy"));
    await expect(readNpyFile(path.join(dir, "sub.npy"))).rejects.toThrow(
      `cannot read ${path.join(dir, "sub.npy")}: is a directory`,
    );
  });

  it("readNpyFile prefixes format errors with the path and keeps them NpyFormatErrors", async () => {
    const file = path.join(fixtures, "float32_2x2.npy");
    const error = await readNpyFile(file).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(NpyFormatError);
    expect(error?.message).toBe(
      `${file}: dtype '<f4' is not supported; expected float64 ('<f8'): save with np.save(path, arr.astype(np.float64))`,
    );
  });

  it("readNpyFile reads every accepted fixture the same as parseNpy", async () => {
    for (const name of Object.keys(expected.arrays)) {
      const got = await readNpyFile(path.join(fixtures, `${name}.npy`));
      expect(got.shape).toEqual(expected.arrays[name].shape);
      expect(firstMismatch(got.data, expectedArray(name).data), name).toBeNull();
    }
  });

  it("parseNpy and serializeNpy come from a module with no imports, so they run in a browser", () => {
    const source = readFileSync(path.resolve(__dirname, "../../src/io/npyFormat.ts"), "utf8");
    expect(source).not.toMatch(/^\s*import\s/m);
    expect(source).not.toMatch(/\brequire\(|\bprocess\.|\bBuffer\b/);
  });
});
