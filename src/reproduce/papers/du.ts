/**
 * Du, Zhai, Póczos & Singh, "Gradient descent provably optimizes over-parameterized neural
 * networks" (ICLR 2019): Fig. 1 (training loss, fraction of flipped activation patterns and
 * maximum distance from initialization for several widths m) with λ₀ and the Theorem 4.1
 * envelope (1 − ηλ₀/2)ᵏ‖y − u(0)‖².
 */
import { formatNumber, isMonotone, logLogFit, median, semiLogFit } from "../../analysis/series.js";
import type { Figure, Series } from "../../plot/charts.js";
import type { LoadedRun } from "../load.js";
import { claim, type Missing, missing, status3 } from "./claim.js";
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

/** R′ = 4√n‖y − u(0)‖/(√m λ₀) of DU Cor. 4.1 for one run (GD; the flow version has no 4). */
function radius(run: LoadedRun, factor = 4): number {
  const n = run.job.spec.loss.trainSize;
  const m = run.job.spec.student.width;
  const start = residualSq(run)(run.columns.loss?.[0] ?? Number.NaN);
  return (factor * Math.sqrt(n) * Math.sqrt(start)) / (Math.sqrt(m) * lambda0(run));
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
    const R = median(group.map((r) => radius(r)));
    const last = group[0].columns.step?.at(-1) ?? 0;
    if (Number.isFinite(R) && last > 0)
      dist.push(
        theoryLine(`R′, m = ${m}`, [
          { x: 0, y: R },
          { x: last, y: R },
        ]),
      );
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
        "patterns flipped since initialization; (c) maxᵣ‖wᵣ(k) − wᵣ(0)‖ with Cor. 4.1's radius " +
        "R′ = 4√n‖y − u(0)‖/(√m λ₀) (dashed); (d) λ_min(H(k)) with λ₀. " +
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
          logY: true,
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

/** Thm. 3.2 / 3.3 on du-flow (GD with a small step standing in for the flow, t = ηk). */
function flowClaim(id: string, both: boolean, statement: string) {
  return claim({
    id,
    paper: P,
    statement,
    presets: ["du-flow"],
    rule:
      `du-flow runs with student.trainOutput ${both}: max over recorded k of ‖y − u(k)‖²/(exp(−λ₀ηk)‖y − u(0)‖²), ` +
      "the largest over seeds per m: reproduced if ≤ 1 for every width, partly if for the widest",
    note:
      "The flow is approximated by GD with η = 0.05 (t = ηk): the adaptive integrator is impractical for ReLU " +
      "nets of this size (the n·m activation boundaries make its step size collapse). The theorem's width " +
      "m = Ω(n⁶/(λ₀⁴δ³)) is far above ours, as in the Thm. 4.1 row.",
    measure: (data) => {
      const runs = usable(ofPreset(data.runs, "du-flow")).filter(
        (r) => r.job.spec.student.trainOutput === both,
      );
      const groups = widths(runs);
      if (groups.length === 0) return missing(`no du-flow run with trainOutput ${both} finished`);
      return {
        groups,
        worst: groups.map(([, g]) =>
          Math.max(
            ...g.map((r) => {
              const eta = (r.job.spec.optimizer as { lr?: number }).lr ?? Number.NaN;
              const l0 = lambda0(r);
              const loss = r.columns.loss;
              return Math.max(
                ...Array.from(
                  r.columns.step,
                  (k, i) => loss[i] / (loss[0] * Math.exp(-l0 * eta * k)),
                ),
              );
            }),
          ),
        ),
      };
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
  });
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
      const run = groups[0][1][0];
      const n = run.job.spec.loss.trainSize;
      const l0 = median(groups.flatMap(([, g]) => g.map(lambda0)));
      return { groups, worst, n, required: n ** 6 / (l0 ** 4 * 0.1 ** 3) };
    },
    judge: ({ groups, worst, n, required }) => {
      const ok = worst.map((w) => w <= 1);
      const widest = groups[groups.length - 1][0];
      return {
        status: ok.every(Boolean) ? "reproduced" : ok[ok.length - 1] ? "partly" : "not reproduced",
        measured:
          groups.map(([m], i) => `m=${m}: max ratio ${formatNumber(worst[i])}`).join(", ") +
          perM(groups) +
          `; the widest m is ${formatNumber(widest / required)} of n⁶/(λ₀⁴δ³) = ${formatNumber(required)} ` +
          `(n = ${n}, δ = 0.1; the Ω's constant is unknown: stated, not judged)`,
      };
    },
  }),
  claim({
    id: "du-cor41-radius",
    paper: P,
    statement:
      "Cor. 4.1 / Thm. 4.1's proof: every neuron stays within R′ = 4√n‖y − u(0)‖/(√m λ₀) of its initialization",
    presets: ["du-fig1"],
    rule:
      "per run, max over recorded k of maxᵣ‖wᵣ(k) − wᵣ(0)‖ / R′ (R′ from the run's own ‖y − u(0)‖ and λ₀); the " +
      "largest over seeds per m: reproduced if ≤ 1 for every width, partly if for the widest",
    note:
      "R′ is what the proof needs to stay below R (activation patterns barely change); it assumes λ_min(H(k)) ≥ λ₀/2 " +
      "along the way, which the Lemma 3.2 row checks.",
    measure: (data) => {
      const groups = widthGroups(data, 1);
      if ("missing" in groups) return groups;
      return {
        groups,
        ratios: groups.map(([, g]) =>
          Math.max(
            ...g.map((r) => {
              const R = radius(r);
              return Math.max(...Array.from(r.columns.du_max_distance ?? [Number.NaN])) / R;
            }),
          ),
        ),
      };
    },
    judge: ({ groups, ratios }) => {
      const ok = ratios.map((v) => v <= 1);
      return {
        status: ok.every(Boolean) ? "reproduced" : ok[ok.length - 1] ? "partly" : "not reproduced",
        measured:
          groups.map(([m], i) => `m=${m}: max distance/R′ ${formatNumber(ratios[i])}`).join(", ") +
          perM(groups),
      };
    },
  }),
  claim({
    id: "du-lemma31-init-gram",
    paper: P,
    statement:
      "Lemma 3.1: ‖H(0) − H^∞‖₂ ≤ λ₀/4 once m = Ω(n² log(n/δ)/λ₀²); it shrinks like 1/√m (Hoeffding)",
    presets: ["du-lemma31"],
    judgedBy: "scaling",
    rule:
      "per m, the median over seeds of ‖H(0) − H^∞‖₂; least-squares slope of its log against log m: reproduced if " +
      "within −0.5 ± 0.1 and the largest m has ‖H(0) − H^∞‖₂ ≤ λ₀/4 in every seed; partly if one of the two; " +
      "not reproduced if neither",
    measure: (data) => {
      const groups = widths(usable(ofPreset(data.runs, "du-lemma31")));
      if (groups.length < 2) return missing("fewer than two widths of du-lemma31 finished");
      const dev = (r: LoadedRun) => Number(r.summary.du_gram_init_deviation ?? Number.NaN);
      return {
        groups,
        rows: groups.map(([m, g]) => ({
          m,
          deviation: median(g.map(dev)),
          worstRatio: Math.max(...g.map((r) => dev(r) / (lambda0(r) / 4))),
        })),
      };
    },
    judge: ({ groups, rows }) => {
      const fit = logLogFit(
        rows.map((r) => r.m),
        rows.map((r) => r.deviation),
      );
      const slopeOk = Math.abs(fit.slope + 0.5) <= 0.1;
      const boundOk = rows[rows.length - 1].worstRatio <= 1;
      const first = rows.find((r) => r.worstRatio <= 1);
      return {
        status: status3(slopeOk && boundOk, slopeOk || boundOk),
        measured:
          `slope ${formatNumber(fit.slope)}; ` +
          rows
            .map(
              (r) =>
                `m=${r.m}: ${formatNumber(r.deviation)} (worst /(λ₀/4) ${formatNumber(r.worstRatio)})`,
            )
            .join(", ") +
          `; ≤ λ₀/4 in every seed from m = ${first ? first.m : "never"}${perM(groups)}`,
      };
    },
  }),
  flowClaim(
    "du-thm32-flow",
    false,
    "Thm. 3.2 (gradient flow, first layer): ‖y − u(t)‖² ≤ exp(−λ₀t)‖y − u(0)‖²",
  ),
  flowClaim(
    "du-thm33-both-layers",
    true,
    "Thm. 3.3 (gradient flow, both layers trained): ‖y − u(t)‖² ≤ exp(−λ₀t)‖y − u(0)‖²",
  ),
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
