import { z } from "zod";
import { specSchema } from "./schema.js";

/**
 * The spec as a JSON Schema (draft 2020-12), generated from the zod schema that validates
 * spec files, so the two cannot disagree. It describes the document as written (defaults may
 * be omitted); editors use it to complete and check spec files
 * (`# yaml-language-server: $schema=…`). Cross-field rules (e.g. sgd needs an empirical loss)
 * are checked by validateSpec only.
 */
export function specJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(specSchema, { io: "input", unrepresentable: "any" }) as Record<
    string,
    unknown
  >;
  describe(schema, "");
  return {
    ...schema,
    title: "overparam experiment spec",
    description:
      "One run (or a sweep of runs) of a two-layer network in the teacher–student setting: teacher, student, loss, optimizer, what to record.",
  };
}

/**
 * What each field means, shown by editors on hover and by the lab's form (by dotted path; a
 * field that appears under several kinds, e.g. teacher.norm, has one text).
 */
export const fieldDescriptions: Record<string, string> = {
  name: "Names the run; the default output folder is overparam-results/<name>-<time>. Letters, digits, . _ + -",
  description: "One line (or more) saying what the run is for",
  paper:
    "The paper this spec reproduces: wa (Wang & Abernethy), du (Du et al.), xd (Xu & Du), zgj (Zhou, Ge & Jin)",
  seed: "Every random draw (teacher, data, initial weights, batches) derives from it: same seed, identical metrics.csv",
  dimension: "Input dimension d",
  activation: "σ of teacher and student: relu | abs | quadratic | linear | erf",
  inputs: "x ~ N(0, I_d) (gaussian) or uniform on the unit sphere (sphere, DU)",
  teacher: "f*(x) = Σ bₙ σ(vₙᵀx): the target network",
  "teacher.kind":
    "single (v = norm·e₁) | random | separated (ZGJ Assumption 1) | explicit | noise (labels independent of x, DU)",
  "teacher.norm": "‖vₙ‖ of each teacher neuron",
  "teacher.outputWeight": "b of the single teacher neuron",
  "teacher.neurons": "Number of teacher neurons r (explicit: r×d rows inline or a .npy file)",
  "teacher.separation": "Δ in radians: all pairwise angles in [Δ, π − Δ]",
  "teacher.outputWeights":
    "bₙ: ones | signs (uniform ±1) | a list (explicit: a list or a .npy file)",
  "teacher.std": "Labels are i.i.d. N(0, std²)",
  student: "f(x) = Σ aᵢ σ(uᵢᵀx), the trained network",
  "student.width": "Number of student neurons m",
  "student.parameterization":
    "plain (uᵢ = wᵢ) | ntk (output weights ±1/√m, DU) | norm-weighted (uᵢ = ‖wᵢ‖wᵢ, ZGJ)",
  "student.trainOutput": "Also train the output weights",
  "student.outputWeights":
    "Raw output weights: ones | signs | a .npy file (default signs for ntk, else ones)",
  "student.init": "Initial weights",
  "student.init.kind":
    "gaussian | du | zgj-random (ZGJ Alg. 1) | zgj-subspace (Alg. 2) | near-teacher | xd-toy | zgj-pair | symmetric-pairs | file | explicit",
  "student.init.scale":
    "Standard deviation of each entry of wᵢ (divided by √d with scaleBy: sqrt-d)",
  "student.init.scaleBy": "none | sqrt-d (WA: 0.01·N(0, I/d))",
  "student.init.samples": "Samples N for M̂ = (1/N)Σ yₖ(xₖxₖᵀ − I) (ZGJ Algorithm 2)",
  "student.init.noise": "Standard deviation of the perturbation of each teacher direction",
  "student.init.case":
    "XD Appendix A toy case: 1 mirror-symmetric pair, 2 all parallel to v, 3 all equal",
  "student.init.lambda1": "w = λ₁v + λ₂v⊥ (cases 1 and 3)",
  "student.init.lambda2": "w = λ₁v + λ₂v⊥ (cases 1 and 3; case 1's second student has −λ₂)",
  "student.init.lambdas": "Case 2: wᵢ = λᵢv, one λ per student",
  "student.init.delta": "Angle δ of the two students to the teacher (ZGJ Claim 2)",
  "student.init.weights":
    "m×d initial weights: a .npy file (kind file) or rows inline (kind explicit)",
  loss: "What gradient descent minimises",
  "loss.kind":
    "population (closed form over x ~ N(0, I)) | empirical (a fixed training set) | online (a fresh batch every step)",
  "loss.scale": "c in c·E[(f − y)²]: ½ for XD, ZGJ, DU; ¼ for WA",
  "loss.reduction": "Empirical losses: mean over samples (WA) or sum (DU)",
  "loss.trainSize": "Training samples N (empirical loss)",
  "loss.testSize": "Held-out samples for test_loss",
  "loss.batchSize": "Samples per step of the online loss",
  "loss.train": "Training inputs (N×d) and labels (N) from .npy files",
  "loss.test": "Test inputs and labels from .npy files",
  "loss.train.inputs": "N×d training inputs (.npy, relative to the spec file)",
  "loss.train.labels": "N training labels (.npy); without it the teacher labels the inputs",
  "loss.test.inputs": "Test inputs (.npy, relative to the spec file)",
  "loss.test.labels": "Test labels (.npy); without it the teacher labels the inputs",
  "loss.method":
    "Population loss: the activation's closed form, or Gauss–Hermite quadrature (for checking)",
  "loss.quadratureNodes": "Gauss–Hermite nodes per dimension of the quadrature",
  optimizer: "The dynamics",
  "optimizer.kind":
    "gd | sgd (mini-batches of the training set) | flow (gradient flow, adaptive Dormand–Prince 5(4))",
  "optimizer.lr": "Step size η",
  "optimizer.steps": "Number of steps T",
  "optimizer.batchSize": "SGD mini-batch size",
  "optimizer.time": "Gradient flow: integrate to this time t",
  "optimizer.rtol": "Gradient flow: relative tolerance per step",
  "optimizer.atol": "Gradient flow: absolute tolerance per step",
  "optimizer.maxSteps": "Gradient flow: give up after this many integrator steps",
  record: "When rows are recorded: a log-spaced grid, plus the last step",
  "record.pointsPerDecade": "Recorded steps (or times) per decade",
  "record.firstTime": "Gradient flow: the first recorded positive time",
  metrics: "What each recorded row holds (see `overparam metrics`)",
  stop: "When a run ends early",
  "stop.divergenceFactor":
    "Diverged when the loss exceeds this factor times its initial value (or is not finite)",
  "stop.lossBelow": "Stop when the training loss falls to this value",
  sweep: "Field path → list of values; the product is run, one run folder per combination",
  reproduce: "How `overparam reproduce` runs this preset (seeds; what --full and --tiny change)",
  seeds: "`overparam sweep`: seeds per sweep point, a count (seed, seed + 1, …) or a list",
  summary:
    "`overparam sweep`: what to extract from each run (runs.csv, cells.csv) and what to draw",
  "summary.converged":
    "A run converged when this metric's final value is ≤ below (else stalled or diverged)",
  "summary.converged.metric": "The metric judged (default loss)",
  "summary.converged.below": "The threshold",
  "summary.quantities":
    "Per-run quantities: final (last value), first-below / first-above (first step or time past a threshold), tail (fitted exponent, rate and decay class)",
  "summary.plots": "heatmap over two swept fields, or lines over one with a band over seeds",
  "reproduce.seeds": "Quick mode runs seeds seed, seed + 1, … of every sweep point",
  "reproduce.full": "What `reproduce --full` changes: the papers' own sizes",
  "reproduce.full.seeds": "Seeds in full mode",
  "reproduce.full.set":
    "Field path → value applied in full mode (the path sweep replaces the sweep)",
  "reproduce.tiny": "What `reproduce --tiny` changes: smoke-test sizes for the tests",
  "reproduce.tiny.seeds": "Seeds in tiny mode",
  "reproduce.tiny.set": "Field path → value applied in tiny mode",
};

function describe(node: unknown, path: string): void {
  if (!node || typeof node !== "object") return;
  const n = node as Record<string, unknown>;
  const properties = n.properties as Record<string, unknown> | undefined;
  if (properties)
    for (const [key, child] of Object.entries(properties)) {
      const p = path ? `${path}.${key}` : key;
      const text = fieldDescriptions[p];
      if (text && child && typeof child === "object" && !("description" in child))
        (child as Record<string, unknown>).description = text;
      describe(child, p);
    }
  for (const key of ["anyOf", "oneOf", "allOf"])
    if (Array.isArray(n[key])) for (const branch of n[key] as unknown[]) describe(branch, path);
}
