/**
 * The spec as the page edits it: YAML (or JSON) text parsed with the `yaml` package's
 * Document API, so that setting a field from the form keeps the user's comments and layout;
 * sweeps expanded into one run per combination (as `overparam run` does); every combination
 * checked by the engine's validateSpec; and the CLI command that runs the same thing.
 */
import YAML from "yaml";
import { validateSpec } from "./engine.js";

export type Doc = Record<string, unknown>;

export interface Problem {
  /** Field path ("optimizer.lr"), "(yaml)" for a syntax error, "" for the whole spec. */
  path: string;
  message: string;
  /** The sweep combination it applies to, e.g. "student.width=3" ("" without a sweep). */
  run: string;
}

export interface RunPlan {
  label: string;
  doc: Doc;
}

export interface Checked {
  doc: Doc | null;
  runs: RunPlan[];
  problems: Problem[];
}

const MAX_RUNS = 40;

/** Parses and validates the text; `runs` is empty whenever `problems` is not. */
export function checkText(text: string): Checked {
  const parsed = YAML.parseDocument(text, { prettyErrors: true });
  if (parsed.errors.length)
    return {
      doc: null,
      runs: [],
      problems: parsed.errors.map((e) => ({
        path: "(yaml)",
        message: e.message.split("\n")[0],
        run: "",
      })),
    };
  const doc = parsed.toJS() as unknown;
  if (!doc || typeof doc !== "object" || Array.isArray(doc))
    return {
      doc: null,
      runs: [],
      problems: [{ path: "", message: "the spec must be a mapping of fields", run: "" }],
    };
  let points: RunPlan[];
  try {
    points = expandSweep(doc as Doc);
  } catch (e) {
    return {
      doc: doc as Doc,
      runs: [],
      problems: [{ path: "sweep", message: (e as Error).message, run: "" }],
    };
  }
  if (points.length > MAX_RUNS)
    return {
      doc: doc as Doc,
      runs: [],
      problems: [
        {
          path: "sweep",
          message: `${points.length} combinations; the lab runs at most ${MAX_RUNS} at once (narrow the sweep)`,
          run: "",
        },
      ],
    };
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const point of points) {
    const v = validateSpec(point.doc);
    if (v.ok) continue;
    for (const p of v.problems) {
      const key = `${p.path}\u0000${p.message}`;
      if (seen.has(key)) continue; // the same problem in every combination is shown once
      seen.add(key);
      problems.push({ ...p, run: point.label });
    }
  }
  return { doc: doc as Doc, runs: problems.length ? [] : points, problems };
}

/** The text with one field set (comments kept); a field the sweep varies is taken out of it. */
export function setField(text: string, path: string, value: unknown): string {
  const document = YAML.parseDocument(text);
  if (document.errors.length) throw new Error("fix the YAML first");
  const keys = path.split(".");
  if (value === undefined) document.deleteIn(keys);
  else document.setIn(keys, value);
  const sweep = document.get("sweep", true);
  if (YAML.isMap(sweep) && sweep.has(path)) {
    sweep.delete(path);
    if (sweep.items.length === 0) document.delete("sweep");
  }
  return document.toString({ flowCollectionPadding: false, lineWidth: 0 });
}

export function getPath(doc: Doc | null, path: string): unknown {
  let node: unknown = doc;
  for (const k of path.split(".")) {
    if (!node || typeof node !== "object") return undefined;
    node = (node as Doc)[k];
  }
  return node;
}

function setPath(doc: Doc, path: string, value: unknown): Doc {
  const out = structuredClone(doc);
  const keys = path.split(".");
  let node = out;
  for (const k of keys.slice(0, -1)) {
    const next = node[k];
    if (next === undefined || next === null) node[k] = {};
    else if (typeof next !== "object" || Array.isArray(next))
      throw new Error(`${path}: ${k} is not an object, cannot set a field inside it`);
    node = node[k] as Doc;
  }
  node[keys[keys.length - 1]] = value;
  return out;
}

/** One plan per combination of the sweep's lists (the Cartesian product, in sweep order). */
export function expandSweep(doc: Doc): RunPlan[] {
  const { sweep, ...base } = doc;
  if (sweep === undefined) return [{ label: "", doc: base }];
  if (!sweep || typeof sweep !== "object" || Array.isArray(sweep))
    throw new Error("must map field paths to lists of values");
  let points: { doc: Doc; labels: string[] }[] = [{ doc: base, labels: [] }];
  for (const [path, values] of Object.entries(sweep as Doc)) {
    if (!Array.isArray(values) || values.length === 0)
      throw new Error(`sweep.${path}: must be a non-empty list of values`);
    points = points.flatMap((p) =>
      values.map((v) => ({
        doc: setPath(p.doc, path, v),
        labels: [...p.labels, `${path}=${valueLabel(v)}`],
      })),
    );
  }
  return points.map((p) => ({ label: p.labels.join(" "), doc: p.doc }));
}

function valueLabel(v: unknown): string {
  if (Array.isArray(v)) return v.map(valueLabel).join("-");
  if (v && typeof v === "object")
    return Object.entries(v as Doc)
      .map(([k, x]) => (k === "kind" ? valueLabel(x) : `${k}-${valueLabel(x)}`))
      .join("-");
  return String(v);
}

/**
 * `npx overparam run <preset> --set …` when the spec is the preset with some fields set (the
 * CLI's rules: values read as YAML, a set swept field leaves the sweep), else null (then the
 * page offers spec.yaml and `npx overparam run spec.yaml`).
 */
export function cliCommand(
  presetName: string | null,
  presetDoc: Doc | null,
  doc: Doc,
): string | null {
  if (!presetName || !presetDoc) return null;
  const sets: [string, unknown][] = [];
  const walk = (a: unknown, b: unknown, path: string[]) => {
    const isObj = (x: unknown) => !!x && typeof x === "object" && !Array.isArray(x);
    if (isObj(a) && isObj(b) && path[0] !== "sweep") {
      for (const k of Object.keys(b as Doc)) walk((a as Doc)[k], (b as Doc)[k], [...path, k]);
      return;
    }
    if (JSON.stringify(a) !== JSON.stringify(b)) sets.push([path.join("."), b]);
  };
  walk(presetDoc, doc, []);
  // replay the sets the way the CLI does and require the very same document
  let replay = structuredClone(presetDoc);
  for (const [path, value] of sets) {
    if (value === undefined) return null;
    replay = setPath(replay, path, value);
    const sweep = replay.sweep as Doc | undefined;
    if (sweep && path in sweep) {
      const { [path]: _fixed, ...rest } = sweep;
      if (Object.keys(rest).length) replay.sweep = rest;
      else delete replay.sweep;
    }
  }
  if (!deepEqual(replay, doc)) return null;
  const args = sets.map(([path, value]) => `--set ${shellWord(`${path}=${yamlValue(value)}`)}`);
  return ["npx overparam run", presetName, ...args].join(" ");
}

function yamlValue(v: unknown): string {
  if (typeof v === "string" && /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(v) && YAML.parse(v) === v)
    return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

function shellWord(s: string): string {
  return /^[A-Za-z0-9_.,=:/+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || !a || !b || typeof a !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as Doc).filter((k) => (a as Doc)[k] !== undefined);
  const kb = Object.keys(b as Doc).filter((k) => (b as Doc)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Doc)[k], (b as Doc)[k]));
}
