/**
 * What the engine runs: the experiment, fully resolved (every default filled in). These are the
 * core's own types — plain data, no parsing — so the core stays independent of the file format.
 * The spec file's schema (src/spec/schema.ts) produces exactly this shape after validation; a
 * compile-time check there keeps the two in step. Field meanings and the papers they come from
 * are documented on the schema and in docs/model.md.
 */
import type { ActivationName } from "./activations/registry.js";
import type { MetricName } from "./metrics/registry.js";
import type { ParameterizationName } from "./model/parameterization.js";

export type { ActivationName, MetricName, ParameterizationName };

/** A path to a .npy file, resolved by the host into the run's array store. */
export type ArrayPath = string;

export type TeacherConfig =
  | { kind: "single"; norm: number; outputWeight: number }
  | {
      kind: "random";
      neurons: number;
      norm: number;
      outputWeights: "ones" | "signs" | number[];
    }
  | {
      kind: "separated";
      neurons: number;
      separation: number;
      norm: number;
      outputWeights: "ones" | "signs" | number[];
    }
  | { kind: "explicit"; neurons: number[][] | ArrayPath; outputWeights?: number[] | ArrayPath }
  | { kind: "noise"; std: number };

export type InitConfig =
  | { kind: "gaussian"; scale: number; scaleBy: "none" | "sqrt-d" }
  | { kind: "du" }
  | { kind: "zgj-random" }
  | { kind: "zgj-subspace"; samples: number }
  | { kind: "near-teacher"; noise: number }
  | {
      kind: "xd-toy";
      case: 1 | 2 | 3;
      lambda1: number;
      lambda2: number;
      lambdas?: number[];
    }
  | { kind: "zgj-pair"; delta: number }
  | { kind: "symmetric-pairs"; scale: number }
  | { kind: "file"; weights: ArrayPath }
  | { kind: "explicit"; weights: number[][] };

export interface SampleFiles {
  inputs?: ArrayPath;
  labels?: ArrayPath;
}

export interface LossConfig {
  kind: "population" | "empirical" | "online";
  scale: number;
  reduction: "mean" | "sum";
  trainSize: number;
  testSize: number;
  batchSize: number;
  train?: SampleFiles;
  test?: SampleFiles;
  method: "closed-form" | "quadrature";
  quadratureNodes: number;
}

export type OptimizerConfig =
  | { kind: "gd"; lr: number; steps: number }
  | { kind: "sgd"; lr: number; steps: number; batchSize: number }
  | { kind: "flow"; time: number; rtol: number; atol: number; maxSteps: number };

export interface RecordConfig {
  pointsPerDecade: number;
  firstTime: number;
}

/** When a run ends early (see also RunOptions.stop, which overrides these per call). */
export interface StopRules {
  /** "diverged" when the loss exceeds this factor times its initial value (or is not finite). */
  divergenceFactor: number;
  /** Stop when the training loss falls to or below this value. */
  lossBelow?: number;
}

export interface ExperimentConfig {
  name: string;
  seed: number;
  dimension: number;
  activation: ActivationName;
  inputs: "gaussian" | "sphere";
  teacher: TeacherConfig;
  student: {
    width: number;
    parameterization: ParameterizationName;
    trainOutput: boolean;
    init: InitConfig;
    outputWeights?: "ones" | "signs" | ArrayPath;
  };
  loss: LossConfig;
  optimizer: OptimizerConfig;
  record: RecordConfig;
  metrics: MetricName[];
  stop: StopRules;
}
