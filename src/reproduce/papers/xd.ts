/**
 * Xu & Du, "Over-parameterization exponentially slows down gradient descent for learning a
 * single neuron" (COLT 2023): Fig. 1 (loss vs T for n = 1..5 students; log_{ηT} L(T) → −3),
 * Appendix A's toy cases, and the angle / H / Z(t) diagnostics of §4.
 */
import { classifyDecay, formatNumber, logLogFit, median, tail } from "../../analysis/series.js";
import { combine, type Verdict } from "../../analysis/verdict.js";
import type { Figure, Series } from "../../plot/charts.js";
import type { LoadedRun } from "../load.js";
import {
  columnXY,
  firstSeed,
  groupBySwept,
  indexedColumns,
  missingEvidence,
  ofPreset,
  runSeries,
  seedSeries,
  seedsPer,
  swept,
  theoryLine,
  usable,
  verdict,
} from "./common.js";
import type { Paper, PaperData } from "./types.js";

const P = "xd";

/** Steps → ηT, the paper's time axis. */
function etaT(run: LoadedRun): (step: number) => number {
  const lr = (run.job.spec.optimizer as { lr?: number }).lr ?? 1;
  return (s) => s * lr;
}

function withTime(run: LoadedRun): LoadedRun {
  const toT = etaT(run);
  const step = run.columns.step;
  return step ? { ...run, columns: { ...run.columns, eta_t: step.map(toT) } } : run;
}

function tailFit(run: LoadedRun): ReturnType<typeof classifyDecay> | null {
  const { x, y } = columnXY(withTime(run), "loss", { x: "eta_t" });
  try {
    return classifyDecay(x, y);
  } catch {
    return null;
  }
}

function fig1(data: PaperData): Figure[] {
  const runs = usable(ofPreset(data.runs, "xd-fig1")).map(withTime);
  const loss: Series[] = [];
  const rate: Series[] = [];
  for (const [key, group] of groupBySwept(runs, "student.width")) {
    const n = JSON.parse(key);
    loss.push(seedSeries(group, "loss", `n = ${n}`, { x: "eta_t" }));
    rate.push(seedSeries(group, "xd_rate", `n = ${n}`, { x: "eta_t" }));
  }
  // Θ(T⁻³) guide anchored near the median n ≥ 2 end point, over the last two decades.
  const anchors = loss.filter((s) => !s.name.endsWith("= 1")).map((s) => s.points.at(-1));
  const ends = anchors.filter((p): p is NonNullable<typeof p> => p !== undefined && p.y > 0);
  if (ends.length > 0) {
    const xEnd = median(ends.map((p) => p.x));
    const yEnd = median(ends.map((p) => p.y));
    const guide = [xEnd / 100, xEnd / 30, xEnd / 10, xEnd / 3, xEnd].map((x) => ({
      x,
      // drawn a factor 5 below the curves, so it shows as a parallel guide, not hidden under them
      y: (yEnd / 5) * (x / xEnd) ** -3,
    }));
    loss.push(theoryLine("Θ(T⁻³) (Thm. 14, n ≥ 2)", guide));
  }
  const xMax = Math.max(0, ...runs.map((r) => r.columns.eta_t?.at(-1) ?? 0));
  if (xMax > 0) {
    rate.push(
      theoryLine("−3", [
        { x: 1, y: -3 },
        { x: xMax, y: -3 },
      ]),
    );
  }
  return [
    {
      id: "xd-fig1",
      title: "XD Fig. 1: n students learning one ReLU teacher (population loss, GD)",
      caption:
        "Left: loss vs ηT (log–log), median over seeds with min–max band; dashed: slope −3. " +
        "Right: log_{ηT} L(T), which tends to −3 for n ≥ 2 students.",
      panels: [
        { title: "loss L(T)", xLabel: "ηT", yLabel: "loss", logX: true, logY: true, series: loss },
        {
          title: "rate estimate log_{ηT} L(T)",
          xLabel: "ηT",
          yLabel: "log_{ηT} L",
          logX: true,
          series: rate,
          yDomain: [-8, 2],
        },
      ],
    },
  ];
}

function toyFigure(data: PaperData): Figure[] {
  const runs = usable(ofPreset(data.runs, "xd-toy")).map(withTime);
  if (runs.length === 0) return [];
  const names: Record<string, string> = {
    "1": "case 1: mirror-symmetric pair",
    "2": "case 2: all parallel to v",
    "3": "case 3: all equal",
  };
  const series = [...groupBySwept(runs, "student.init.case")].map(([key, group]) =>
    seedSeries(group, "loss", names[key] ?? `case ${key}`, { x: "eta_t" }),
  );
  return [
    {
      id: "xd-appA",
      title: "XD Appendix A: the three toy initializations",
      caption:
        "Case 1 keeps its mirror symmetry and converges polynomially (worst case of Thm. 9); " +
        "cases 2 and 3 reduce to one neuron and converge linearly.",
      panels: [{ title: "loss", xLabel: "ηT", yLabel: "loss", logX: true, logY: true, series }],
    },
  ];
}

