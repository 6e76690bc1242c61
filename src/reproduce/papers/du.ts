/**
 * Du, Zhai, Póczos & Singh, "Gradient descent provably optimizes over-parameterized neural
 * networks" (ICLR 2019): Fig. 1 (training loss, fraction of flipped activation patterns and
 * maximum distance from initialization for several widths m) with λ₀ and the Theorem 4.1
 * envelope (1 − ηλ₀/2)ᵏ‖y − u(0)‖².
 */
import { formatNumber, isMonotone, median, semiLogFit } from "../../analysis/series.js";
import type { Figure, Series } from "../../plot/charts.js";
import type { LoadedRun } from "../load.js";
import { claim, type Missing, missing } from "./claim.js";
import {
  groupBySwept,
  lastValue,
  ofPreset,
  seedSeries,
  seedsPer,
  theoryLine,
  usable,
} from "./common.js";
import { definePaper, type Paper, type PaperData } from "./types.js";

const P = "du";

/** ‖y − u‖² from the recorded loss: the preset's loss is scale·Σ(u − y)² (sum reduction). */
function residualSq(run: LoadedRun): (loss: number) => number {
  const scale = run.job.spec.loss.scale ?? 0.5;
  return (loss) => loss / scale;
}

function lambda0(run: LoadedRun): number {
  return Number(run.summary.du_lambda0 ?? Number.NaN);
}

/** Theorem 4.1's bound for one run: (1 − ηλ₀/2)ᵏ ‖y − u(0)‖² at the recorded steps. */
function envelope(run: LoadedRun): { x: number; y: number }[] {
  const eta = (run.job.spec.optimizer as { lr?: number }).lr ?? Number.NaN;
  const l0 = lambda0(run);
  const steps = run.columns.step;
  const loss = run.columns.loss;
  if (!steps || !loss || !(l0 > 0)) return [];
  const start = residualSq(run)(loss[0]);
  return Array.from(steps, (k) => ({ x: k, y: start * (1 - (eta * l0) / 2) ** k }));
}

function widths(runs: readonly LoadedRun[]): [number, LoadedRun[]][] {
  return [...groupBySwept(runs, "student.width")]
    .map(([k, g]) => [JSON.parse(k) as number, g] as [number, LoadedRun[]])
    .sort((a, b) => a[0] - b[0]);
}

function fig1(data: PaperData): Figure[] {
  const runs = usable(ofPreset(data.runs, "du-fig1"));
  if (runs.length === 0) return [];
  const loss: Series[] = [];
  const flips: Series[] = [];
  const dist: Series[] = [];
  const gram: Series[] = [];
  for (const [m, group] of widths(runs)) {
    loss.push(seedSeries(group, "loss", `m = ${m}`, { map: residualSq(group[0]) }));
    flips.push(seedSeries(group, "du_flip_fraction", `m = ${m}`));
    dist.push(seedSeries(group, "du_max_distance", `m = ${m}`));
    gram.push(seedSeries(group, "du_gram_min_eig", `m = ${m}`));
  }
  const widest = widths(runs).at(-1);
  if (widest) {
    const env = envelope(widest[1][0]);
    if (env.length)
      loss.push(
        theoryLine(`Thm. 4.1 envelope (m = ${widest[0]}, seed ${widest[1][0].job.seed})`, env),
      );
    const l0 = median(widest[1].map(lambda0));
    const last = Math.max(...widest[1].map((r) => r.columns.step?.at(-1) ?? 0));
    if (l0 > 0) {
      gram.push(
        theoryLine(`λ₀ = ${formatNumber(l0)}`, [
          { x: 0, y: l0 },
          { x: last, y: l0 },
        ]),
      );
      gram.push(
        theoryLine("λ₀/2", [
          { x: 0, y: l0 / 2 },
          { x: last, y: l0 / 2 },
        ]),
      );
    }
  }
  const n = runs[0].job.spec.loss.trainSize;
  const d = runs[0].job.spec.dimension;
  return [
    {
      id: "du-fig1",
      title: `DU Fig. 1: two-layer ReLU nets (ntk scaling) fitting random labels, n = ${n}, d = ${d}`,
      caption:
        "(a) ‖y − u(k)‖² with the Theorem 4.1 envelope (dashed); (b) fraction of activation " +
        "patterns flipped since initialization; (c) maxᵣ‖wᵣ(k) − wᵣ(0)‖; (d) λ_min(H(k)) with λ₀. " +
        "Median over seeds, band: min–max.",
      columns: 2,
      panels: [
        {
          title: "(a) training loss ‖y − u(k)‖²",
          xLabel: "iteration k",
          yLabel: "‖y − u‖²",
          logY: true,
          series: loss,
        },
        {
          title: "(b) pattern flips",
          xLabel: "iteration k",
          yLabel: "fraction flipped",
          series: flips,
        },
        {
          title: "(c) max distance from init",
          xLabel: "iteration k",
          yLabel: "maxᵣ‖wᵣ(k) − wᵣ(0)‖",
          series: dist,
        },
        { title: "(d) λ_min(H(k))", xLabel: "iteration k", yLabel: "eigenvalue", series: gram },
      ],
    },
  ];
}

/** du-fig1's runs grouped by width, or why there are too few to compare. */
function widthGroups(data: PaperData, atLeast: number): [number, LoadedRun[]][] | Missing {
  const groups = widths(usable(ofPreset(data.runs, "du-fig1")));
  if (groups.length >= atLeast) return groups;
  return missing(atLeast > 1 ? "fewer than two widths finished" : "no du-fig1 run finished");
}

const perM = (groups: [number, LoadedRun[]][]) =>
  ` (${seedsPer(
    groups.map(([, g]) => g),
    "m",
  )})`;

