import { quadratureActivation } from "../activations/quadrature.js";
import { getActivation } from "../activations/registry.js";
import { createEngine, type Engine, type EngineOptions } from "../engine.js";
import { EmpiricalLoss, type Sample } from "../losses/empirical.js";
import { populationLoss } from "../losses/population/index.js";
import { QuadraticMomentLoss } from "../losses/quadraticMoments.js";
import { Objective, type StudentNetwork } from "../model/objective.js";
import { parameterizations } from "../model/parameterization.js";
import { Rng } from "../random/rng.js";
import type { ArrayStore } from "../setup/arrays.js";
import { getArray } from "../setup/arrays.js";
import { makeSample, teacherLabels } from "../setup/data.js";
import { initialWeights, symmetricPairOutputs } from "../setup/init.js";
import { buildTeacher } from "../setup/teacher.js";
import type { ExperimentConfig } from "../spec.js";
import type { RunContext } from "./context.js";

/**
 * spec → setup: teacher, data, initial point and objectives. Each random ingredient draws from
 * its own named stream of the run's seed, so e.g. changing the student width does not change
 * the teacher or the data.
 */
export function setupRun(
  spec: ExperimentConfig,
  arrays: ArrayStore = {},
  engineOptions: EngineOptions | Engine = {},
): RunContext {
  const engine = "wasmInstance" in engineOptions ? engineOptions : createEngine(engineOptions);
  const rng = new Rng(spec.seed);
  const d = spec.dimension;
  const m = spec.student.width;
  const activation = getActivation(spec.activation);
  const teacher = buildTeacher(spec.teacher, d, rng.split("teacher"), arrays);
  const noiseStd = spec.teacher.kind === "noise" ? spec.teacher.std : 1;
  const parameterization = parameterizations[spec.student.parameterization];
  const network: StudentNetwork = {
    m,
    d,
    parameterization,
    outputScale: spec.student.parameterization === "ntk" ? 1 / Math.sqrt(m) : 1,
    trainOutput: spec.student.trainOutput,
  };
  const outputRng = rng.split("output-weights");
  const outputMode =
    spec.student.outputWeights ?? (spec.student.parameterization === "ntk" ? "signs" : "ones");
  let rawOutput: Float64Array;
  if (outputMode === "ones") rawOutput = new Float64Array(m).fill(1);
  else if (outputMode === "signs")
    rawOutput = Float64Array.from({ length: m }, () => outputRng.sign());
  else rawOutput = new Float64Array(getArray(arrays, outputMode).data);
  if (spec.student.init.kind === "du" && spec.student.outputWeights === undefined) {
    rawOutput = Float64Array.from({ length: m }, () => outputRng.sign());
  }
  if (spec.student.init.kind === "symmetric-pairs" && spec.student.outputWeights === undefined) {
    rawOutput = symmetricPairOutputs(m);
  }

  const W = initialWeights(spec.student.init, {
    m,
    d,
    activation,
    parameterization: spec.student.parameterization,
    teacher,
    rng: rng.split("student"),
    arrays,
  });
  const initialTheta = new Float64Array(m * d + (network.trainOutput ? m : 0));
  initialTheta.set(W);
  if (network.trainOutput) initialTheta.set(rawOutput, m * d);

  const lossSpec = spec.loss;
  const c = lossSpec.scale;
  const populationActivation =
    lossSpec.method === "quadrature"
      ? quadratureActivation(activation, lossSpec.quadratureNodes)
      : activation;
  const populationObjective =
    teacher && spec.inputs === "gaussian"
      ? new Objective(
          network,
          populationLoss(populationActivation, teacher, m, c, engine),
          rawOutput,
        )
      : null;

  const loadSample = (
    files: { inputs?: string; labels?: string } | undefined,
    n: number,
    stream: string,
  ): Sample | null => {
    const r = rng.split(stream);
    if (files?.inputs) {
      const X = getArray(arrays, files.inputs);
      const rows = X.shape[0];
      const y = files.labels
        ? new Float64Array(getArray(arrays, files.labels).data)
        : teacherLabels(X.data, rows, d, teacher, activation, r, noiseStd);
      return { n: rows, d, X: new Float64Array(X.data), y };
    }
    return n > 0 ? makeSample(n, d, spec.inputs, teacher, activation, r, noiseStd) : null;
  };

  /**
   * The loss over a fixed sample: for a quadratic activation through the sample's moments when
   * that is cheaper (a step then costs O(d⁴/4 + m·d²) instead of O(N·m·d); issue 4), otherwise
   * the sample loop. Both are exact; tests check they agree to 1e-12.
   */
  const fixedSampleLoss = (sample: Sample) => {
    const p = (d * (d + 1)) / 2;
    return activation.name === "quadratic" && d <= 40 && p * p <= 2 * sample.n * m * d
      ? new QuadraticMomentLoss(m, sample, teacher, c, lossSpec.reduction, engine)
      : new EmpiricalLoss(
          m,
          sample,
          activation,
          c,
          lossSpec.reduction,
          engine.matrixKernels,
          engine.wasmInstance,
        );
  };

  let train: Sample | null = null;
  let trainLoss: EmpiricalLoss | null = null;
  let trainObjective: Objective;
  let stepObjective: Objective;
  if (lossSpec.kind === "population") {
    if (!populationObjective)
      throw new RangeError("population loss needs Gaussian inputs and a neuron teacher");
    trainObjective = populationObjective;
    stepObjective = populationObjective;
  } else if (lossSpec.kind === "empirical") {
    train = loadSample(lossSpec.train, lossSpec.trainSize, "train");
    if (!train) throw new RangeError("empirical loss needs a training set");
    trainLoss = new EmpiricalLoss(
      m,
      train,
      activation,
      c,
      lossSpec.reduction,
      engine.matrixKernels,
      engine.wasmInstance,
    );
    trainObjective = new Objective(network, fixedSampleLoss(train), rawOutput);
    stepObjective =
      spec.optimizer.kind === "sgd"
        ? new Objective(
            network,
            new EmpiricalLoss(
              m,
              train,
              activation,
              c,
              lossSpec.reduction,
              engine.matrixKernels,
              engine.wasmInstance,
            ),
            rawOutput,
          )
        : trainObjective;
  } else {
    // online: the step objective's sample is replaced by a fresh batch before every step
    const batch = makeSample(
      lossSpec.batchSize,
      d,
      spec.inputs,
      teacher,
      activation,
      rng.split("online"),
      noiseStd,
    );
    stepObjective = new Objective(
      network,
      new EmpiricalLoss(
        m,
        batch,
        activation,
        c,
        lossSpec.reduction,
        engine.matrixKernels,
        engine.wasmInstance,
      ),
      rawOutput,
    );
    trainObjective = populationObjective ?? stepObjective;
  }
  const test = loadSample(lossSpec.test, lossSpec.testSize, "test");
  const testObjective = test ? new Objective(network, fixedSampleLoss(test), rawOutput) : null;

  return {
    spec,
    engine,
    d,
    m,
    activation,
    teacher,
    network,
    stepObjective,
    trainObjective,
    populationObjective,
    populationActivation,
    testObjective,
    train,
    test,
    initialTheta,
    learningRate: spec.optimizer.kind === "flow" ? null : spec.optimizer.lr,
    trainLoss,
  };
}