function diagnostics(data: PaperData): Figure[] {
  const candidates = usable(ofPreset(data.runs, "xd-fig1")).filter(
    (r) => swept(r, "student.width") === 3,
  );
  const run0 = firstSeed(candidates);
  if (!run0) return [];
  const run = withTime(run0);
  const angles = indexedColumns(run, "xd_angle").map((c, i) =>
    runSeries(run, c, `θ${i + 1}`, { x: "eta_t" }),
  );
  const h = indexedColumns(run, "xd_h").map((c, i) =>
    runSeries(run, c, `h${i + 1}`, { x: "eta_t" }),
  );
  return [
    {
      id: "xd-diagnostics",
      title: `XD §4 diagnostics for one run (n = 3, seed ${run.job.seed})`,
      caption:
        "Angles θᵢ between students and the teacher; projections hᵢ = ⟨wᵢ, v̄⟩; " +
        "H = ‖v‖ − Σhᵢ; residual ‖Σwᵢ − v‖; potential Z(t) = Σ_{i<j}‖zᵢ − zⱼ‖ with a 1/t guide.",
      panels: [
        { title: "angles θᵢ", xLabel: "ηT", yLabel: "rad", logX: true, logY: true, series: angles },
        { title: "projections hᵢ", xLabel: "ηT", yLabel: "hᵢ", logX: true, series: h },
        {
          title: "H, residual, Z",
          xLabel: "ηT",
          yLabel: "value",
          logX: true,
          logY: true,
          series: [
            runSeries(run, "xd_H", "H", { x: "eta_t", map: Math.abs }),
            runSeries(run, "xd_residual", "‖r‖", { x: "eta_t" }),
            runSeries(run, "xd_Z", "Z(t)", { x: "eta_t" }),
            ...zGuide(run),
          ],
        },
      ],
    },
  ];
}

function zGuide(run: LoadedRun): Series[] {
  const { x, y } = columnXY(run, "xd_Z", { x: "eta_t" });
  const i = x.length - 1;
  if (i < 1 || !(y[i] > 0)) return [];
  const xs = [x[i] / 1000, x[i] / 100, x[i] / 10, x[i]].filter((v) => v > 0);
  return [
    theoryLine(
      "∝ 1/t (Z = Ω(1/t))",
      xs.map((v) => ({ x: v, y: y[i] * (x[i] / v) })),
    ),
  ];
}

