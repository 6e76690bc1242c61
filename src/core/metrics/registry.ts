import { gradNorm, lossMetric, populationLossMetric, testLoss, weightsMetric } from "./basic.js";
import { duFlips, duGram } from "./du.js";
import { hessianEigenvalues } from "./hessian.js";
import type { Metric } from "./types.js";
import {
  waComponents,
  waDist,
  waHessianForm,
  waHessianPositiveStep,
  waNeurons,
  waPerpPart,
} from "./wa.js";
import { xdAngles, xdPotential, xdRate } from "./xd.js";
import { zgjMatching } from "./zgj.js";

/** Every metric a spec can select, by name (docs/model.md §6). Order here is column order in metrics.csv. */
export const metrics: readonly Metric[] = [
  lossMetric,
  testLoss,
  populationLossMetric,
  gradNorm,
  hessianEigenvalues,
  weightsMetric,
  waDist,
  waHessianForm,
  waHessianPositiveStep,
  waNeurons,
  waComponents,
  waPerpPart,
  xdAngles,
  xdPotential,
  xdRate,
  duFlips,
  duGram,
  zgjMatching,
];

export const metricNames = metrics.map((m) => m.name);

export function findMetric(name: string): Metric | undefined {
  return metrics.find((m) => m.name === name);
}
