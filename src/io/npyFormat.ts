/**
 * numpy's .npy format (NEP 1; `numpy.lib.format`), restricted to what overparam exchanges:
 * float64 arrays with 0, 1 or 2 dimensions in C (row-major) order.
 *
 * Pure — only Uint8Array, DataView and TextEncoder/TextDecoder — so a browser front end can
 * read and write the same files as the CLI.
 *
 * File layout:
 *   bytes 0-5   magic "\x93NUMPY"
 *   bytes 6-7   format version major, minor: 1.0, 2.0 or 3.0
 *   then        header length: little-endian uint16 (1.0) or uint32 (2.0, 3.0)
 *   then        the header: a Python dict literal such as
 *               {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }
 *               (latin-1 text for 1.0 and 2.0, UTF-8 for 3.0), padded with spaces and ended
 *               by '\n' so that the data starts at a multiple of 64 bytes
 *   then        the raw elements, product(shape) of them, in C order.
 */

/**
 * A float64 array in C order. `data.length` is the product of `shape`.
 * A 0-d array (numpy shape `()`, e.g. `np.save(f, np.float64(2.5))`) has `shape: []` and one
 * element in `data`.
 */
export interface NpyArray {
  shape: number[];
  data: Float64Array;
}

/** A file or array that is not a float64 .npy array overparam can use; the message says why. */
export class NpyFormatError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "NpyFormatError";
  }
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
const ALIGN = 64;
/** numpy leaves room in the header for the first axis to grow to this many digits. */
const GROWTH_AXIS_MAX_DIGITS = 21;
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Descriptors accepted as float64, and whether the data are little-endian. */
const FLOAT64_DESCRS = new Map<string, boolean>([
  ["<f8", true],
  ["=f8", HOST_LITTLE_ENDIAN], // native order
  ["|f8", HOST_LITTLE_ENDIAN], // "byte order not applicable"; numpy never writes it for f8: native
  [">f8", false],
]);

// ---------------------------------------------------------------------------------------------
// Reading

/**
 * Parses the bytes of a .npy file (format 1.0, 2.0 or 3.0) holding a float64 array of 0, 1 or 2
 * dimensions in C order. Little-endian ('<f8', '|f8', '=f8') and big-endian ('>f8') data are
 * accepted; anything else — another dtype, Fortran order, more dimensions, a truncated file —
 * throws an NpyFormatError whose message says what was found. Nothing is converted silently.
 */
export function parseNpy(bytes: Uint8Array): NpyArray {
  const header = parseNpyHeader(bytes);
  const { shape, dataStart, littleEndian } = header;
  checkNpyDataLength(header, bytes.length - dataStart);
  const count = product(shape);
  const need = count * 8;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const data = new Float64Array(count);
  if (littleEndian === HOST_LITTLE_ENDIAN) {
    // Same byte order as this machine: a straight byte copy (also realigns the data).
    new Uint8Array(data.buffer).set(bytes.subarray(dataStart, dataStart + need));
  } else {
    for (let k = 0; k < count; k++) data[k] = view.getFloat64(dataStart + 8 * k, littleEndian);
  }
  return { shape, data };
}

/** What the header of a float64 .npy file declares: where the data start, the shape, byte order. */
export interface NpyHeader {
  /** Offset of the first data byte (prefix + header length). */
  dataStart: number;
  shape: number[];
  littleEndian: boolean;
  /** The number of data bytes the shape needs: 8 per element. */
  dataBytes: number;
}

/**
 * Reads and checks the prefix and header of a .npy file from its first bytes (at least up to
 * the end of the header; the data may be missing). Throws NpyFormatError like parseNpy for a
 * bad magic, version, header, dtype, order or number of dimensions. A reader can so learn the
 * declared size of the data before reading it.
 */
