import type { ObservedPoint, RunContext } from "../experiment/context.js";
import type { ExperimentConfig } from "../spec.js";

/**
 * A metric is one observer: it says whether it applies to a spec (checked before anything
 * runs), which CSV columns it fills, and computes them at each recorded point. Per-neuron
 * metrics expand to `name[i]` columns.
 */
export interface Metric {
  readonly name: string;
  readonly description: string;
  /** null if the metric applies; otherwise why not (one line, shown to the user). */
  applies(spec: ExperimentConfig): string | null;
  create(ctx: RunContext): MetricObserver;
}

export interface MetricObserver {
  readonly columns: readonly string[];
  /** Appends one value per column, in order. */
  observe(point: ObservedPoint, out: number[]): void;
  /** Optional hook run after every optimization step (for first-passage quantities). */
  everyStep?(point: ObservedPoint): void;
  /** Scalars written to the manifest's summary at the end. */
  summary?(): Record<string, number | string | null>;
}

export function indexed(name: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${name}[${i}]`);
}
