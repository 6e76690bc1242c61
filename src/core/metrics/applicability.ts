import type { ExperimentConfig } from "../spec.js";

/** Number of teacher neurons a spec implies, or null for noise / file-defined teachers. */
export function teacherNeuronCount(spec: ExperimentConfig): number | null {
  const t = spec.teacher;
  switch (t.kind) {
    case "single":
      return 1;
    case "random":
    case "separated":
      return t.neurons;
    case "explicit":
      return typeof t.neurons === "string" ? null : t.neurons.length;
    case "noise":
      return 0;
  }
}

export function needsNeuronTeacher(spec: ExperimentConfig): string | null {
  return spec.teacher.kind === "noise" ? "needs a neuron teacher (teacher.kind is noise)" : null;
}

export function needsSingleTeacher(spec: ExperimentConfig): string | null {
  const r = teacherNeuronCount(spec);
  if (r === 0) return "needs a single-neuron teacher (teacher.kind is noise)";
  if (r !== null && r !== 1) return `needs a single-neuron teacher (the teacher has ${r} neurons)`;
  return null;
}

export function needsTrainingSet(spec: ExperimentConfig): string | null {
  return spec.loss.kind === "empirical"
    ? null
    : `needs a fixed training set (loss.kind is ${spec.loss.kind})`;
}

export function firstProblem(...problems: (string | null)[]): string | null {
  return problems.find((p) => p !== null) ?? null;
}
