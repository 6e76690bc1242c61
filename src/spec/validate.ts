import type { z } from "zod";
import { teacherNeuronCount } from "../core/metrics/applicability.js";
import { findMetric, metricNames } from "../core/metrics/registry.js";
import { type Spec, specSchema } from "./schema.js";

export type Validation = { ok: true; spec: Spec } | { ok: false; problems: string[] };

/**
 * One problem with a spec: the dotted field path (e.g. "student.init.case"; "" for the whole
 * document) and what is wrong and what is allowed (e.g. "must be one of 1, 2, 3 (got 4)").
 */
export interface SpecProblem {
  readonly path: string;
  readonly message: string;
}

export type StructuredValidation =
  | { ok: true; spec: Spec }
  | { ok: false; problems: SpecProblem[] };

/**
 * Parses and checks a spec document: schema (types, ranges, unknown fields) and then the
 * cross-field rules that a schema cannot express. Every problem is one line that starts with
 * the field path and says what is allowed; nothing runs unless the list is empty.
 */
export function validateSpec(raw: unknown): Validation {
  const v = specProblems(raw);
  return v.ok ? v : { ok: false, problems: v.problems.map(formatProblem) };
}

/** validateSpec with each problem as { path, message } (for the library API). */
export function specProblems(raw: unknown): StructuredValidation {
  const parsed = specSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap((issue) => describeIssue(issue, [], raw));
    return { ok: false, problems: unique(problems) };
  }
  const spec = parsed.data;
  const problems = semanticProblems(spec);
  return problems.length ? { ok: false, problems: unique(problems) } : { ok: true, spec };
}

/** "path: message", or "spec: message" for a problem with the whole document. */
export function formatProblem(p: SpecProblem): string {
  return `${p.path || "spec"}: ${p.message}`;
}

/**
 * The problems of a sweep's points, each prefixed "[label] " by the caller, as the lines to
 * print: a problem that every point has (an unknown field, a bad name) once and without a
 * prefix; a problem of only some points with its prefix; no line twice.
 */
export function mergeSweepProblems(
  problems: readonly string[],
  labels: readonly string[],
): string[] {
  const points = labels.filter((l) => l !== "");
  const strip = (line: string): [string, string] => {
    for (const l of points) if (line.startsWith(`[${l}] `)) return [l, line.slice(l.length + 3)];
    return ["", line];
  };
  const where = new Map<string, Set<string>>();
  for (const line of problems) {
    const [label, problem] = strip(line);
    if (!where.has(problem)) where.set(problem, new Set());
    where.get(problem)!.add(label);
  }
  const everywhere = (problem: string) => {
    const at = where.get(problem)!;
    return points.length > 1 && points.every((l) => at.has(l));
  };
  const out = new Set<string>();
  for (const line of problems) {
    const [, problem] = strip(line);
    out.add(everywhere(problem) ? problem : line);
  }
  return [...out];
}

function unique(problems: SpecProblem[]): SpecProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = formatProblem(p);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// ---------------------------------------------------------------------------------------------
// Schema issues → one problem each, naming the field once and saying what is allowed

type Key = PropertyKey;
type Issue = z.core.$ZodIssue;
// biome-ignore lint/suspicious/noExplicitAny: zod's internal definitions are untyped here
type AnySchema = { _zod: { def: any } };

