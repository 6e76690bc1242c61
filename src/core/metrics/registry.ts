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

/**
 * Every metric a spec can select, by name (docs/model.md §6): adding a metric is one observer
 * object (see types.ts) and one line here. The key must equal the metric's `name` (a test checks it).
 */
export const metricsByName = Object.freeze({
  loss: lossMetric,
  test_loss: testLoss,
  population_loss: populationLossMetric,
  grad_norm: gradNorm,
  hessian_eigs: hessianEigenvalues,
  weights: weightsMetric,
  wa_dist: waDist,
  wa_hessian_form: waHessianForm,
  wa_hessian_positive_step: waHessianPositiveStep,
  wa_neurons: waNeurons,
  wa_components: waComponents,
  wa_perp_part: waPerpPart,
  xd_angles: xdAngles,
  xd_potential: xdPotential,
  xd_rate: xdRate,
  du_flips: duFlips,
  du_gram: duGram,
  zgj_matching: zgjMatching,
} satisfies Record<string, Metric>);

/** The metric names as a literal union ("loss" | "xd_angles" | …). */
export type MetricName = keyof typeof metricsByName;

export const metricNames = Object.keys(metricsByName) as [MetricName, ...MetricName[]];

/** In registry order (as `overparam metrics` lists them). */
export const metrics: readonly Metric[] = Object.values(metricsByName);

export function findMetric(name: string): Metric | undefined {
  return (metricsByName as Readonly<Record<string, Metric>>)[name];
}