export function parseNpyHeader(bytes: Uint8Array): NpyHeader {
  if (bytes.length < MAGIC.length || MAGIC.some((b, k) => bytes[k] !== b)) {
    throw new NpyFormatError('not a .npy file (it does not start with the magic "\\x93NUMPY")');
  }
  if (bytes.length < 8) throw new NpyFormatError("truncated .npy file: no format version");
  const major = bytes[6];
  const minor = bytes[7];
  if (!((major === 1 || major === 2 || major === 3) && minor === 0)) {
    throw new NpyFormatError(
      `unsupported .npy format version ${major}.${minor} (expected 1.0, 2.0 or 3.0)`,
    );
  }
  const headerStart = 8 + npyLengthBytes(major);
  if (bytes.length < headerStart) {
    throw new NpyFormatError("truncated .npy file: the header length is missing");
  }
  const headerLength = npyHeaderLength(bytes);
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length) {
    throw new NpyFormatError(
      `truncated .npy file: the header should be ${headerLength} bytes, the file ends after ${bytes.length - headerStart}`,
    );
  }
  const headerBytes = bytes.subarray(headerStart, dataStart);
  const header = decodeHeader(headerBytes, major === 3);
  const { descr, fortranOrder, shape } = readHeaderDict(header);

  const littleEndian = descr.kind === "str" ? FLOAT64_DESCRS.get(descr.value) : undefined;
  if (littleEndian === undefined) {
    throw new NpyFormatError(
      `dtype ${pyRepr(descr)} is not supported; expected float64 ('<f8'): save with np.save(path, arr.astype(np.float64))`,
    );
  }
  if (fortranOrder) {
    throw new NpyFormatError(
      "array is stored in Fortran (column-major) order; save it with np.save(path, np.ascontiguousarray(arr))",
    );
  }
  if (shape.length > 2) {
    throw new NpyFormatError(
      `array has shape ${shapeText(shape)} (${shape.length} dimensions); only 1-D and 2-D arrays are supported`,
    );
  }
  return { dataStart, shape, littleEndian, dataBytes: product(shape) * 8 };
}

/**
 * The byte count of the header that follows the prefix, from the first 10 (format 1.0) or 12
 * (2.0, 3.0) bytes; the data start at 10 or 12 plus this. Assumes a valid magic and version.
 */
export function npyHeaderLength(prefix: Uint8Array): number {
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  return prefix[6] === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
}

function npyLengthBytes(major: number): number {
  return major === 1 ? 2 : 4;
}

/** Throws NpyFormatError unless `have` data bytes are exactly what the header declares. */
export function checkNpyDataLength(header: NpyHeader, have: number): void {
  const need = header.dataBytes;
  if (!Number.isSafeInteger(need) || have !== need) {
    const what = have < need ? "truncated data" : "unexpected trailing data";
    throw new NpyFormatError(
      `${what}: shape ${shapeText(header.shape)} of float64 needs ${need} data bytes, the file has ${have}`,
    );
  }
}

function decodeHeader(headerBytes: Uint8Array, utf8: boolean): string {
  if (utf8) {
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(headerBytes);
    } catch (e) {
      throw new NpyFormatError("malformed .npy header: not valid UTF-8", { cause: e });
    }
  }
  // Versions 1.0 and 2.0 are latin-1 (each byte one code point). TextDecoder("latin1") would be
  // windows-1252 under the WHATWG Encoding standard, so decode by hand.
  let text = "";
  for (let k = 0; k < headerBytes.length; k++) text += String.fromCharCode(headerBytes[k]);
  return text;
}

interface HeaderFields {
  descr: PyValue;
  fortranOrder: boolean;
  shape: number[];
}

/** Reads 'descr', 'fortran_order' and 'shape' from the header dict; other keys are ignored. */
function readHeaderDict(header: string): HeaderFields {
  const parsed = parsePyLiteral(header);
  if (parsed.kind !== "dict") {
    throw new NpyFormatError(`malformed .npy header: expected a dict, found ${pyRepr(parsed)}`);
  }
  const field = (key: string): PyValue => {
    const value = parsed.entries.get(key);
    if (value === undefined) {
      throw new NpyFormatError(`malformed .npy header: the key '${key}' is missing`);
    }
    return value;
  };
  const descr = field("descr");
  const fortran = field("fortran_order");
  if (fortran.kind !== "bool") {
    throw new NpyFormatError(
      `malformed .npy header: 'fortran_order' must be True or False, found ${pyRepr(fortran)}`,
    );
  }
  const shapeValue = field("shape");
  const shape: number[] = [];
  const badShape = () =>
    new NpyFormatError(
      `malformed .npy header: 'shape' must be a tuple of non-negative integers, found ${pyRepr(shapeValue)}`,
    );
  if (shapeValue.kind !== "tuple" && shapeValue.kind !== "list") throw badShape();
  for (const item of shapeValue.items) {
    if (item.kind !== "int" || item.value < 0 || !Number.isSafeInteger(item.value)) {
      throw badShape();
    }
    shape.push(item.value);
  }
  return { descr, fortranOrder: fortran.value, shape };
}

