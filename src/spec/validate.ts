import type { z } from "zod";
import { teacherNeuronCount } from "../core/metrics/applicability.js";
import { findMetric, metricNames } from "../core/metrics/registry.js";
import { type Spec, specSchema } from "./schema.js";

export type Validation = { ok: true; spec: Spec } | { ok: false; problems: string[] };

/**
 * Parses and checks a spec document: schema (types, ranges, unknown fields) and then the
 * cross-field rules that a schema cannot express. Every problem is one line that starts with
 * the field path and says what is allowed; nothing runs unless the list is empty.
 */
export function validateSpec(raw: unknown): Validation {
  const parsed = specSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map(formatIssue) };
  const spec = parsed.data;
  const problems = semanticProblems(spec);
  return problems.length ? { ok: false, problems } : { ok: true, spec };
}

function formatIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.length ? issue.path.map(String).join(".") : "(spec)";
  if (issue.code === "unrecognized_keys") {
    return issue.keys
      .map((k) => `${path === "(spec)" ? "" : `${path}.`}${k}: unknown field`)
      .join("\n");
  }
  if (issue.code === "invalid_union" && "discriminator" in issue && issue.discriminator) {
    return `${path}.${issue.discriminator}: ${issue.message}`;
  }
  return `${path}: ${issue.message}`;
}

function semanticProblems(spec: Spec): string[] {
  const p: string[] = [];
  const { loss, optimizer, teacher, student } = spec;
  const d = spec.dimension;
  const m = student.width;
  const r = teacherNeuronCount(spec);

  if (loss.kind === "population") {
    if (teacher.kind === "noise")
      p.push("loss.kind: population needs a neuron teacher (teacher.kind is noise); use empirical");
    if (spec.inputs !== "gaussian")
      p.push("loss.kind: population is defined for inputs: gaussian (inputs is sphere)");
  }
  if (loss.method === "quadrature" && loss.kind !== "population") {
    p.push("loss.method: quadrature applies to the population loss only");
  }
  if (loss.kind === "online" && optimizer.kind !== "gd") {
    p.push(
      `optimizer.kind: online loss draws a fresh batch per step and needs optimizer.kind gd (got ${optimizer.kind})`,
    );
  }
  if (optimizer.kind === "sgd") {
    if (loss.kind !== "empirical")
      p.push(
        "optimizer.kind: sgd samples mini-batches of a training set; needs loss.kind empirical",
      );
    else if (!loss.train?.inputs && optimizer.batchSize > loss.trainSize) {
      p.push(
        `optimizer.batchSize: ${optimizer.batchSize} exceeds loss.trainSize ${loss.trainSize}`,
      );
    }
  }
  if (loss.train?.labels && !loss.train.inputs)
    p.push("loss.train.labels: given without loss.train.inputs");
  if (loss.test?.labels && !loss.test.inputs)
    p.push("loss.test.labels: given without loss.test.inputs");
  if (teacher.kind === "explicit" && typeof teacher.neurons !== "string") {
    teacher.neurons.forEach((row, n) => {
      if (row.length !== d)
        p.push(`teacher.neurons.${n}: has ${row.length} entries; must have dimension = ${d}`);
    });
  }
  if (
    "outputWeights" in teacher &&
    Array.isArray(teacher.outputWeights) &&
    r !== null &&
    teacher.outputWeights.length !== r
  ) {
    p.push(
      `teacher.outputWeights: has ${teacher.outputWeights.length} entries; must have one per teacher neuron (${r})`,
    );
  }

  const init = student.init;
  const angular =
    spec.activation === "relu" || spec.activation === "abs" || spec.activation === "linear";
  if ((init.kind === "zgj-random" || init.kind === "zgj-subspace") && !angular) {
    p.push(
      `student.init.kind: ${init.kind} needs a positively homogeneous activation (relu, abs, linear); got ${spec.activation}`,
    );
  }
  if (
    (init.kind === "zgj-random" || init.kind === "zgj-subspace") &&
    student.parameterization === "ntk"
  ) {
    p.push(
      `student.init.kind: ${init.kind} is defined for the norm-weighted or plain parameterization`,
    );
  }
  if (
    (init.kind === "zgj-random" || init.kind === "zgj-subspace" || init.kind === "near-teacher") &&
    teacher.kind === "noise"
  ) {
    p.push(`student.init.kind: ${init.kind} needs a neuron teacher (teacher.kind is noise)`);
  }
  if (init.kind === "zgj-pair" && (r !== 1 || m !== 2)) {
    p.push("student.init.kind: zgj-pair needs student.width 2 and a single-neuron teacher");
  }
  if ((init.kind === "xd-toy" || init.kind === "zgj-pair") && d < 2) {
    p.push(`dimension: ${init.kind} needs dimension ≥ 2 for a direction orthogonal to the teacher`);
  }
  if (init.kind === "xd-toy") {
    if (r !== 1) p.push("student.init.kind: xd-toy needs a single-neuron teacher");
    if (init.case === 1 && m !== 2)
      p.push(`student.width: XD toy case 1 is a pair of students; must be 2 (got ${m})`);
    if (init.case === 2 && init.lambdas && init.lambdas.length !== m) {
      p.push(
        `student.init.lambdas: has ${init.lambdas.length} entries; must have one per student (${m})`,
      );
    }
  }

  for (const name of spec.metrics) {
    const metric = findMetric(name);
    if (!metric) {
      p.push(`metrics: unknown metric "${name}"; allowed: ${metricNames.join(", ")}`);
      continue;
    }
    const why = metric.applies(spec);
    if (why) p.push(`metrics: ${name} does not apply to this spec: it ${why}`);
  }
  if (spec.sweep) p.push("sweep: must be expanded before validation (internal error)");
  return p;
}