function describeIssue(issue: Issue, prefix: Key[], raw: unknown): SpecProblem[] {
  const at = [...prefix, ...issue.path];
  const path = at.map(String).join(".");
  const value = valueAt(raw, at);
  const schema = schemaAt(at, raw);
  const expected = schema ? describeSchema(schema) : undefined;
  const must = (what: string) => ({
    path,
    message:
      value === undefined ? `missing; must be ${what}` : `must be ${what} (got ${show(value)})`,
  });
  // A schema with its own error message (e.g. unknown metric "x"; allowed: …) knows best.
  if (schema && hasOwnMessage(schema) && issue.code !== "unrecognized_keys")
    return [{ path, message: issue.message }];
  switch (issue.code) {
    case "unrecognized_keys": {
      const allowed = schema ? objectKeys(schema, value) : undefined;
      const hint = allowed?.length ? `; allowed: ${allowed.join(", ")}` : "";
      return issue.keys.map((k) => ({
        path: path ? `${path}.${k}` : k,
        message: `unknown field${hint}`,
      }));
    }
    case "invalid_union": {
      if ("discriminator" in issue && issue.discriminator) {
        // zod's path already ends at the discriminator field (teacher.kind)
        const last = at[at.length - 1];
        const dPath = last === issue.discriminator ? at : [...at, issue.discriminator];
        const options = (issue as { options?: unknown[] }).options ?? [];
        const got = valueAt(raw, dPath);
        const what = `one of ${options.map(String).join(", ")}`;
        return [
          {
            path: dPath.map(String).join("."),
            message:
              got === undefined ? `missing; must be ${what}` : `must be ${what} (got ${show(got)})`,
          },
        ];
      }
      // The branch that got furthest into the value explains it best (a NaN inside a list of
      // numbers, not "not a .npy path"); when every branch fails at the top, list them all.
      const branches = issue.errors ?? [];
      let best: Issue[] | undefined;
      let bestDepth = 0;
      for (const branch of branches) {
        const depth = Math.max(0, ...branch.map((b) => b.path.length));
        if (depth > bestDepth) {
          best = branch;
          bestDepth = depth;
        }
      }
      if (best) return best.flatMap((b) => describeIssue(b, at, raw));
      return [must(expected ?? "of another type")];
    }
    case "invalid_type":
    case "invalid_value":
      return [must(expected ?? genericExpectation(issue))];
    case "too_small":
    case "too_big": {
      if (issue.origin === "array" || issue.origin === "set") {
        const n = Number(issue.code === "too_small" ? issue.minimum : issue.maximum);
        const bound = issue.code === "too_small" ? "at least" : "at most";
        const count = Array.isArray(value) ? value.length : undefined;
        return [
          {
            path,
            message: `must have ${bound} ${n} ${n === 1 ? "entry" : "entries"}${count === undefined ? "" : ` (got ${count === 0 ? "an empty list" : count})`}`,
          },
        ];
      }
      if (issue.origin === "string") {
        const n = Number(issue.code === "too_small" ? issue.minimum : issue.maximum);
        if (issue.code === "too_small" && n === 1) return [{ path, message: "must not be empty" }];
        const bound = issue.code === "too_small" ? "at least" : "at most";
        return [{ path, message: `must have ${bound} ${n} characters (got ${show(value)})` }];
      }
      return [must(expected ?? genericBound(issue))];
    }
    case "invalid_format":
      return [must(issue.message.replace(/^must be /, ""))];
    default:
      return [{ path, message: issue.message }];
  }
}

function genericExpectation(issue: Issue): string {
  if (issue.code === "invalid_type") return article(String(issue.expected));
  if (issue.code === "invalid_value") return `one of ${issue.values.map(String).join(", ")}`;
  return "a different value";
}

function genericBound(issue: Issue): string {
  if (issue.code === "too_small") return `${issue.inclusive ? "≥" : ">"} ${String(issue.minimum)}`;
  if (issue.code === "too_big") return `${issue.inclusive ? "≤" : "<"} ${String(issue.maximum)}`;
  return "a different value";
}

function article(type: string): string {
  if (type === "object") return "a mapping of fields";
  if (type === "array") return "a list";
  if (type === "boolean") return "true or false";
  if (type === "number") return "a finite number";
  return `${/^[aeiou]/.test(type) ? "an" : "a"} ${type}`;
}

/** The value the user wrote, for "(got …)": short, NaN and Infinity spelled out. */
function show(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "number") return Number.isFinite(v) ? formatValue(v) : String(v);
  if (typeof v === "string") return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v);
  if (Array.isArray(v)) return v.length === 0 ? "an empty list" : `a list of ${v.length}`;
  if (typeof v === "object") return "a mapping";
  return String(v);
}

/** A field value as the user may have written it: 1e9 for 1000000000, 123456789 unchanged. */
function formatValue(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e6) return String(x);
  const short = x.toExponential().replace("e+", "e");
  return short.length < String(x).length ? short : String(x);
}

function valueAt(raw: unknown, path: readonly Key[]): unknown {
  let node = raw;
  for (const k of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<Key, unknown>)[k];
  }
  return node;
}

/** Whether the schema (or a wrapper of it, such as .default()) was given a custom error. */
function hasOwnMessage(s: AnySchema): boolean {
  for (let cur: AnySchema | undefined = s; cur; ) {
    if (cur._zod.def.error) return true;
    const next = unwrap1(cur);
    cur = next === cur ? undefined : next;
  }
  return false;
}

