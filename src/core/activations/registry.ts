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
export const activations: Readonly<Record<string, Activation>> = Object.freeze(
  Object.fromEntries(
    [relu, absolute, quadratic, linear, erfActivation].map((a) => [a.name, a] as const),
  ),
);

export const activationNames = Object.keys(activations) as readonly string[];

export function getActivation(name: string): Activation {
  const a = activations[name];
  if (!a)
    throw new RangeError(`unknown activation "${name}"; allowed: ${activationNames.join(", ")}`);
  return a;
}
