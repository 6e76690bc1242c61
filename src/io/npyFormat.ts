/**
 * numpy's .npy format (NEP 1; numpy.lib.format), float64 only, 1-D and 2-D, C order.
 * Pure (Uint8Array/DataView), so the browser lab can read and write the same files.
 *
 * Layout: magic "\x93NUMPY", major, minor version bytes, header length (uint16 LE for 1.0,
 * uint32 LE for 2.0/3.0), an ASCII (3.0: UTF-8) Python dict literal
 * {'descr': '<f8', 'fortran_order': False, 'shape': (r, c), } padded with spaces and a final
 * newline so that the data starts at a multiple of 64 bytes, then the raw data.
 */
export interface NpyArray {
  shape: number[];
  data: Float64Array;
}

export class NpyFormatError extends Error {}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

export function parseNpy(bytes: Uint8Array): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b))
    throw new NpyFormatError("not a .npy file (bad magic bytes)");
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let offset: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    offset = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new NpyFormatError("truncated .npy header");
    headerLen = view.getUint32(8, true);
    offset = 12;
  } else {
    throw new NpyFormatError(`unsupported .npy format version ${major}.${bytes[7]}`);
  }
  if (offset + headerLen > bytes.length) throw new NpyFormatError("truncated .npy header");
  const header = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(
    bytes.subarray(offset, offset + headerLen),
  );
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]+)['"]/.exec(header)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new NpyFormatError("malformed .npy header (missing descr, fortran_order or shape)");
  }
  const littleEndian = descr === "<f8" || descr === "|f8" || descr === "=f8";
  if (!littleEndian && descr !== ">f8") {
    throw new NpyFormatError(
      `dtype '${descr}' is not supported; expected float64 ('<f8'): save with arr.astype(np.float64)`,
    );
  }
  if (fortran === "True") {
    throw new NpyFormatError(
      "array is in Fortran order; save it with np.save(path, np.ascontiguousarray(arr))",
    );
  }
  const shape = shapeText
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const v = Number(s.replace(/L$/, ""));
      if (!Number.isInteger(v) || v < 0) throw new NpyFormatError(`malformed shape (${shapeText})`);
      return v;
    });
  if (shape.length > 2)
    throw new NpyFormatError(
      `array has ${shape.length} dimensions; only 1-D and 2-D arrays are supported`,
    );
  const count = shape.reduce((p, s) => p * s, 1); // 0-d: one element
  const dataStart = offset + headerLen;
  if (bytes.length - dataStart !== count * 8) {
    throw new NpyFormatError(
      `data has ${bytes.length - dataStart} bytes; shape (${shape.join(", ")}) of float64 needs ${count * 8}`,
    );
  }
  const data = new Float64Array(count);
  for (let k = 0; k < count; k++) data[k] = view.getFloat64(dataStart + 8 * k, littleEndian);
  return { shape, data };
}

export function serializeNpy(array: NpyArray): Uint8Array {
  const count = array.shape.reduce((p, s) => p * s, 1);
  if (array.data.length !== count) {
    throw new NpyFormatError(
      `data has ${array.data.length} values; shape (${array.shape.join(", ")}) needs ${count}`,
    );
  }
  const shapeText =
    array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(", ")})`;
  let dict = `{'descr': '<f8', 'fortran_order': False, 'shape': ${shapeText}, }`;
  let prefix = 10;
  if (dict.length + 1 + prefix > 65535) prefix = 12;
  const total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  dict = `${dict.padEnd(total - prefix - 1, " ")}\n`;
  const out = new Uint8Array(total + 8 * count);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  out[6] = prefix === 10 ? 1 : 2;
  out[7] = 0;
  if (prefix === 10) view.setUint16(8, dict.length, true);
  else view.setUint32(8, dict.length, true);
  for (let k = 0; k < dict.length; k++) out[prefix + k] = dict.charCodeAt(k);
  for (let k = 0; k < count; k++) view.setFloat64(total + 8 * k, array.data[k], true);
  return out;
}
