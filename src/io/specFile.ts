import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";
import type { ArrayStore, LoadedArray } from "../core/setup/arrays.js";
import { isStackOverflow, nestingProblem, tooDeep } from "../spec/overrides.js";
import type { Spec } from "../spec/schema.js";
import { type ArraySize, arraySizeProblems, formatProblem } from "../spec/validate.js";
import { readNpyFile } from "./npy.js";

/** A problem the user can fix: printed as one line, exit code 2, nothing written. */
export class UserInputError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
  }
}

export const presetDirectory = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../presets",
);

export interface LoadedDocument {
  doc: Record<string, unknown>;
  /** Folder that relative .npy paths in the spec are resolved against. */
  baseDir: string;
  source: string;
}

/** Reads a spec from a .yaml/.yml/.json file, or a built-in preset by name. */
export async function loadSpecDocument(ref: string): Promise<LoadedDocument> {
  const isFile = /\.(ya?ml|json)$/i.test(ref) || ref.includes("/") || ref.includes(path.sep);
  const file = isFile ? path.resolve(ref) : path.join(presetDirectory, `${ref}.yaml`);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    if (!isFile) {
      const { listPresets } = await import("./presets.js");
      const names = (await listPresets()).map((p) => p.name);
      throw new UserInputError([
        `unknown preset "${ref}"; available: ${names.join(", ")} (or give a path to a .yaml/.json spec)`,
      ]);
    }
    throw new UserInputError([`cannot read spec ${ref}: ${describeFsError(e)}`]);
  }
  let doc: unknown;
  try {
    doc = /\.json$/i.test(file) ? JSON.parse(text) : YAML.parse(text, { prettyErrors: true });
  } catch (e) {
    // A parser that recurses (YAML) overflows the stack on a hostile nesting depth.
    if (isStackOverflow(e)) throw new UserInputError([`spec ${ref}: ${tooDeep()}`]);
    const msg = (e as Error).message.split("\n")[0];
    throw new UserInputError([`cannot parse spec ${ref}: ${msg}`]);
  }
  const deep = nestingProblem(doc);
  if (deep) throw new UserInputError([`spec ${ref}: ${deep}`]);
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) {
    throw new UserInputError([
      `spec ${ref}: must be a mapping of fields (got ${Array.isArray(doc) ? "a list" : typeof doc})`,
    ]);
  }
  return { doc: doc as Record<string, unknown>, baseDir: path.dirname(file), source: file };
}

export function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file";
  if (code === "EACCES") return "permission denied";
  if (code === "EISDIR") return "is a directory";
  return (e as Error).message;
}

interface ArrayRequirement {
  field: string;
  file: string;
  /** Expected shape; null entries are free. 1-D arrays may stand for a single row when allowRow. */
  shape: (number | null)[];
}

/** The .npy files a spec names, with the shape each must have. */
function arrayRequirements(spec: Spec): ArrayRequirement[] {
  const d = spec.dimension;
  const m = spec.student.width;
  const req: ArrayRequirement[] = [];
  const t = spec.teacher;
  if (t.kind === "explicit") {
    if (typeof t.neurons === "string")
      req.push({ field: "teacher.neurons", file: t.neurons, shape: [null, d] });
    if (typeof t.outputWeights === "string")
      req.push({ field: "teacher.outputWeights", file: t.outputWeights, shape: [null] });
  }
  if (spec.student.init.kind === "file")
    req.push({ field: "student.init.weights", file: spec.student.init.weights, shape: [m, d] });
  const ow = spec.student.outputWeights;
  if (ow && ow !== "ones" && ow !== "signs")
    req.push({ field: "student.outputWeights", file: ow, shape: [m] });
  for (const set of ["train", "test"] as const) {
    const files = spec.loss[set];
    if (files?.inputs)
      req.push({ field: `loss.${set}.inputs`, file: files.inputs, shape: [null, d] });
    if (files?.labels) req.push({ field: `loss.${set}.labels`, file: files.labels, shape: [null] });
  }
  return req;
}

