import { z } from "zod";
import { activationNames } from "../core/activations/registry.js";
import { metricNames } from "../core/metrics/registry.js";
import { parameterizationNames } from "../core/model/parameterization.js";
import type { ExperimentConfig } from "../core/spec.js";

/**
 * The experiment spec: one declarative document (YAML or JSON) that fully determines a run
 * together with its seed. Every field has a default where a sensible one exists; unknown
 * fields are errors (a typo must not silently fall back to a default).
 *
 * Paths to `.npy` files are relative to the spec file.
 */

const positiveInt = z.number().int().positive();
const nonNegative = z.number().nonnegative();
const finite = z.number().finite();
const npyPath = z.string().regex(/\.npy$/i, { message: "must be a path to a .npy file" });

export const teacherSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("single"),
    /** ‖v‖; the neuron is norm·e₁ (WA: w* = e₁, XD: ‖v‖ = 1). */
    norm: z.number().positive().default(1),
    outputWeight: finite.default(1),
  }),
  z.strictObject({
    kind: z.literal("random"),
    neurons: positiveInt,
    /** Each neuron is norm·(uniform random unit direction). */
    norm: z.number().positive().default(1),
    outputWeights: z.union([z.enum(["ones", "signs"]), z.array(finite)]).default("ones"),
  }),
  z.strictObject({
    kind: z.literal("separated"),
    neurons: positiveInt,
    /** Δ in radians: all pairwise angles in [Δ, π − Δ] (ZGJ Assumption 1). */
    separation: z
      .number()
      .positive()
      .max(Math.PI / 2),
    norm: z.number().positive().default(1),
    outputWeights: z.union([z.enum(["ones", "signs"]), z.array(finite)]).default("ones"),
  }),
  z.strictObject({
    kind: z.literal("explicit"),
    /** r×d neurons, inline rows or a .npy file. */
    neurons: z.union([z.array(z.array(finite)).min(1), npyPath]),
    outputWeights: z.union([z.array(finite), npyPath]).optional(),
  }),
  z.strictObject({
    kind: z.literal("noise"),
    /** Labels are i.i.d. N(0, std²), independent of x (DU Fig. 1). */
    std: z.number().positive().default(1),
  }),
]);

export const initSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("gaussian"),
    /** wᵢ ~ N(0, s²I) with s = scale, or scale/√d when scaleBy is "sqrt-d" (WA: 0.01·N(0, I/d)). */
    scale: z.number().positive(),
    scaleBy: z.enum(["none", "sqrt-d"]).default("none"),
  }),
  z.strictObject({
    /** DU §3: wᵣ ~ N(0, I), aᵣ ~ uniform{±1}. */
    kind: z.literal("du"),
  }),
  z.strictObject({
    /** ZGJ Algorithm 1: random Gaussian directions, norms by non-negative least squares on the population loss. */
    kind: z.literal("zgj-random"),
  }),
  z.strictObject({
    /** ZGJ Algorithm 2: directions in the top-r eigenspace of M̂ = (1/N)Σ yᵢ(xᵢxᵢᵀ − I), then Algorithm 1. */
    kind: z.literal("zgj-subspace"),
    samples: positiveInt.default(10000),
  }),
  z.strictObject({
    /** Each student starts at its teacher's direction plus N(0, noise²I) (ZGJ Fig. 1c). */
    kind: z.literal("near-teacher"),
    noise: nonNegative.default(0.1),
  }),
  z.strictObject({
    /** XD Appendix A: 1 mirror-symmetric pair, 2 all parallel to v, 3 all equal. */
    kind: z.literal("xd-toy"),
    case: z.union([z.literal(1), z.literal(2), z.literal(3)]),
    /** Case 1 and 3: w = λ₁v + λ₂v⊥ (case 1: the second student has −λ₂). */
    lambda1: finite.default(0.1),
    lambda2: finite.default(0.1),
    /** Case 2: wᵢ = λᵢv, one λ per student (default: all 0.1). */
    lambdas: z.array(finite).optional(),
  }),
  z.strictObject({
    /** ZGJ Claim 2: two students at angles ±δ to the teacher with ‖w₁‖w₁ + ‖w₂‖w₂ = v. */
    kind: z.literal("zgj-pair"),
    delta: z
      .number()
      .positive()
      .lt(Math.PI / 2),
  }),
  z.strictObject({
    /**
     * Lazy-regime pairs (Chizat et al.'s symmetrized init): students 1…m/2 draw wᵢ ~ N(0, τ²I),
     * student i + m/2 copies wᵢ, and the output weights are +1 for the first half and −1 for the
     * second (unless student.outputWeights says otherwise), so f(W₀) = 0 whatever τ. Needs an
     * even width.
     */
    kind: z.literal("symmetric-pairs"),
    /** τ, the init scale. */
    scale: z.number().positive(),
  }),
  z.strictObject({
    kind: z.literal("file"),
    /** m×d student weights. */
    weights: npyPath,
  }),
  z.strictObject({
    /** m×d student weights written inline, one row per student (e.g. ZGJ Claim 1's −wᵢ*). */
    kind: z.literal("explicit"),
    weights: z.array(z.array(finite)).min(1),
  }),
]);

