import type { Verdict } from "../../analysis/verdict.js";
import type { Figure } from "../../plot/charts.js";
import type { LoadedRun } from "../load.js";
import type { Mode } from "../plan.js";

/** What a paper's figures and verdicts are computed from: every run of its presets. */
export interface PaperData {
  mode: Mode;
  runs: readonly LoadedRun[];
}

/**
 * One paper of the reproduction: how to draw its figures and judge its claims from the runs of
 * its presets (the presets themselves are the specs in presets/ whose `paper` is this key).
 * Both functions must cope with missing or failed runs: they draw what exists and say
 * "failed" for a claim whose evidence is missing.
 */
export interface Paper {
  key: string;
  title: string;
  citation: string;
  figures(data: PaperData): Figure[];
  verdicts(data: PaperData): Verdict[];
}