function unwrap1(s: AnySchema): AnySchema {
  const def = s._zod.def;
  if (def.innerType && WRAPPERS.includes(def.type)) return def.innerType;
  if (def.type === "pipe") return def.in;
  return s;
}

const WRAPPERS = [
  "default",
  "optional",
  "nullable",
  "prefault",
  "readonly",
  "catch",
  "nonoptional",
];

function unwrap(s: AnySchema): AnySchema {
  let cur = s;
  for (let next = unwrap1(cur); next !== cur; next = unwrap1(cur)) cur = next;
  return cur;
}

/** The schema of the field at `path` in the spec schema (following the raw value's `kind`s). */
function schemaAt(path: readonly Key[], raw: unknown): AnySchema | undefined {
  let s: AnySchema | undefined = specSchema as unknown as AnySchema;
  let node = raw;
  for (const key of path) {
    if (!s) return undefined;
    s = step(unwrap(s), key, node);
    node =
      node !== null && typeof node === "object" ? (node as Record<Key, unknown>)[key] : undefined;
  }
  return s;
}

function step(s: AnySchema, key: Key, node: unknown): AnySchema | undefined {
  const def = s._zod.def;
  switch (def.type) {
    case "object":
      return Object.hasOwn(def.shape, key) ? def.shape[key] : undefined;
    case "array":
      return def.element;
    case "record":
      return def.valueType;
    case "union": {
      const option = unionOption(s, node);
      if (option) return step(unwrap(option), key, node);
      for (const o of def.options as AnySchema[]) {
        const next = step(unwrap(o), key, node);
        if (next) return next;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

/** The option of a discriminated union that the value's discriminator selects. */
function unionOption(s: AnySchema, node: unknown): AnySchema | undefined {
  const def = s._zod.def;
  if (!def.discriminator || node === null || typeof node !== "object") return undefined;
  const want = (node as Record<string, unknown>)[def.discriminator];
  return (def.options as AnySchema[]).find((o) => {
    const field = unwrap(o)._zod.def.shape?.[def.discriminator];
    return field && literalValues(unwrap(field))?.includes(want);
  });
}

function objectKeys(s: AnySchema, node: unknown): string[] | undefined {
  const u = unwrap(s);
  const def = u._zod.def;
  if (def.type === "object") return Object.keys(def.shape);
  if (def.type === "union") {
    const o = unionOption(u, node);
    return o ? objectKeys(o, node) : undefined;
  }
  return undefined;
}

function literalValues(s: AnySchema): unknown[] | undefined {
  const def = s._zod.def;
  if (def.type === "literal") return def.values;
  if (def.type === "enum") return Object.values(def.entries);
  return undefined;
}

/** What a schema accepts, in words: "a positive integer", "one of ones, signs or a list of finite numbers". */
function describeSchema(schema: AnySchema): string {
  const s = unwrap(schema);
  const def = s._zod.def;
  switch (def.type) {
    case "number":
      return describeNumber(s);
    case "boolean":
      return "true or false";
    case "string": {
      const regex = (def.checks ?? []).find((c: AnySchema) => c._zod.def.format === "regex")?._zod
        .def.pattern;
      if (regex && String(regex).includes("npy")) return "a path to a .npy file";
      return "a string";
    }
    case "literal":
    case "enum": {
      const values = literalValues(s) ?? [];
      return values.length === 1 ? String(values[0]) : `one of ${values.map(String).join(", ")}`;
    }
    case "array":
      return `a list of ${plural(describeSchema(def.element))}`;
    case "object":
    case "record":
      return "a mapping of fields";
    case "union": {
      if (def.discriminator) {
        const kinds = (def.options as AnySchema[]).flatMap(
          (o) => literalValues(unwrap(unwrap(o)._zod.def.shape[def.discriminator])) ?? [],
        );
        return `a mapping with ${def.discriminator}: one of ${kinds.map(String).join(", ")}`;
      }
      const values: unknown[] = [];
      const others: string[] = [];
      for (const o of def.options as AnySchema[]) {
        const lv = literalValues(unwrap(o));
        if (lv) values.push(...lv);
        else others.push(describeSchema(o));
      }
      const parts = values.length ? [`one of ${values.map(String).join(", ")}`] : [];
      return [...parts, ...others].join(" or ");
    }
    default:
      return article(String(def.type));
  }
}

/** "a finite number" → "finite numbers", "a list of …" → "lists of …". */
function plural(phrase: string): string {
  const m = /^an? (\S+)(.*)$/.exec(phrase);
  if (!m) return phrase;
  const word = m[1];
  const rest = m[2];
  if (word === "finite" || word === "positive" || word === "non-negative") {
    const n = /^ (\S+)(.*)$/.exec(rest);
    if (n) return `${word} ${n[1]}s${n[2]}`;
  }
  return `${word}s${rest}`;
}

function describeNumber(s: AnySchema): string {
  let integer = false;
  let lo: { value: number; inclusive: boolean } | undefined;
  let hi: { value: number; inclusive: boolean } | undefined;
  for (const c of (s._zod.def.checks ?? []) as AnySchema[]) {
    const d = c._zod.def;
    if (d.check === "number_format" && /int/.test(String(d.format))) integer = true;
    else if (d.check === "greater_than") lo = { value: Number(d.value), inclusive: d.inclusive };
    else if (d.check === "less_than") hi = { value: Number(d.value), inclusive: d.inclusive };
  }
  if (integer) {
    const min = lo ? (lo.inclusive ? Math.ceil(lo.value) : Math.floor(lo.value) + 1) : undefined;
    const max = hi ? (hi.inclusive ? Math.floor(hi.value) : Math.ceil(hi.value) - 1) : undefined;
    if (min !== undefined && max !== undefined) return `an integer from ${min} to ${max}`;
    if (max !== undefined) return `an integer ≤ ${max}`;
    if (min === 1) return "a positive integer";
    if (min === 0) return "a non-negative integer";
    if (min !== undefined) return `an integer ≥ ${min}`;
    return "an integer";
  }
  const bounds: string[] = [];
  let noun = "a finite number";
  if (lo?.value === 0 && !hi) noun = lo.inclusive ? "a non-negative number" : "a positive number";
  else if (lo) bounds.push(`${lo.inclusive ? "≥" : ">"} ${lo.value}`);
  if (hi) bounds.push(`${hi.inclusive ? "≤" : "<"} ${hi.value}`);
  return bounds.length ? `a number ${bounds.join(" and ")}` : noun;
}

// ---------------------------------------------------------------------------------------------
// Array sizes

/** V8 (Node 20) refuses typed arrays with more elements than this ("Invalid typed array length"). */
export const MAX_ARRAY_LENGTH = 2 ** 32 - 1;

/**
 * A number for a message: exact when short (429496729), otherwise three significant digits in
 * exponent form (1e10, 4.29e9).
 */
export function formatCount(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e9) return String(x);
  return Number(x.toPrecision(3)).toExponential().replace("e+", "e");
}

export interface ArraySize {
  /** The field whose value is the first factor (named in the message). */
  field: string;
  value: number;
  /** What the value counts: "samples", "students", "neurons". */
  unit: string;
  /** The other factors of the array's length: [label, value]. */
  times: [string, number][];
  /** A square matrix value × value (the message says why it is needed). */
  square?: string;
}

/**
 * The arrays a spec makes the engine allocate, by the fields that size them. Each one must fit
 * in a typed array (MAX_ARRAY_LENGTH elements); a single field may size several, and the
 * tightest one is reported.
 */
function arraySizes(spec: Spec): ArraySize[] {
  const d = spec.dimension;
  const m = spec.student.width;
  const { loss, teacher, student } = spec;
  const sizes: ArraySize[] = [
    { field: "dimension", value: d, unit: "", times: [] },
    { field: "student.width", value: m, unit: "students", times: [["dimension", d]] },
  ];
  if (teacher.kind === "random" || teacher.kind === "separated")
    sizes.push({
      field: "teacher.neurons",
      value: teacher.neurons,
      unit: "neurons",
      times: [["dimension", d]],
    });
  const samples = (field: string, n: number) =>
    sizes.push(
      { field, value: n, unit: "samples", times: [["dimension", d]] },
      { field, value: n, unit: "samples", times: [["student.width", m]] },
    );
  if (loss.kind === "empirical" && !loss.train?.inputs) {
    samples("loss.trainSize", loss.trainSize);
    if (spec.metrics.includes("du_gram"))
      sizes.push({
        field: "loss.trainSize",
        value: loss.trainSize,
        unit: "samples",
        times: [],
        square: "the Gram matrix of du_gram",
      });
  }
  if (loss.testSize > 0 && !loss.test?.inputs) samples("loss.testSize", loss.testSize);
  if (loss.kind === "online") samples("loss.batchSize", loss.batchSize);
  const init = student.init;
  if (init.kind === "zgj-subspace") {
    sizes.push(
      {
        field: "student.init.samples",
        value: init.samples,
        unit: "samples",
        times: [["dimension", d]],
      },
      { field: "dimension", value: d, unit: "", times: [], square: "zgj-subspace's d×d matrix" },
    );
  }
  if (init.kind === "zgj-random" || init.kind === "zgj-subspace")
    sizes.push({
      field: "student.width",
      value: m,
      unit: "students",
      times: [],
      square: `${init.kind}'s m×m kernel matrix`,
    });
  if (spec.metrics.includes("wa_components"))
    sizes.push({
      field: "student.width",
      value: m,
      unit: "students",
      times: [],
      square: "the m×m Gram matrix of wa_components",
    });
  if (spec.activation === "quadratic" && loss.kind === "population")
    sizes.push({
      field: "dimension",
      value: d,
      unit: "",
      times: [],
      square: "the d×d matrix of the quadratic population loss",
    });
  return sizes;
}

/** Messages for the arrays that would exceed MAX_ARRAY_LENGTH, at most one per field. */
export function arraySizeProblems(sizes: ArraySize[]): SpecProblem[] {
  const tightest = new Map<string, { size: ArraySize; limit: number }>();
  for (const size of sizes) {
    const others = size.square ? size.value : size.times.reduce((p, [, v]) => p * v, 1);
    // a factor that is itself too large is reported by its own (single-factor) entry
    if (size.times.some(([, v]) => v > MAX_ARRAY_LENGTH)) continue;
    const limit = size.square
      ? Math.floor(Math.sqrt(MAX_ARRAY_LENGTH))
      : Math.floor(MAX_ARRAY_LENGTH / others);
    const prev = tightest.get(size.field);
    if (size.value > limit && (!prev || limit < prev.limit))
      tightest.set(size.field, { size, limit });
  }
  return [...tightest.values()].map(({ size, limit }) => {
    const v = formatValue(size.value);
    const unit = size.unit ? ` ${size.unit}` : "";
    const largest = `exceeds the largest array (${formatCount(MAX_ARRAY_LENGTH)} numbers); at most ${limit}`;
    if (size.square) {
      return {
        path: size.field,
        message: `${v} × ${v} = ${formatCount(size.value * size.value)} numbers for ${size.square} ${largest}`,
      };
    }
    if (!size.times.length) return { path: size.field, message: `${v} ${largest}` };
    const product = size.times.reduce((p, [, x]) => p * x, size.value);
    const factors = size.times.map(([label, x]) => ` × ${label} ${formatValue(x)}`).join("");
    return {
      path: size.field,
      message: `${v}${unit}${factors} = ${formatCount(product)} numbers ${largest}`,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Names

/**
 * Spec names become folder names (overparam-results/<name>-<time>): letters, digits and
 * . _ + - only, starting with a letter or digit, so a name can never leave the results folder.
 */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,99}$/;

// ---------------------------------------------------------------------------------------------
// Cross-field rules

function semanticProblems(spec: Spec): SpecProblem[] {
  const p: SpecProblem[] = [];
  const add = (path: string, message: string) => p.push({ path, message });
  const { loss, optimizer, teacher, student } = spec;
  const d = spec.dimension;
  const m = student.width;
  const r = teacherNeuronCount(spec);

  if (!SAFE_NAME.test(spec.name)) {
    add(
      "name",
      `must be 1 to 100 letters, digits, '.', '_', '+' or '-', starting with a letter or digit (it names the run folder; got ${show(spec.name)})`,
    );
  }
  p.push(...arraySizeProblems(arraySizes(spec)));

  if (loss.kind === "population") {
    if (teacher.kind === "noise")
      add("loss.kind", "population needs a neuron teacher (teacher.kind is noise); use empirical");
    if (spec.inputs !== "gaussian")
      add("loss.kind", "population is defined for inputs: gaussian (inputs is sphere)");
  }
  if (loss.method === "quadrature" && loss.kind !== "population") {
    add("loss.method", "quadrature applies to the population loss only");
  }
  if (loss.kind === "online" && optimizer.kind !== "gd") {
    add(
      "optimizer.kind",
      `online loss draws a fresh batch per step and needs optimizer.kind gd (got ${optimizer.kind})`,
    );
  }
  if (optimizer.kind === "sgd") {
    if (loss.kind !== "empirical")
      add(
        "optimizer.kind",
        "sgd samples mini-batches of a training set; needs loss.kind empirical",
      );
    else if (!loss.train?.inputs && optimizer.batchSize > loss.trainSize) {
      add("optimizer.batchSize", `${optimizer.batchSize} exceeds loss.trainSize ${loss.trainSize}`);
    }
  }
  if (loss.train?.labels && !loss.train.inputs)
    add("loss.train.labels", "given without loss.train.inputs");
  if (loss.test?.labels && !loss.test.inputs)
    add("loss.test.labels", "given without loss.test.inputs");
  if (teacher.kind === "explicit" && typeof teacher.neurons !== "string") {
    teacher.neurons.forEach((row, n) => {
      if (row.length !== d)
        add(`teacher.neurons.${n}`, `has ${row.length} entries; must have dimension = ${d}`);
    });
  }
  if (
    "outputWeights" in teacher &&
    Array.isArray(teacher.outputWeights) &&
    r !== null &&
    teacher.outputWeights.length !== r
  ) {
    add(
      "teacher.outputWeights",
      `has ${teacher.outputWeights.length} entries; must have one per teacher neuron (${r})`,
    );
  }

  const init = student.init;
  const angular =
    spec.activation === "relu" || spec.activation === "abs" || spec.activation === "linear";
  if ((init.kind === "zgj-random" || init.kind === "zgj-subspace") && !angular) {
    add(
      "student.init.kind",
      `${init.kind} needs a positively homogeneous activation (relu, abs, linear); got ${spec.activation}`,
    );
  }
  if (
    (init.kind === "zgj-random" || init.kind === "zgj-subspace") &&
    student.parameterization === "ntk"
  ) {
    add(
      "student.init.kind",
      `${init.kind} is defined for the norm-weighted or plain parameterization`,
    );
  }
  if (
    (init.kind === "zgj-random" || init.kind === "zgj-subspace" || init.kind === "near-teacher") &&
    teacher.kind === "noise"
  ) {
    add("student.init.kind", `${init.kind} needs a neuron teacher (teacher.kind is noise)`);
  }
  if (init.kind === "explicit") {
    if (init.weights.length !== m)
      add(
        "student.init.weights",
        `has ${init.weights.length} rows; must have one per student (student.width ${m})`,
      );
    init.weights.forEach((row, i) => {
      if (row.length !== d)
        add(`student.init.weights.${i}`, `has ${row.length} entries; must have dimension = ${d}`);
    });
  }
  if (init.kind === "symmetric-pairs" && m % 2 !== 0) {
    add(
      "student.width",
      `symmetric-pairs duplicates each student with output weights +1 and −1; must be even (got ${m})`,
    );
  }
  if (init.kind === "zgj-pair" && (r !== 1 || m !== 2)) {
    add("student.init.kind", "zgj-pair needs student.width 2 and a single-neuron teacher");
  }
  if ((init.kind === "xd-toy" || init.kind === "zgj-pair") && d < 2) {
    add("dimension", `${init.kind} needs dimension ≥ 2 for a direction orthogonal to the teacher`);
  }
  if (init.kind === "xd-toy") {
    if (r !== 1) add("student.init.kind", "xd-toy needs a single-neuron teacher");
    if (init.case === 1 && m !== 2)
      add("student.width", `XD toy case 1 is a pair of students; must be 2 (got ${m})`);
    if (init.case === 2 && init.lambdas && init.lambdas.length !== m) {
      add(
        "student.init.lambdas",
        `has ${init.lambdas.length} entries; must have one per student (${m})`,
      );
    }
  }

  for (const name of spec.metrics) {
    const metric = findMetric(name);
    if (!metric) {
      add("metrics", `unknown metric "${name}"; allowed: ${metricNames.join(", ")}`);
      continue;
    }
    const why = metric.applies(spec);
    if (why) add("metrics", `${name} does not apply to this spec: it ${why}`);
  }
  if (spec.sweep) add("sweep", "must be expanded before validation (internal error)");
  return p;
}