export const lossSchema = z.strictObject({
  /** population: x ~ N(0, I), closed form; empirical: fixed train set; online: fresh batch each step (ZGJ Thm 6). */
  kind: z.enum(["population", "empirical", "online"]).default("population"),
  /** The constant c in c·E[(f − y)²] (XD, ZGJ, DU: ½; WA: ¼). */
  scale: z.number().positive().default(0.5),
  /** Empirical losses: mean over samples (WA eq. 2) or sum (DU eq. 2). */
  reduction: z.enum(["mean", "sum"]).default("mean"),
  trainSize: positiveInt.default(200),
  testSize: z.number().int().nonnegative().default(0),
  /** Online loss: samples per step. */
  batchSize: positiveInt.default(100),
  train: z.strictObject({ inputs: npyPath.optional(), labels: npyPath.optional() }).optional(),
  test: z.strictObject({ inputs: npyPath.optional(), labels: npyPath.optional() }).optional(),
  /** Population loss: the activation's closed form, or the Gauss–Hermite fallback (for checking). */
  method: z.enum(["closed-form", "quadrature"]).default("closed-form"),
  quadratureNodes: positiveInt.max(400).default(64),
});

export const optimizerSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("gd"),
    lr: z.number().positive(),
    steps: z.number().int().nonnegative(),
  }),
  z.strictObject({
    kind: z.literal("sgd"),
    lr: z.number().positive(),
    steps: z.number().int().nonnegative(),
    /** Mini-batch size drawn (without replacement within a batch) from the training set. */
    batchSize: positiveInt,
  }),
  z.strictObject({
    /** Gradient flow dw/dt = −∇L by adaptive Dormand–Prince 5(4). */
    kind: z.literal("flow"),
    time: z.number().positive(),
    rtol: z.number().positive().max(0.1).default(1e-8),
    atol: z.number().positive().default(1e-12),
    maxSteps: positiveInt.default(10_000_000),
  }),
]);

export const recordSchema = z.strictObject({
  /** Recorded steps (or times) per decade of a log-spaced grid; steps 0..9 are always recorded when pointsPerDecade ≥ 10. */
  pointsPerDecade: positiveInt.max(1000).default(20),
  /** For flow: the first recorded positive time (then log-spaced up to the horizon). */
  firstTime: z.number().positive().default(0.01),
});

export const stopSchema = z.strictObject({
  /** The run ends "diverged" when the loss exceeds this factor times its initial value (or is not finite). */
  divergenceFactor: z.number().gt(1).default(1e6),
  /** Optional early stop when the training loss falls below this value. */
  lossBelow: nonNegative.optional(),
});

/**
 * How `overparam reproduce` runs a preset: quick mode runs `seeds` seeds (seed, seed+1, …) of
 * every sweep point; `--full` applies `full.set` (field path → value; the path "sweep" replaces
 * the whole sweep) and runs `full.seeds` seeds; `--tiny` does the same with `tiny` (smoke-test
 * sizes). The engine itself ignores this block.
 */
export const reproduceSchema = z.strictObject({
  seeds: positiveInt.default(1),
  full: z
    .strictObject({
      seeds: positiveInt.optional(),
      set: z.record(z.string(), z.unknown()).default({}),
    })
    .optional(),
  /** Smoke-test sizes (`reproduce --tiny`, used by the test suite): seconds, not minutes. */
  tiny: z
    .strictObject({
      seeds: positiveInt.optional(),
      set: z.record(z.string(), z.unknown()).default({}),
    })
    .optional(),
});

/**
 * What `overparam sweep` extracts from each run and draws (the engine and `run` ignore it).
 * Quantities become columns of runs.csv (one value per run) and of cells.csv (median / min /
 * max over the seeds of a grid cell).
 */
const quantityName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: "must be a word (letters, digits, _)" });
const recordedX = z.enum(["step", "time"]).default("step");
export const summaryQuantitySchema = z.discriminatedUnion("kind", [
  /** The metric's last recorded value. */
  z.strictObject({ name: quantityName, kind: z.literal("final"), metric: z.string() }),
  /** The first recorded step (or time) at which the metric is ≤ threshold; empty if never. */
  z.strictObject({
    name: quantityName,
    kind: z.literal("first-below"),
    metric: z.string().default("loss"),
    threshold: finite,
    x: recordedX,
  }),
  /** The first recorded step (or time) at which the metric is ≥ threshold; empty if never. */
  z.strictObject({
    name: quantityName,
    kind: z.literal("first-above"),
    metric: z.string(),
    threshold: finite,
    x: recordedX,
  }),
  /**
   * The tail of the metric's curve over its last `decades` of x: <name>_exponent (log–log
   * slope), <name>_rate (exponential rate) and <name>_class (linear, polynomial, stalled or
   * undetermined), by the same classifier as `reproduce`.
   */
  z.strictObject({
    name: quantityName,
    kind: z.literal("tail"),
    metric: z.string().default("loss"),
    x: z.enum(["step", "time"]).default("time"),
    decades: z.number().positive().default(1),
  }),
]);

