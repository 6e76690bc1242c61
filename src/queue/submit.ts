import type { StopHandler } from "../io/interrupt.js";
import type { SweepJob, SweepPlan } from "../sweep/plan.js";
import type { ExternalStatus } from "../sweep/summary.js";
export interface QueueRunOptions {
  url: string;
  runsRoot: string;
  quiet: boolean;
  stopper: StopHandler;
  attempts: number;
  saveWeights: boolean;
}
export async function runOnQueue(
  _plan: SweepPlan,
  _todo: SweepJob[],
  _o: QueueRunOptions,
): Promise<Map<SweepJob, ExternalStatus>> {
  throw new Error("todo");
}
