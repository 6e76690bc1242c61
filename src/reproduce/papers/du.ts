/**
 * Du, Zhai, Póczos & Singh, "Gradient descent provably optimizes over-parameterized neural
 * networks" (ICLR 2019): Fig. 1 (training loss, fraction of flipped activation patterns and
 * maximum distance from initialization for several widths m) with λ₀ and the Theorem 4.1
 * envelope (1 − ηλ₀/2)ᵏ‖y − u(0)‖².
 */
import { formatNumber, isMonotone, median, semiLogFit } from "../../analysis/series.js";
import type { Verdict } from "../../analysis/verdict.js";
import type { Figure, Series } from "../../plot/charts.js";
import type { LoadedRun } from "../load.js";
import {
  groupBySwept,
  lastValue,
  missingEvidence,
  ofPreset,
  seedSeries,
  seedsPer,
  theoryLine,
  usable,
  verdict,
} from "./common.js";
import type { Paper, PaperData } from "./types.js";

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

function verdicts(data: PaperData): Verdict[] {
  const runs = usable(ofPreset(data.runs, "du-fig1"));
  const groups = widths(runs);
  const out: Verdict[] = [];
  const ms = groups.map(([m]) => m);
  const none = groups.length < 2;
  const seeds = ` (${seedsPer(
    groups.map(([, g]) => g),
    "m",
  )})`;
  const mono = (column: string) =>
    groups.map(([, g]) => median(g.map((r) => lastValue(r, column))));

  for (const [column, claim, what] of [
    [
      "du_flip_fraction",
      "Larger m: fewer activation patterns flip during training (Fig. 1b)",
      "final flip fraction",
    ],
    [
      "du_max_distance",
      "Larger m: smaller maximum distance from initialization (Fig. 1c)",
      "final maxᵣ‖wᵣ − wᵣ(0)‖",
    ],
  ] as const) {
    const rule = `${what} (median over seeds) strictly decreasing in m: reproduced if so; partly if the largest m is below the smallest`;
    if (none) {
      out.push(missingEvidence(P, claim, rule, "fewer than two widths finished"));
      continue;
    }
    const v = mono(column);
    const strict = isMonotone(v, "decreasing", { strict: true }).ok;
    out.push(
      verdict(
        P,
        claim,
        strict ? "reproduced" : v[v.length - 1] < v[0] ? "partly" : "not reproduced",
        ms.map((m, i) => `m=${m}: ${formatNumber(v[i])}`).join(", ") + seeds,
        rule,
      ),
    );
  }

  const rateClaim = "Larger m converges faster (Fig. 1a)";
  const rateRule =
    "linear rate −d log‖y−u‖²/dk fitted over all iterations (median over seeds) increasing in m";
  if (none) out.push(missingEvidence(P, rateClaim, rateRule, "fewer than two widths finished"));
  else {
    const rates = groups.map(([, g]) =>
      median(
        g.map((r) => {
          try {
            return -semiLogFit(Array.from(r.columns.step), Array.from(r.columns.loss)).slope;
          } catch {
            return Number.NaN;
          }
        }),
      ),
    );
    const strict = isMonotone(rates, "increasing", { strict: true }).ok;
    out.push(
      verdict(
        P,
        rateClaim,
        strict ? "reproduced" : rates[rates.length - 1] > rates[0] ? "partly" : "not reproduced",
        ms.map((m, i) => `m=${m}: ${formatNumber(rates[i])}/iter`).join(", ") + seeds,
        rateRule,
      ),
    );
  }

  const envClaim = "Thm. 4.1: ‖y − u(k)‖² ≤ (1 − ηλ₀/2)ᵏ‖y − u(0)‖²";
  const envRule =
    "measured/envelope ≤ 1 at every recorded k, every run: reproduced if all widths, partly if the widest";
  if (groups.length === 0)
    out.push(missingEvidence(P, envClaim, envRule, "no du-fig1 run finished"));
  else {
    const worst = groups.map(([, g]) =>
      Math.max(
        ...g.map((r) => {
          const env = envelope(r);
          const toRes = residualSq(r);
          return Math.max(...env.map((p, i) => toRes(r.columns.loss[i]) / p.y));
        }),
      ),
    );
    const ok = worst.map((w) => w <= 1);
    out.push(
      verdict(
        P,
        envClaim,
        ok.every(Boolean) ? "reproduced" : ok[ok.length - 1] ? "partly" : "not reproduced",
        ms.map((m, i) => `m=${m}: max ratio ${formatNumber(worst[i])}`).join(", ") + seeds,
        envRule,
        "The theorem assumes m = Ω(n⁶/(λ₀⁴δ³)) and η = O(λ₀/n²); our widths and step size are far " +
          "from those, so this checks the envelope, not the theorem's conditions.",
      ),
    );
  }

  const gramClaim = "λ_min(H(k)) stays ≥ λ₀/2 during training (Lemma 3.2, 3.3)";
  const gramRule =
    "min over k of λ_min(H(k))/λ₀: reproduced if ≥ 0.5 for every width, partly if for the widest";
  if (groups.length === 0)
    out.push(missingEvidence(P, gramClaim, gramRule, "no du-fig1 run finished"));
  else {
    const ratios = groups.map(([, g]) =>
      Math.min(
        ...g.map(
          (r) => Math.min(...Array.from(r.columns.du_gram_min_eig ?? [Number.NaN])) / lambda0(r),
        ),
      ),
    );
    const ok = ratios.map((v) => v >= 0.5);
    out.push(
      verdict(
        P,
        gramClaim,
        ok.every(Boolean) ? "reproduced" : ok[ok.length - 1] ? "partly" : "not reproduced",
        ms.map((m, i) => `m=${m}: ${formatNumber(ratios[i])}`).join(", ") +
          `; λ₀ = ${formatNumber(median(runs.map(lambda0)))}${seeds}`,
        gramRule,
      ),
    );
  }
  return out;
}

export const duEtAl: Paper = {
  key: P,
  title: "Gradient descent provably optimizes over-parameterized neural networks",
  citation: "Simon S. Du, Xiyu Zhai, Barnabás Póczos and Aarti Singh, ICLR 2019",
  figures: fig1,
  verdicts,
};