const logChoice = z.union([z.boolean(), z.literal("auto")]).default("auto");
export const summaryPlotSchema = z.discriminatedUnion("kind", [
  /** A phase diagram: one cell per (x, y) grid point coloured by the median over seeds. */
  z.strictObject({
    kind: z.literal("heatmap"),
    /** Swept field paths. */
    x: z.string(),
    y: z.string(),
    /** A quantity, final_loss, wall_seconds, or converged_frac / diverged_frac / stalled_frac. */
    value: z.string(),
    title: z.string().optional(),
    /** auto: log where the values are positive and span a decade or more. */
    logX: logChoice,
    logY: logChoice,
    logValue: logChoice,
  }),
  /** A quantity against one swept axis: median over seeds with a band; a line per other setting. */
  z.strictObject({
    kind: z.literal("lines"),
    x: z.string(),
    y: z.string(),
    title: z.string().optional(),
    band: z.enum(["minmax", "iqr"]).default("minmax"),
    logX: logChoice,
    logY: logChoice,
  }),
]);

export const summarySchema = z.strictObject({
  /** A run "converged" when this metric's final value is ≤ below (else stalled, or diverged). */
  converged: z
    .strictObject({ metric: z.string().default("loss"), below: nonNegative })
    .default({ metric: "loss", below: 1e-8 }),
  quantities: z.array(summaryQuantitySchema).default([]),
  plots: z.array(summaryPlotSchema).default([]),
});

export const specSchema = z.strictObject({
  name: z.string().min(1).default("run"),
  description: z.string().default(""),
  /** Which paper the spec reproduces (wa, du, xd, zgj), if any. */
  paper: z.enum(["wa", "du", "xd", "zgj"]).optional(),
  seed: z.number().int().min(0).max(0xffffffff).default(0),
  /** Input dimension d. */
  dimension: positiveInt,
  activation: z.enum(activationNames),
  /** Input distribution: N(0, I_d) or uniform on the unit sphere (DU). */
  inputs: z.enum(["gaussian", "sphere"]).default("gaussian"),
  teacher: teacherSchema,
  student: z.strictObject({
    width: positiveInt,
    parameterization: z.enum(parameterizationNames).default("plain"),
    trainOutput: z.boolean().default(false),
    init: initSchema,
    /** Raw output weights âᵢ: "ones", "signs" (uniform ±1, DU) or a .npy file; default "signs" for ntk, else "ones". */
    outputWeights: z.union([z.enum(["ones", "signs"]), npyPath]).optional(),
  }),
  loss: lossSchema.default(lossSchema.parse({})),
  optimizer: optimizerSchema,
  record: recordSchema.default(recordSchema.parse({})),
  /** What to record at each recorded step (see `overparam metrics`). */
  metrics: z
    .array(
      z.enum(metricNames, {
        error: (issue) =>
          `unknown metric ${JSON.stringify(issue.input)}; allowed: ${metricNames.join(", ")}`,
      }),
    )
    .min(1)
    .default(["loss"]),
  stop: stopSchema.default(stopSchema.parse({})),
  /** Field path → list of values; `run` expands the product into one run per combination. */
  sweep: z.record(z.string(), z.array(z.unknown()).min(1)).optional(),
  reproduce: reproduceSchema.optional(),
  /** `overparam sweep`: seeds per sweep point, a count (seed, seed+1, …) or a list. */
  seeds: z.union([positiveInt, z.array(z.number().int().min(0).max(0xffffffff)).min(1)]).optional(),
  /** `overparam sweep`: per-run quantities and figures (see summarySchema). */
  summary: summarySchema.optional(),
});

/** A validated spec: every default filled in. */
export type Spec = z.infer<typeof specSchema>;
/** A spec as written: optional fields may be left out. */
export type SpecInput = z.input<typeof specSchema>;
export type TeacherSpec = Spec["teacher"];
export type InitSpec = Spec["student"]["init"];
export type LossSpec = Spec["loss"];
export type OptimizerSpec = Spec["optimizer"];

/**
 * The file format and the engine's own types must agree: a validated spec is what the engine
 * runs (src/core/spec.ts). This line fails to compile when either drifts from the other.
 */
export const specIsExperimentConfig = (spec: Spec): ExperimentConfig => spec;
