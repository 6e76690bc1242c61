import { absolute } from "./absolute.js";
import { erfActivation } from "./erf.js";
import { linear } from "./linear.js";
import { quadratic } from "./quadratic.js";
import { relu } from "./relu.js";
import type { Activation } from "./types.js";

/**
 * Every built-in activation, by name. The names feed the spec schema, `--help` and error
 * messages, so adding an activation here is all that is needed to make it usable.
 */
export const activations = Object.freeze({
  relu,
  abs: absolute,
  quadratic,
  linear,
  erf: erfActivation,
} satisfies Record<string, Activation>);

/** The activation names as a literal union ("relu" | "abs" | …): typos fail at compile time. */
export type ActivationName = keyof typeof activations;

export const activationNames = Object.keys(activations) as [ActivationName, ...ActivationName[]];

export function getActivation(name: string): Activation {
  const a = (activations as Readonly<Record<string, Activation>>)[name];
  if (!a)
    throw new RangeError(`unknown activation "${name}"; allowed: ${activationNames.join(", ")}`);
  return a;
}
