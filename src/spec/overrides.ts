import YAML from "yaml";

type Doc = Record<string, unknown>;

/**
 * `--set path=value`: the value is read as YAML, so `3`, `0.2`, `true`, `[1, 2]` and `relu`
 * become a number, a boolean, a list and a string. Missing intermediate objects are created.
 */
export function applyOverride(doc: Doc, assignment: string): Doc {
  const eq = assignment.indexOf("=");
  if (eq <= 0)
    throw new SpecOverrideError(
      `--set ${assignment}: expected path=value, e.g. --set student.width=10`,
    );
  const path = assignment.slice(0, eq).trim();
  const text = assignment.slice(eq + 1);
  let value: unknown;
  try {
    value = YAML.parse(text);
  } catch (e) {
    if (isStackOverflow(e)) throw new SpecOverrideError(`--set ${path}: ${tooDeep()}`);
    value = text;
  }
  const depth = nestingProblem(value, path);
  if (depth) throw new SpecOverrideError(`--set ${depth}`);
  return setPath(doc, path, value === null && text.trim() !== "null" ? text : value);
}

export class SpecOverrideError extends Error {}

/**
 * How deeply lists and mappings may nest in a spec. Real specs need about 6 levels
 * (reproduce.full.set.sweep.<path>.[values]); the bound keeps a hostile document (200 000
 * nested lists) from overflowing the stack in the code that copies and walks it.
 */
export const MAX_NESTING = 64;

export function tooDeep(): string {
  return `lists and mappings nested more than ${MAX_NESTING} levels deep; a spec needs only a few levels`;
}

/** Whether a parser gave up with a stack overflow (JavaScript's RangeError, maybe wrapped). */
export function isStackOverflow(e: unknown): boolean {
  return e instanceof Error && /Maximum call stack size exceeded/i.test(e.message);
}

/**
 * null when value nests lists and mappings at most MAX_NESTING levels deep, otherwise the
 * problem in words, starting with `field` or else the top-level field where it goes too deep.
 * Walks with an explicit stack, so it cannot overflow itself.
 */
export function nestingProblem(value: unknown, field?: string): string | null {
  const stack: [unknown, number, string][] = [[value, 0, ""]];
  while (stack.length) {
    const [node, depth, path] = stack.pop()!;
    if (node === null || typeof node !== "object") continue;
    if (depth >= MAX_NESTING) {
      const where = field ?? path.split(".")[0];
      return `${where ? `${where}: ` : ""}${tooDeep()}`;
    }
    for (const [k, v] of Object.entries(node)) {
      if (v !== null && typeof v === "object")
        stack.push([v, depth + 1, path ? `${path}.${k}` : k]);
    }
  }
  return null;
}

/** A deep copy of doc with the dotted path set to value. */
export function setPath(doc: Doc, path: string, value: unknown): Doc {
  const keys = path.split(".");
  if (keys.some((k) => k === "")) throw new SpecOverrideError(`${path}: not a valid field path`);
  const out = structuredClone(doc);
  let node: Doc = out;
  keys.slice(0, -1).forEach((k, idx) => {
    const next = node[k];
    if (next === undefined || next === null) node[k] = {};
    else if (typeof next !== "object" || Array.isArray(next)) {
      const parent = keys.slice(0, idx + 1).join(".");
      throw new SpecOverrideError(
        `${path}: cannot set a field inside ${parent}, which is ${Array.isArray(next) ? "a list" : JSON.stringify(next)}, not a mapping`,
      );
    }
    node = node[k] as Doc;
  });
  node[keys[keys.length - 1]] = value;
  return out;
}

export interface SweepPoint {
  /** The spec with this combination applied and `sweep` removed. */
  readonly doc: Doc;
  /** path → value of this combination, in sweep order. */
  readonly assignments: ReadonlyArray<readonly [string, unknown]>;
  /** A folder name made of the assignments, e.g. `student.width=3_seed=1`. */
  readonly label: string;
}

/**
 * Expands a spec's `sweep` (field path → list of values) into the Cartesian product of its
 * lists, one spec per combination; a spec without sweep yields itself.
 */
export function expandSweep(doc: Doc): SweepPoint[] {
  const sweep = doc.sweep as Record<string, unknown[]> | undefined;
  const base = structuredClone(doc);
  delete base.sweep;
  if (!sweep || typeof sweep !== "object") return [{ doc: base, assignments: [], label: "" }];
  const entries = Object.entries(sweep);
  for (const [path, values] of entries) {
    if (!Array.isArray(values) || values.length === 0) {
      throw new SpecOverrideError(`sweep.${path}: must be a non-empty list of values`);
    }
  }
  let points: SweepPoint[] = [{ doc: base, assignments: [], label: "" }];
  for (const [path, values] of entries) {
    points = points.flatMap((p) =>
      values.map((v) => {
        const assignments = [...p.assignments, [path, v] as const];
        return { doc: setPath(p.doc, path, v), assignments, label: sweepLabel(assignments) };
      }),
    );
  }
  return points;
}

export function sweepLabel(assignments: ReadonlyArray<readonly [string, unknown]>): string {
  return assignments
    .map(([k, v]) => `${k}=${valueLabel(v)}`)
    .join("_")
    .replace(/[^A-Za-z0-9._=+-]/g, "-");
}

/** {kind: gaussian, scale: 1} → "gaussian-scale-1"; lists join with "-". */
function valueLabel(v: unknown): string {
  if (Array.isArray(v)) return v.map(valueLabel).join("-");
  if (v && typeof v === "object") {
    return Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => (k === "kind" ? valueLabel(x) : `${k}-${valueLabel(x)}`))
      .join("-");
  }
  return String(v);
}
