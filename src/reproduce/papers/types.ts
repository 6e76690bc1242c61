import type { Verdict } from "../../analysis/verdict.js";
import type { Figure } from "../../plot/charts.js";
import type { LoadedRun } from "../load.js";
import type { Mode } from "../plan.js";
import { type Claim, judgeClaims } from "./claim.js";

/** What a paper's figures and verdicts are computed from: every run of its presets. */
export interface PaperData {
  mode: Mode;
  runs: readonly LoadedRun[];
}

/**
 * One paper of the reproduction: how to draw its figures and which claims it makes (the presets
 * themselves are the specs in presets/ whose `paper` is this key). Figures and claims must cope
 * with missing or failed runs: they draw what exists and say "failed" for a claim whose
 * evidence is missing. `verdicts` is the claims judged in list order.
 */
export interface Paper {
  key: string;
  title: string;
  citation: string;
  figures(data: PaperData): Figure[];
  claims: readonly Claim<unknown>[];
  verdicts(data: PaperData): Verdict[];
}

/** A paper from its figures and its list of claims. */
export function definePaper(p: Omit<Paper, "verdicts">): Paper {
  return { ...p, verdicts: (data) => judgeClaims(p.claims, data) };
}