// ---------------------------------------------------------------------------------------------
// A reader for the Python literals that appear in .npy headers: dicts, tuples, lists, strings,
// integers (with the Python 2 'L' suffix older numpy wrote), floats, True/False/None.

type PyValue =
  | { kind: "str"; value: string }
  | { kind: "int"; value: number }
  | { kind: "float"; text: string }
  | { kind: "bool"; value: boolean }
  | { kind: "none" }
  | { kind: "tuple"; items: PyValue[] }
  | { kind: "list"; items: PyValue[] }
  | { kind: "dict"; entries: Map<string, PyValue>; reprs: string[] };

function parsePyLiteral(text: string): PyValue {
  let pos = 0;
  const fail = (what: string): never => {
    const near = JSON.stringify(text.slice(pos, pos + 20));
    throw new NpyFormatError(`malformed .npy header: ${what} at offset ${pos} (near ${near})`);
  };
  const skipSpace = () => {
    while (pos < text.length && /\s/.test(text[pos])) pos++;
  };
  const expectChar = (c: string) => {
    skipSpace();
    if (text[pos] !== c) fail(`expected '${c}'`);
    pos++;
  };

  const parseString = (): PyValue => {
    const quote = text[pos++];
    let value = "";
    while (pos < text.length && text[pos] !== quote) {
      let c = text[pos++];
      if (c === "\\") {
        if (pos >= text.length) break;
        const e = text[pos++];
        c = e === "n" ? "\n" : e === "t" ? "\t" : e === "r" ? "\r" : e === "0" ? "\0" : e;
      } else if (c === "\n") {
        fail("unterminated string");
      }
      value += c;
    }
    if (pos >= text.length) fail("unterminated string");
    pos++;
    return { kind: "str", value };
  };

  const parseNumber = (): PyValue => {
    const m = /^[+-]?\d+[lL]?(?![\w.])/.exec(text.slice(pos));
    if (m) {
      pos += m[0].length;
      return { kind: "int", value: Number(m[0].replace(/[lL]$/, "")) };
    }
    const f = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?(?![\w.])/.exec(text.slice(pos));
    if (!f) fail("malformed number");
    pos += f![0].length;
    return { kind: "float", text: f![0] };
  };

  // Items up to `close`, separated by commas, an optional trailing comma.
  const parseItems = (close: string, item: () => void): number => {
    let n = 0;
    for (;;) {
      skipSpace();
      if (text[pos] === close) {
        pos++;
        return n;
      }
      item();
      n++;
      skipSpace();
      if (text[pos] === ",") {
        pos++;
      } else if (text[pos] !== close) {
        fail(`expected ',' or '${close}'`);
      }
    }
  };

  const parseValue = (): PyValue => {
    skipSpace();
    const c = text[pos];
    if (c === undefined) return fail("unexpected end");
    if (c === "'" || c === '"') return parseString();
    if (/[-+\d.]/.test(c)) return parseNumber();
    if (c === "{") {
      pos++;
      const entries = new Map<string, PyValue>();
      const reprs: string[] = [];
      parseItems("}", () => {
        const key = parseValue();
        if (key.kind !== "str") fail("dict keys must be strings");
        expectChar(":");
        const value = parseValue();
        entries.set((key as { value: string }).value, value); // last one wins, as in Python
        reprs.push(`${pyRepr(key)}: ${pyRepr(value)}`);
      });
      return { kind: "dict", entries, reprs };
    }
    if (c === "(" || c === "[") {
      pos++;
      const items: PyValue[] = [];
      let trailingComma = false;
      const close = c === "(" ? ")" : "]";
      parseItems(close, () => {
        items.push(parseValue());
        skipSpace();
        trailingComma = text[pos] === ",";
      });
      if (c === "[") return { kind: "list", items };
      // (x) is just x in Python; (x,) and (x, y) are tuples.
      if (items.length === 1 && !trailingComma) return items[0];
      return { kind: "tuple", items };
    }
    const word = /^[A-Za-z_]\w*/.exec(text.slice(pos))?.[0];
    if (word === "True" || word === "False") {
      pos += word.length;
      return { kind: "bool", value: word === "True" };
    }
    if (word === "None") {
      pos += word.length;
      return { kind: "none" };
    }
    return fail(word ? `unexpected name '${word}'` : `unexpected character '${c}'`);
  };

  const value = parseValue();
  skipSpace();
  if (pos < text.length) fail("unexpected text after the header dict");
  return value;
}

