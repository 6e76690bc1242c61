/**
 * A claim of a paper, as one record: what the paper says (with its figure / equation number),
 * the presets whose runs it needs, a function from those runs to measured numbers, the rule
 * that turns the numbers into a verdict, and a note. Each paper lists its claims in one file
 * (src/reproduce/papers/<paper>.ts); the report's verdict table, report.json and docs/claims.md
 * are all made from those lists. Adding a claim is adding one record (and a test of its rule on
 * synthetic series in test/reproduce/verdicts.test.ts).
 */
import type { Verdict, VerdictStatus } from "../../analysis/verdict.js";
import type { PaperData } from "./types.js";

/** The evidence is missing: the runs behind the claim failed, did not run, or never got there. */
export interface Missing {
  missing: string;
}

/** What a rule says about measured numbers. */
export interface Judgement {
  status: VerdictStatus;
  /** The numbers, formatted for the table (with seed counts where seeds are compared). */
  measured: string;
  /** A note that depends on the numbers; replaces the claim's own note when given. */
  note?: string;
}

export interface Claim<M = unknown> {
  /** Stable identifier, e.g. "wa-fig1-entry" (report.json, docs/claims.md). */
  id: string;
  /** Paper key: wa, du, xd or zgj. */
  paper: string;
  /** The claim in words, with the paper's figure / theorem / equation number. */
  statement: string;
  /** The presets whose runs the claim reads. */
  presets: readonly string[];
  /** The decision rule, stated so a reader can redo it. */
  rule: string;
  /**
   * How the rule judges a statement with unknown constants, when it does: "scaling" (a fitted
   * slope against the stated power) or "bounded ratio" (a ratio that stays away from 0 or ∞ over
   * the last decades). Absent when the rule compares with an explicit number.
   */
  judgedBy?: "scaling" | "bounded ratio" | "stated, not judged";
  /** Caveats: where our setting differs from the paper's, or what the rule cannot see. */
  note?: string;
  /** Runs → measured numbers, or why there are none. */
  measure(data: PaperData): M | Missing;
  /** The rule applied to the numbers. */
  judge(measured: M): Judgement;
}

/** Declares a claim record (the identity, so TypeScript infers the measured numbers' type). */
export function claim<M>(c: Claim<M>): Claim<M> {
  return c;
}

export function missing(why: string): Missing {
  return { missing: why };
}

function isMissing(v: unknown): v is Missing {
  return (
    typeof v === "object" &&
    v !== null &&
    "missing" in v &&
    typeof (v as Missing).missing === "string" &&
    Object.keys(v).length === 1
  );
}

/**
 * One claim's verdict. Missing evidence, or an error while measuring, is "failed" with the
 * reason: never "reproduced".
 */
export function judgeClaim<M>(c: Claim<M>, data: PaperData): Verdict {
  const base = { id: c.id, paper: c.paper, claim: c.statement, rule: c.rule };
  let j: Judgement;
  try {
    const m = c.measure(data);
    if (isMissing(m)) return { ...base, status: "failed", measured: `no data: ${m.missing}` };
    j = c.judge(m);
  } catch (e) {
    return { ...base, status: "failed", measured: `error: ${(e as Error).message}` };
  }
  const note = j.note ?? c.note;
  return note
    ? { ...base, status: j.status, measured: j.measured, note }
    : { ...base, status: j.status, measured: j.measured };
}

/** The verdicts of a list of claims, in list order. */
export function judgeClaims(claims: readonly Claim<unknown>[], data: PaperData): Verdict[] {
  return claims.map((c) => judgeClaim(c, data));
}

/** all → reproduced, some → partly, none → not reproduced. */
export function status3(all: boolean, some: boolean): VerdictStatus {
  return all ? "reproduced" : some ? "partly" : "not reproduced";
}
