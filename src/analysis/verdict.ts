/**
 * The outcome of checking one claim of a paper against our measurements (docs/model.md §7:
 * the lab reports what it measures, not what a paper says). Pure data and a pure combiner, so
 * the report can be rebuilt in a browser from the same inputs.
 */

/**
 * - "reproduced": every sub-check of the rule passed;
 * - "partly": some passed;
 * - "not reproduced": the data are there and none passed;
 * - "failed": no evidence — the runs behind the claim failed or did not run.
 */
export type VerdictStatus = "reproduced" | "partly" | "not reproduced" | "failed";

export interface Verdict {
  /** The claim's stable identifier (src/reproduce/papers/claim.ts), e.g. "wa-fig1-entry". */
  id: string;
  /** The claim in words, with the paper's figure / theorem number. */
  claim: string;
  /** Which paper: wa, du, xd or zgj. */
  paper: string;
  status: VerdictStatus;
  /** What was measured, with numbers (formatted by formatNumber). */
  measured: string;
  /** The decision rule applied, stated so a reader can redo it. */
  rule: string;
  /** Caveats: where our setting differs from the paper's, or what the rule cannot see. */
  note?: string;
}

/**
 * Combines sub-checks (one per width, seed or setting the claim covers): all pass →
 * "reproduced"; none pass → "not reproduced"; some → "partly". An empty list is "failed":
 * with nothing checked there is no evidence either way, and calling it "reproduced" (as
 * `[].every` would) would be a false positive.
 */
export function combine(checks: readonly boolean[]): VerdictStatus {
  if (checks.length === 0) return "failed";
  const passed = checks.filter(Boolean).length;
  if (passed === checks.length) return "reproduced";
  if (passed === 0) return "not reproduced";
  return "partly";
}
