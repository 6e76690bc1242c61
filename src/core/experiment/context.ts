import type { Activation } from "../activations/types.js";
import type { Engine } from "../engine.js";
import type { EmpiricalLoss, Sample } from "../losses/empirical.js";
import type { Objective, StudentNetwork } from "../model/objective.js";
import type { Teacher } from "../model/teacher.js";
import type { ExperimentConfig } from "../spec.js";

/** Everything a run is built from, after setup (spec → teacher, data, init). */
export interface RunContext {
  readonly spec: ExperimentConfig;
  /** How to compute (kernels, WebAssembly); shared by the run's losses and metrics. */
  readonly engine: Engine;
  readonly d: number;
  readonly m: number;
  readonly activation: Activation;
  readonly teacher: Teacher | null;
  readonly network: StudentNetwork;
  /** The objective whose gradient drives the dynamics (a batch loss for SGD/online). */
  readonly stepObjective: Objective;
  /** The full training objective: population, or the whole training set. */
  readonly trainObjective: Objective;
  /** Closed-form population objective, when inputs are Gaussian and the teacher is a network. */
  readonly populationObjective: Objective | null;
  /** The activation the population loss is evaluated with (closed form or its quadrature). */
  readonly populationActivation: Activation;
  /** Empirical objective on the test set, if there is one. */
  readonly testObjective: Objective | null;
  readonly train: Sample | null;
  readonly test: Sample | null;
  readonly initialTheta: Float64Array;
  /** Step size for GD/SGD; null for gradient flow. */
  readonly learningRate: number | null;
  readonly trainLoss: EmpiricalLoss | null;
}

/** The state at a recorded point. `gradient` is ∇ of the full training objective at theta. */
export interface ObservedPoint {
  readonly step: number;
  readonly time: number;
  readonly theta: Float64Array;
  readonly loss: number;
  readonly gradient: Float64Array;
}