function verdicts(data: PaperData): Verdict[] {
  const out: Verdict[] = [];
  const runs = usable(ofPreset(data.runs, "xd-fig1"));
  const byN = groupBySwept(runs, "student.width");
  const multi = [...byN].filter(([k]) => JSON.parse(k) >= 2).map(([, g]) => g);
  const perN = ` (${seedsPer(multi, "n")})`;
  const polyRule =
    "tail of L vs ηT (last decade) classified by classifyDecay: reproduced if every n ≥ 2 is " +
    "polynomial with median exponent in −3 ± 0.3; partly if some n are";
  const rows: string[] = [];
  const checks: boolean[] = [];
  for (const [key, group] of byN) {
    const n = JSON.parse(key) as number;
    if (n < 2) continue;
    const fits = group.map(tailFit).filter((f) => f !== null);
    const exps = fits.filter((f) => f.kind === "polynomial").map((f) => f.exponent);
    const e = exps.length === fits.length && fits.length > 0 ? median(exps) : Number.NaN;
    checks.push(Number.isFinite(e) && Math.abs(e + 3) <= 0.3);
    rows.push(
      `n=${n}: ${Number.isFinite(e) ? formatNumber(e) : fits.map((f) => f.kind).join("/")}`,
    );
  }
  const claim1 = "n ≥ 2 students: the loss decays as Θ(T⁻³) (Thm. 9, 14; Fig. 1)";
  out.push(
    checks.length === 0
      ? missingEvidence(P, claim1, polyRule, "no xd-fig1 run with n ≥ 2 finished")
      : verdict(P, claim1, combine(checks), `tail exponents ${rows.join(", ")}${perN}`, polyRule),
  );

  const claim2 = "n = 1 student: linear (exponential) convergence";
  const linRule = "reproduced if classifyDecay calls every n = 1 seed's tail linear";
  const single = byN.get("1") ?? [];
  const kinds = single.map(tailFit).map((f) => f?.kind ?? "undetermined");
  const finals = single.map((r) => r.columns.loss?.at(-1) ?? Number.NaN);
  out.push(
    single.length === 0
      ? missingEvidence(P, claim2, linRule, "no xd-fig1 run with n = 1 finished")
      : verdict(
          P,
          claim2,
          combine(kinds.map((k) => k === "linear")),
          `tail: ${kinds.join(", ")}; final loss ${finals.map((v) => formatNumber(v)).join(", ")} (${seedsPer([single])})`,
          linRule,
        ),
  );

  const claim3 = "Fig. 1 right: log_{ηT} L(T) approaches −3 for n ≥ 2";
  const rateRule = "last recorded log_{ηT} L within −3 ± 0.5 for every n ≥ 2 (median over seeds)";
  const rateRows: string[] = [];
  const rateChecks: boolean[] = [];
  for (const [key, group] of byN) {
    const n = JSON.parse(key) as number;
    if (n < 2) continue;
    const v = median(
      group.map((r) => r.columns.xd_rate?.at(-1) ?? Number.NaN).filter(Number.isFinite),
    );
    rateChecks.push(Math.abs(v + 3) <= 0.5);
    rateRows.push(`n=${n}: ${formatNumber(v)}`);
  }
  out.push(
    rateChecks.length === 0
      ? missingEvidence(P, claim3, rateRule, "no xd-fig1 run with n ≥ 2 finished")
      : verdict(P, claim3, combine(rateChecks), rateRows.join(", ") + perN, rateRule),
  );

  const claim4 = "Z(t) = Ω(1/t) for a random (non-degenerate) initialization (§4)";
  const zRule = "log–log slope of Z over the last decade of ηT ≥ −1.1 for every n ≥ 2 run";
  const zRows: string[] = [];
  const zChecks: boolean[] = [];
  for (const r of runs) {
    const n = swept(r, "student.width") as number;
    if (n < 2) continue;
    const t = tail(...xyOf(withTime(r), "xd_Z"), { decades: 1 });
    try {
      const slope = logLogFit(t.x, t.y).slope;
      zChecks.push(slope >= -1.1);
      zRows.push(slope.toFixed(2));
    } catch {
      zChecks.push(false);
      zRows.push("?");
    }
  }
  out.push(
    zChecks.length === 0
      ? missingEvidence(P, claim4, zRule, "no xd-fig1 run with n ≥ 2 finished")
      : verdict(P, claim4, combine(zChecks), `Z tail slopes ${summarizeList(zRows)}${perN}`, zRule),
  );

  const toy = usable(ofPreset(data.runs, "xd-toy"));
  const byCase = groupBySwept(toy, "student.init.case");
  const case1 = (byCase.get("1") ?? []).map(tailFit);
  const toyNote =
    "One run per case is no single draw: the toy initializations are fixed up to a direction " +
    "perpendicular to v, and the population loss is invariant under rotations that fix v, so " +
    "every seed gives the same loss curve.";
  const claim5 = "App. A toy case 1 (mirror pair): slow, polynomial convergence";
  const toyRule1 = "classifyDecay of the loss tail is polynomial";
  out.push(
    case1.length === 0
      ? missingEvidence(P, claim5, toyRule1, "the xd-toy case 1 run did not finish")
      : verdict(
          P,
          claim5,
          combine(case1.map((f) => f?.kind === "polynomial")),
          case1
            .map((f) => (f ? `${f.kind}, exponent ${formatNumber(f.exponent)}` : "?"))
            .join("; "),
          toyRule1,
          toyNote,
        ),
  );
  const claim6 = "App. A toy cases 2 (all parallel) and 3 (all equal): linear convergence";
  const toyRule2 = "classifyDecay of the loss tail is linear for both cases";
  const lin = [...(byCase.get("2") ?? []), ...(byCase.get("3") ?? [])];
  out.push(
    lin.length === 0
      ? missingEvidence(P, claim6, toyRule2, "the xd-toy case 2/3 runs did not finish")
      : verdict(
          P,
          claim6,
          combine(lin.map((r) => tailFit(r)?.kind === "linear")),
          lin
            .map(
              (r) =>
                `case ${swept(r, "student.init.case")}: ${tailFit(r)?.kind ?? "?"}, final ${formatNumber(r.columns.loss?.at(-1) ?? Number.NaN)}`,
            )
            .join("; "),
          toyRule2,
          toyNote,
        ),
  );
  return out;
}

function xyOf(run: LoadedRun, column: string): [number[], number[]] {
  const { x, y } = columnXY(run, column, { x: "eta_t" });
  return [x, y];
}

function summarizeList(items: string[]): string {
  return items.length <= 8
    ? items.join(", ")
    : `${items.slice(0, 8).join(", ")} … (${items.length})`;
}

export const xuDu: Paper = {
  key: P,
  title:
    "Over-parameterization exponentially slows down gradient descent for learning a single neuron",
  citation: "Weihang Xu and Simon S. Du, COLT 2023",
  figures: (data) => [...fig1(data), ...toyFigure(data), ...diagnostics(data)],
  verdicts,
};