/**
 * null when a loaded array can be used, else the problem: no rows (or entries), or an entry that
 * is NaN or infinite — named by its index, as numpy prints it: [row, column] or [entry].
 */
function contentProblem(req: ArrayRequirement, shape: number[], data: Float64Array): string | null {
  if (data.length === 0) {
    const what = shape.length === 2 ? "no rows" : "no entries";
    return `${req.field}: ${req.file} has ${what} (shape (${shape.join(", ")}${shape.length === 1 ? "," : ""})); at least one is needed`;
  }
  for (let k = 0; k < data.length; k++) {
    if (Number.isFinite(data[k])) continue;
    const cols = shape.length === 2 ? shape[1] : 0;
    const index = cols ? `[${Math.floor(k / cols)}, ${k % cols}]` : `[${k}]`;
    return `${req.field}: ${req.file} has ${data[k]} at ${index}; every entry must be a finite number`;
  }
  return null;
}

/**
 * Loads every .npy file a spec names (relative to baseDir) and checks dtype and shape, so a
 * wrong file is refused before anything runs. Returns the arrays keyed by the spec's strings.
 */
export async function loadSpecArrays(spec: Spec, baseDir: string): Promise<ArrayStore> {
  const store: Record<string, LoadedArray> = {};
  const problems: string[] = [];
  const rows: Record<string, number> = {};
  for (const req of arrayRequirements(spec)) {
    let arr: LoadedArray;
    try {
      arr = store[req.file] ?? (await readNpyFile(path.resolve(baseDir, req.file)));
    } catch (e) {
      problems.push(`${req.field}: ${(e as Error).message.split("\n")[0]}`);
      continue;
    }
    let shape = [...arr.shape];
    if (req.field === "teacher.neurons" && shape.length === 1) shape = [1, shape[0]];
    const ok =
      shape.length === req.shape.length && req.shape.every((s, k) => s === null || s === shape[k]);
    if (!ok) {
      const want = `(${req.shape.map((s) => (s === null ? "any" : s)).join(", ")})`;
      problems.push(`${req.field}: ${req.file} has shape (${shape.join(", ")}); expected ${want}`);
      continue;
    }
    const content = contentProblem(req, shape, arr.data);
    if (content) {
      problems.push(content);
      continue;
    }
    store[req.file] = { shape, data: arr.data };
    rows[req.field] = shape[0];
  }
  // Arrays sized by the rows of an input file: the N×m activations of the loss (and N×N for du_gram)
  const sizes: ArraySize[] = [];
  for (const set of ["train", "test"] as const) {
    const n = rows[`loss.${set}.inputs`];
    if (n === undefined) continue;
    const field = `loss.${set}.inputs`;
    sizes.push({ field, value: n, unit: "rows", times: [["student.width", spec.student.width]] });
    if (set === "train" && spec.metrics.includes("du_gram"))
      sizes.push({
        field,
        value: n,
        unit: "rows",
        times: [],
        square: "the Gram matrix of du_gram",
      });
  }
  problems.push(...arraySizeProblems(sizes).map(formatProblem));
  const teacherRows = rows["teacher.neurons"];
  if (
    teacherRows !== undefined &&
    rows["teacher.outputWeights"] !== undefined &&
    rows["teacher.outputWeights"] !== teacherRows
  ) {
    problems.push(
      `teacher.outputWeights: has ${rows["teacher.outputWeights"]} entries; must have one per teacher neuron (${teacherRows})`,
    );
  }
  for (const set of ["train", "test"]) {
    const x = rows[`loss.${set}.inputs`];
    const y = rows[`loss.${set}.labels`];
    if (x !== undefined && y !== undefined && x !== y)
      problems.push(`loss.${set}.labels: has ${y} entries; must match the ${x} input rows`);
  }
  if (problems.length) throw new UserInputError(problems);
  return store;
}
