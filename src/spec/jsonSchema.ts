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
  return {
    ...schema,
    title: "overparam experiment spec",
    description:
      "One run (or a sweep of runs) of a two-layer network in the teacher–student setting: teacher, student, loss, optimizer, what to record.",
  };
}