/** A per-width value that should fall with m: reproduced if strictly, partly if last < first. */
function decreasingInM(id: string, column: string, statement: string, what: string) {
  return claim({
    id,
    paper: P,
    statement,
    presets: ["du-fig1"],
    rule: `${what} (median over seeds) strictly decreasing in m: reproduced if so; partly if the largest m is below the smallest`,
    measure: (data) => {
      const groups = widthGroups(data, 2);
      if ("missing" in groups) return groups;
      return {
        groups,
        values: groups.map(([, g]) => median(g.map((r) => lastValue(r, column)))),
      };
    },
    judge: ({ groups, values: v }) => ({
      status: isMonotone(v, "decreasing", { strict: true }).ok
        ? "reproduced"
        : v[v.length - 1] < v[0]
          ? "partly"
          : "not reproduced",
      measured: groups.map(([m], i) => `m=${m}: ${formatNumber(v[i])}`).join(", ") + perM(groups),
    }),
  });
}

/** The linear rate −d log‖y−u‖²/dk fitted over all iterations. */
function fittedRate(r: LoadedRun): number {
  try {
    return -semiLogFit(Array.from(r.columns.step), Array.from(r.columns.loss)).slope;
  } catch {
    return Number.NaN;
  }
}

export const duClaims = [
  decreasingInM(
    "du-fig1b-flips",
    "du_flip_fraction",
    "Larger m: fewer activation patterns flip during training (Fig. 1b)",
    "final flip fraction",
  ),
  decreasingInM(
    "du-fig1c-distance",
    "du_max_distance",
    "Larger m: smaller maximum distance from initialization (Fig. 1c)",
    "final maxᵣ‖wᵣ − wᵣ(0)‖",
  ),
  claim({
    id: "du-fig1a-rate",
    paper: P,
    statement: "Larger m converges faster (Fig. 1a)",
    presets: ["du-fig1"],
    rule: "linear rate −d log‖y−u‖²/dk fitted over all iterations (median over seeds) increasing in m",
    measure: (data) => {
      const groups = widthGroups(data, 2);
      if ("missing" in groups) return groups;
      return { groups, rates: groups.map(([, g]) => median(g.map(fittedRate))) };
    },
    judge: ({ groups, rates }) => ({
      status: isMonotone(rates, "increasing", { strict: true }).ok
        ? "reproduced"
        : rates[rates.length - 1] > rates[0]
          ? "partly"
          : "not reproduced",
      measured:
        groups.map(([m], i) => `m=${m}: ${formatNumber(rates[i])}/iter`).join(", ") + perM(groups),
    }),
  }),
  claim({
    id: "du-thm41-envelope",
    paper: P,
    statement: "Thm. 4.1: ‖y − u(k)‖² ≤ (1 − ηλ₀/2)ᵏ‖y − u(0)‖²",
    presets: ["du-fig1"],
    rule: "measured/envelope ≤ 1 at every recorded k, every run: reproduced if all widths, partly if the widest",
    note:
      "The theorem assumes m = Ω(n⁶/(λ₀⁴δ³)) and η = O(λ₀/n²); our widths and step size are far " +
      "from those, so this checks the envelope, not the theorem's conditions.",
    measure: (data) => {
      const groups = widthGroups(data, 1);
      if ("missing" in groups) return groups;
      const worst = groups.map(([, g]) =>
        Math.max(
          ...g.map((r) => {
            const env = envelope(r);
            const toRes = residualSq(r);
            return Math.max(...env.map((p, i) => toRes(r.columns.loss[i]) / p.y));
          }),
        ),
      );
      return { groups, worst };
    },
    judge: ({ groups, worst }) => {
      const ok = worst.map((w) => w <= 1);
      return {
        status: ok.every(Boolean) ? "reproduced" : ok[ok.length - 1] ? "partly" : "not reproduced",
        measured:
          groups.map(([m], i) => `m=${m}: max ratio ${formatNumber(worst[i])}`).join(", ") +
          perM(groups),
      };
    },
  }),
  claim({
    id: "du-lemma32-gram",
    paper: P,
    statement: "λ_min(H(k)) stays ≥ λ₀/2 during training (Lemma 3.2, 3.3)",
    presets: ["du-fig1"],
    rule: "min over k of λ_min(H(k))/λ₀: reproduced if ≥ 0.5 for every width, partly if for the widest",
    measure: (data) => {
      const groups = widthGroups(data, 1);
      if ("missing" in groups) return groups;
      const ratios = groups.map(([, g]) =>
        Math.min(
          ...g.map(
            (r) => Math.min(...Array.from(r.columns.du_gram_min_eig ?? [Number.NaN])) / lambda0(r),
          ),
        ),
      );
      return { groups, ratios, lambda0: median(groups.flatMap(([, g]) => g.map(lambda0))) };
    },
    judge: ({ groups, ratios, lambda0: l0 }) => {
      const ok = ratios.map((v) => v >= 0.5);
      return {
        status: ok.every(Boolean) ? "reproduced" : ok[ok.length - 1] ? "partly" : "not reproduced",
        measured:
          groups.map(([m], i) => `m=${m}: ${formatNumber(ratios[i])}`).join(", ") +
          `; λ₀ = ${formatNumber(l0)}${perM(groups)}`,
      };
    },
  }),
];

export const duEtAl: Paper = definePaper({
  key: P,
  title: "Gradient descent provably optimizes over-parameterized neural networks",
  citation: "Simon S. Du, Xiyu Zhai, Barnabás Póczos and Aarti Singh, ICLR 2019",
  figures: fig1,
  claims: duClaims,
});