/** Python's repr of a header value, for error messages. */
function pyRepr(v: PyValue): string {
  switch (v.kind) {
    case "str":
      return `'${v.value.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n")}'`;
    case "int":
      return String(v.value);
    case "float":
      return v.text;
    case "bool":
      return v.value ? "True" : "False";
    case "none":
      return "None";
    case "list":
      return `[${v.items.map(pyRepr).join(", ")}]`;
    case "tuple":
      return v.items.length === 1
        ? `(${pyRepr(v.items[0])},)`
        : `(${v.items.map(pyRepr).join(", ")})`;
    case "dict":
      return `{${v.reprs.join(", ")}}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Writing

/**
 * The bytes numpy's `np.save` writes for this array: format 1.0 (2.0 only if the header would
 * exceed 65535 bytes), descr '<f8', fortran_order False, the shape as a Python tuple, the header
 * padded with spaces and a final '\n' to a multiple of 64 bytes, then the data little-endian.
 * Throws NpyFormatError if the shape is not 0-, 1- or 2-D non-negative integers or if
 * `data.length` is not the product of the shape.
 */
export function serializeNpy(array: NpyArray): Uint8Array {
  const { shape, data } = array;
  if (!Array.isArray(shape) || !shape.every((s) => Number.isSafeInteger(s) && s >= 0)) {
    throw new NpyFormatError(`shape [${String(shape)}] is not a list of non-negative integers`);
  }
  if (shape.length > 2) {
    throw new NpyFormatError(
      `shape ${shapeText(shape)} has ${shape.length} dimensions; only 1-D and 2-D arrays are supported`,
    );
  }
  if (!(data instanceof Float64Array)) {
    throw new NpyFormatError("data must be a Float64Array");
  }
  const count = product(shape);
  if (data.length !== count) {
    throw new NpyFormatError(
      `data has ${data.length} values; shape ${shapeText(shape)} needs ${count}`,
    );
  }

  // numpy: the dict with keys in sorted order, then room for the first axis to grow, then
  // spaces so that magic + version + length + header + '\n' is a multiple of 64 (at least one
  // space, hence a whole extra 64 when it is already aligned), then '\n'.
  let dict = `{'descr': '<f8', 'fortran_order': False, 'shape': ${shapeText(shape)}, }`;
  if (shape.length > 0) {
    dict += " ".repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length));
  }
  let version = 1;
  let header = padHeader(dict, 10);
  if (header.length > 0xffff) {
    version = 2;
    header = padHeader(dict, 12);
  }
  const prefixLength = version === 1 ? 10 : 12;
  const dataStart = prefixLength + header.length;
  const out = new Uint8Array(dataStart + 8 * count);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  out.set(new TextEncoder().encode(header), prefixLength); // ASCII: one byte per character

  if (HOST_LITTLE_ENDIAN) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), dataStart);
  } else {
    for (let k = 0; k < count; k++) view.setFloat64(dataStart + 8 * k, data[k], true);
  }
  return out;
}

function padHeader(dict: string, prefixLength: number): string {
  const padding = ALIGN - ((prefixLength + dict.length + 1) % ALIGN);
  return `${dict}${" ".repeat(padding)}\n`;
}

// ---------------------------------------------------------------------------------------------

/** The shape as Python prints a tuple: (), (5,), (3, 4). */
function shapeText(shape: number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
}

function product(shape: number[]): number {
  return shape.reduce((p, s) => p * s, 1);
}
