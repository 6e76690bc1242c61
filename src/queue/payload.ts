/**
 * What travels through the queue. A job carries the resolved spec, its .npy inputs (bytes, not
 * paths; bounded in size) and the engine's code hash; a finished run comes back as its files
 * (manifest.json, metrics.csv, weights), packed and gzip-compressed. A worker trusts nothing in
 * a job: it validates the spec with the same schema, recomputes the content hash from what it
 * received, never opens a path from the job and never executes anything from it.
 */
import { gunzipSync, gzipSync } from "node:zlib";
import type { ArrayStore, LoadedArray } from "../core/setup/arrays.js";
import type { Spec } from "../spec/schema.js";
import { validateSpec } from "../spec/validate.js";
import { runHash } from "../sweep/plan.js";

export const PAYLOAD_VERSION = 1;

/** .npy inputs per job, in bytes of float64 data (a larger run is refused with a clear line). */
export const MAX_ARRAY_BYTES = Number(process.env.OVERPARAM_QUEUE_MAX_ARRAY_MB ?? 16) * 2 ** 20;
/** A packed result larger than this fails the job (weights of a huge run: use a shared disk). */
export const MAX_RESULT_BYTES = 256 * 2 ** 20;

/** The files a finished run sends back (those that exist). */
export const RESULT_FILES = [
  "manifest.json",
  "metrics.csv",
  "weights_final.npy",
  "output_weights_final.npy",
] as const;

export interface RunPayload {
  v: number;
  /** Engine code hash of the sweep that submitted the job. */
  engine: string;
  /** The run's content hash (also the job id). */
  hash: string;
  spec: Spec;
  /** Written into the manifest only. */
  source: string;
  assignments: [string, unknown][];
  arrays: Record<string, { shape: number[]; data: string }>;
  saveWeights: boolean;
  /** For the worker's log lines only. */
  label: string;
}

export interface RunReturn {
  status: string;
  bytes: number;
  wallSeconds: number;
  worker: string;
}

export function arrayBytes(arrays: ArrayStore | undefined): number {
  return Object.values(arrays ?? {}).reduce((s, a) => s + a.data.byteLength, 0);
}

function encodeArray(a: LoadedArray): { shape: number[]; data: string } {
  return {
    shape: [...a.shape],
    data: Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength).toString("base64"),
  };
}

export function encodePayload(p: {
  engine: string;
  hash: string;
  spec: Spec;
  source: string;
  assignments: ReadonlyArray<readonly [string, unknown]>;
  arrays?: ArrayStore;
  saveWeights: boolean;
  label: string;
}): RunPayload {
  return {
    v: PAYLOAD_VERSION,
    engine: p.engine,
    hash: p.hash,
    spec: p.spec,
    source: p.source,
    assignments: p.assignments.map(([k, v]) => [k, v]),
    arrays: Object.fromEntries(Object.entries(p.arrays ?? {}).map(([k, a]) => [k, encodeArray(a)])),
    saveWeights: p.saveWeights,
    label: p.label,
  };
}

export interface DecodedPayload {
  spec: Spec;
  arrays: ArrayStore;
  source: string;
  assignments: [string, unknown][];
  saveWeights: boolean;
  label: string;
  hash: string;
  engine: string;
}

/** A job that can never run as sent (bad payload, bad spec): failed at once, not retried. */
export class InvalidJobError extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Checks a job's data field by field (it came from the network), validates the spec with the
 * schema and recomputes the content hash with this worker's engine. Throws InvalidJobError.
 * The engine check is the caller's (a mismatch is a refusal, not an invalid job).
 */
export function decodePayload(data: unknown, engine: string): DecodedPayload {
  if (!isObject(data)) throw new InvalidJobError("job data is not an object");
  if (data.v !== PAYLOAD_VERSION)
    throw new InvalidJobError(`job format ${String(data.v)}; this worker reads ${PAYLOAD_VERSION}`);
  for (const k of ["engine", "hash", "source", "label"] as const)
    if (typeof data[k] !== "string") throw new InvalidJobError(`job field ${k} is not a string`);
  if (typeof data.saveWeights !== "boolean")
    throw new InvalidJobError("job field saveWeights is not a boolean");
  if (
    !Array.isArray(data.assignments) ||
    !data.assignments.every((a) => Array.isArray(a) && a.length === 2 && typeof a[0] === "string")
  )
    throw new InvalidJobError("job field assignments is not a list of [field, value]");
  if (!isObject(data.arrays)) throw new InvalidJobError("job field arrays is not an object");
  const v = validateSpec(data.spec);
  if (!v.ok) throw new InvalidJobError(`the spec does not validate: ${v.problems.join("; ")}`);
  const arrays: Record<string, LoadedArray> = {};
  let bytes = 0;
  for (const [name, a] of Object.entries(data.arrays)) {
    if (
      !isObject(a) ||
      typeof a.data !== "string" ||
      !Array.isArray(a.shape) ||
      !a.shape.every((n) => Number.isInteger(n) && n >= 0)
    )
      throw new InvalidJobError(`array ${name}: malformed`);
    const buf = Buffer.from(a.data, "base64");
    bytes += buf.byteLength;
    if (bytes > MAX_ARRAY_BYTES)
      throw new InvalidJobError("the job's arrays exceed the size limit");
    const count = (a.shape as number[]).reduce((p, n) => p * n, 1);
    if (buf.byteLength !== count * 8)
      throw new InvalidJobError(
        `array ${name}: ${buf.byteLength} bytes for shape (${a.shape.join(", ")})`,
      );
    const copy = new Float64Array(count);
    new Uint8Array(copy.buffer).set(buf);
    arrays[name] = { shape: a.shape as number[], data: copy };
  }
  const hash = runHash(v.spec, arrays, engine);
  if (hash !== data.hash)
    throw new InvalidJobError(
      "the content hash does not match the spec and arrays the job carries (altered or corrupted job)",
    );
  return {
    spec: v.spec,
    arrays,
    source: data.source as string,
    assignments: data.assignments as [string, unknown][],
    saveWeights: data.saveWeights as boolean,
    label: data.label as string,
    hash,
    engine: data.engine as string,
  };
}

/** Run files → one compressed buffer. */
export function packResult(files: Record<string, Buffer>): Buffer {
  const json = JSON.stringify(
    Object.fromEntries(Object.entries(files).map(([k, b]) => [k, b.toString("base64")])),
  );
  return gzipSync(Buffer.from(json, "utf8"), { level: 6 });
}

/** The inverse of packResult, keeping only the known run files. */
export function unpackResult(packed: Buffer): Record<string, Buffer> {
  const parsed = JSON.parse(gunzipSync(packed).toString("utf8")) as Record<string, string>;
  const out: Record<string, Buffer> = {};
  for (const name of RESULT_FILES)
    if (typeof parsed[name] === "string") out[name] = Buffer.from(parsed[name], "base64");
  return out;
}
