/**
 * Zhou, Ge & Jin, "A local convergence theory for mildly over-parameterized two-layer neural
 * network" (COLT 2021): Fig. 1 (2-D trajectories in the lazy, mean-field and local regimes)
 * and Claim 2 (two students at angle ±δ around one teacher have loss Θ(δ³)).
 */
import { classifyDecay, formatNumber, logLogFit, median, tail } from "../../analysis/series.js";
import { combine } from "../../analysis/verdict.js";
import { setupRun } from "../../core/experiment/setup.js";
import type { Figure, Panel, Series } from "../../plot/charts.js";
import type { LoadedRun } from "../load.js";
import { claim, type Missing, missing } from "./claim.js";
import {
  columnXY,
  firstSeed,
  indexedColumns,
  lastValue,
  ofPreset,
  seedSeries,
  seedsPer,
  swept,
  theoryLine,
  usable,
} from "./common.js";
import { definePaper, type Paper, type PaperData } from "./types.js";

const P = "zgj";

type Regime = "lazy" | "mean-field" | "local";

/** The presets of the lazy regime, one per init scale τ (the step is η₀/τ²). */
const LAZY_PRESETS = ["zgj-lazy-tau1", "zgj-lazy-tau3", "zgj-lazy-tau10"] as const;
/** τ of the lazy run drawn as Fig. 1a's trajectories. */
const LAZY_DRAWN = 3;

/** Which of Fig. 1's regimes a run is: the zgj-lazy-* presets, or zgj-fig1 by its init. */
function regime(run: LoadedRun): Regime {
  const init = run.job.spec.student.init as { kind: string; scale?: number };
  if (init.kind === "symmetric-pairs") return "lazy";
  if (init.kind === "near-teacher") return "local";
  return "mean-field";
}

/** τ of a lazy run. */
function tau(run: LoadedRun): number {
  return (run.job.spec.student.init as { scale?: number }).scale ?? Number.NaN;
}

/** Usable lazy runs grouped by τ, ascending. */
function lazyGroups(data: PaperData): [number, LoadedRun[]][] {
  const runs = LAZY_PRESETS.flatMap((p) => usable(ofPreset(data.runs, p)));
  const by = new Map<number, LoadedRun[]>();
  for (const r of runs) by.set(tau(r), [...(by.get(tau(r)) ?? []), r]);
  return [...by].sort((a, b) => a[0] - b[0]);
}

const regimeTitle: Record<Regime, string> = {
  lazy: `(a) lazy: symmetric ± pairs, τ = ${LAZY_DRAWN}`,
  "mean-field": "(b) mean-field: small initialization",
  local: "(c) local: initialized near the teachers",
};

/** The teacher directions of a run, recomputed from its spec (setup is deterministic). */
function teachers(run: LoadedRun): Float64Array[] {
  const ctx = setupRun(run.job.spec, {});
  const t = ctx.teacher;
  if (!t) return [];
  return Array.from({ length: t.r }, (_, n) => t.V.slice(n * t.d, n * t.d + t.d));
}

function trajectories(run: LoadedRun): Series[] {
  const m = run.job.spec.student.width;
  const series: Series[] = [];
  let reach = 0;
  for (let i = 0; i < m; i++) {
    const x = run.columns[`w[${i}][0]`];
    const y = run.columns[`w[${i}][1]`];
    if (!x || !y) continue;
    const points = Array.from(x, (v, k) => ({ x: v, y: y[k] })).filter(
      (p) => Number.isFinite(p.x) && Number.isFinite(p.y),
    );
    for (const p of points) reach = Math.max(reach, Math.hypot(p.x, p.y));
    series.push({
      name: `student ${i + 1}`,
      group: "students",
      style: "path",
      endMarker: true,
      points,
    });
  }
  reach = Math.max(reach, 1) * 1.1;
  for (const [n, v] of teachers(run).entries()) {
    const norm = Math.hypot(v[0], v[1]) || 1;
    const u = [v[0] / norm, v[1] / norm];
    series.unshift({
      name: `teacher ${n + 1}`,
      group: "teacher directions",
      style: "path",
      points: [
        { x: -reach * u[0], y: -reach * u[1] },
        { x: reach * u[0], y: reach * u[1] },
      ],
    });
  }
  return series;
}

function fig1(data: PaperData): Figure[] {
  const runs = [
    ...usable(ofPreset(data.runs, "zgj-fig1")),
    ...usable(ofPreset(data.runs, `zgj-lazy-tau${LAZY_DRAWN}`)),
  ];
  const panels: Panel[] = [];
  const lossSeries: Series[] = [];
  for (const r of ["lazy", "mean-field", "local"] as const) {
    const group = runs.filter((run) => regime(run) === r);
    const run = firstSeed(group);
    if (!run) continue;
    panels.push({
      title: `${regimeTitle[r]} (seed ${run.job.seed})`,
      xLabel: "w₁",
      yLabel: "w₂",
      equalAspect: true,
      legend: panels.length === 0,
      series: trajectories(run),
    });
    lossSeries.push({
      name: r,
      points: Array.from(run.columns.step ?? [], (x, k) => ({ x, y: run.columns.loss[k] })),
    });
  }
  if (panels.length === 0) return [];
  const local = firstSeed(runs.filter((run) => regime(run) === "local"));
  const last = local ? Array.from(local.columns.step ?? []).at(-1) : undefined;
  const lastLoss = local ? lastValue(local, "loss") : Number.NaN;
  if (last && lastLoss > 0) {
    lossSeries.push(
      theoryLine(
        "O(1/T) (Thm. 4, local)",
        [last / 100, last / 10, last].map((x) => ({ x, y: lastLoss * (last / x) })),
      ),
    );
  }
  return [
    {
      id: "zgj-fig1",
      title: "ZGJ Fig. 1: 20 absolute-value students and 3 teachers in 2-D",
      caption:
        "Lines through the origin: teacher directions (|wᵀx| is even, so ±v are the same). " +
        "Curves: student trajectories, dots: end positions. Panel (a) leaves ZGJ's non-negative " +
        "model: each student is paired with a copy of output weight −1 (f(W₀) = 0) and the step is " +
        "η₀/τ², which is what lets a large init stay lazy (with non-negative outputs a large init " +
        "starts far above the teacher and must move).",
      columns: 3,
      panels,
    },
    {
      id: "zgj-fig1-loss",
      title: "ZGJ Fig. 1 runs: population loss",
      panels: [
        {
          title: "loss",
          xLabel: "step",
          yLabel: "loss",
          logX: true,
          logY: true,
          series: lossSeries,
        },
      ],
    },
  ];
}

/** The lazy regime over τ: relative movement (with a 1/τ² guide) and the loss per τ. */
function lazyFigure(data: PaperData): Figure[] {
  const groups = lazyGroups(data);
  if (groups.length === 0) return [];
  const pts = groups.map(([t, g]) => {
    const v = g.map(movement);
    return { x: t, y: median(v), lo: Math.min(...v), hi: Math.max(...v) };
  });
  const first = pts[0];
  const guide = theoryLine(
    "∝ 1/τ²",
    pts.map((p) => ({ x: p.x, y: first.y * (first.x / p.x) ** 2 })),
  );
  return [
    {
      id: "zgj-fig1a-lazy",
      title: "ZGJ Fig. 1a, lazy regime: how far the students move as the init scale τ grows",
      caption:
        "Symmetric ± pairs (f(W₀) = 0), step η₀/τ² — this leaves ZGJ's non-negative model, whose " +
        "output weights are the neurons' own norms. Left: median over students of " +
        "‖w(T) − w(0)‖/‖w(0)‖, median over seeds with min–max band, dashed ∝ 1/τ². Right: " +
        "population loss per τ (median over seeds).",
      panels: [
        {
          title: "relative movement",
          xLabel: "τ",
          yLabel: "‖w(T) − w(0)‖/‖w(0)‖",
          logX: true,
          logY: true,
          series: [{ name: "measured", style: "points", points: pts }, guide],
        },
        {
          title: "loss",
          xLabel: "step",
          yLabel: "loss",
          logX: true,
          logY: true,
          series: groups.map(([t, g]) => seedSeries(g, "loss", `τ = ${t}`)),
        },
      ],
    },
  ];
}

/** Claim 2's points (δ, L(δ)) and their log–log fit (null with fewer than two points). */
function claim2Fit(data: PaperData): {
  pts: { x: number; y: number }[];
  fit: ReturnType<typeof logLogFit> | null;
  n: number;
} {
  const runs = usable(ofPreset(data.runs, "zgj-claim2"));
  const pts = runs
    .map((r) => ({
      x: swept(r, "student.init.delta") as number,
      y: r.columns.loss?.[0] ?? Number.NaN,
    }))
    .filter((p) => p.x > 0 && p.y > 0)
    .sort((a, b) => a.x - b.x);
  if (pts.length < 2) return { pts, fit: null, n: pts.length };
  const fit = logLogFit(
    pts.map((p) => p.x),
    pts.map((p) => p.y),
  );
  return { pts, fit, n: pts.length };
}

/** ZGJ §4's exact parameterization: (δ, L(δ)) of one student at angle δ (zgj-exact) and their fit. */
function exactFit(data: PaperData): {
  pts: { x: number; y: number }[];
  fit: ReturnType<typeof logLogFit> | null;
} {
  const pts = usable(ofPreset(data.runs, "zgj-exact"))
    .map((r) => {
      const init = r.job.spec.student.init as { lambda1?: number; lambda2?: number };
      return {
        x: Math.atan2(init.lambda2 ?? Number.NaN, init.lambda1 ?? Number.NaN),
        y: r.columns.loss?.[0] ?? Number.NaN,
      };
    })
    .filter((p) => p.x > 0 && p.y > 0)
    .sort((a, b) => a.x - b.x);
  if (pts.length < 2) return { pts, fit: null };
  return {
    pts,
    fit: logLogFit(
      pts.map((p) => p.x),
      pts.map((p) => p.y),
    ),
  };
}

function claim2(data: PaperData): { figure: Figure[] } {
  const { pts, fit } = claim2Fit(data);
  if (!fit) return { figure: [] };
  const c = Math.exp(fit.intercept);
  const exact = exactFit(data);
  const exactSeries: Series[] = exact.fit
    ? [
        { name: "one student (§4, exact)", style: "points", points: exact.pts },
        theoryLine(
          "Θ(δ²)",
          exact.pts.map((p) => ({ x: p.x, y: Math.exp(exact.fit!.intercept) * p.x ** 2 })),
        ),
      ]
    : [];
  return {
    figure: [
      {
        id: "zgj-claim2",
        title: "ZGJ Claim 2: loss of two students at angle ±δ around one teacher",
        caption:
          `Fitted log–log slope ${fit.slope.toFixed(3)} (r² = ${fit.r2.toFixed(5)}); dashed: c·δ³.` +
          (exact.fit
            ? ` For comparison (§4): one student at angle δ with ‖w‖ = ‖w*‖ = 1, slope ${exact.fit.slope.toFixed(3)}, dashed c·δ².`
            : ""),
        panels: [
          {
            title: "L(W) vs δ",
            xLabel: "δ (rad)",
            yLabel: "loss",
            logX: true,
            logY: true,
            series: [
              { name: "two students (Claim 2)", style: "points", points: pts },
              theoryLine(
                "Θ(δ³)",
                pts.map((p) => ({ x: p.x, y: c * p.x ** 3 })),
              ),
              ...exactSeries,
            ],
          },
        ],
      },
    ],
  };
}

/** Students that carry weight: ‖w‖² at least 1% of the largest student's. */
function alignment(
  run: LoadedRun,
  tolerance: number,
): { aligned: number; counted: number; worst: number } {
  const m = run.job.spec.student.width;
  const norms = Array.from({ length: m }, (_, i) =>
    Math.hypot(
      ...Array.from({ length: run.job.spec.dimension }, (_, k) => lastValue(run, `w[${i}][${k}]`)),
    ),
  );
  const big = Math.max(...norms);
  let aligned = 0;
  let counted = 0;
  let worst = 0;
  const angles = indexedColumns(run, "zgj_nearest_angle");
  for (let i = 0; i < m; i++) {
    if (!(norms[i] ** 2 >= 0.01 * big ** 2)) continue;
    const a = lastValue(run, angles[i]);
    counted++;
    worst = Math.max(worst, a);
    if (a <= tolerance) aligned++;
  }
  return { aligned, counted, worst };
}

function movement(run: LoadedRun): number {
  const m = run.job.spec.student.width;
  const d = run.job.spec.dimension;
  const rel: number[] = [];
  for (let i = 0; i < m; i++) {
    let moved = 0;
    let start = 0;
    for (let k = 0; k < d; k++) {
      const c = run.columns[`w[${i}][${k}]`];
      if (!c) return Number.NaN;
      moved += (lastValue(run, `w[${i}][${k}]`) - c[0]) ** 2;
      start += c[0] ** 2;
    }
    rel.push(Math.sqrt(moved / start));
  }
  return median(rel);
}

const TOL = 0.05;

function alignedClaim(id: string, r: "mean-field" | "local", statement: string) {
  return claim({
    id,
    paper: P,
    statement,
    presets: ["zgj-fig1"],
    rule: `students with ‖w‖² ≥ 1% of the largest end within ${TOL} rad of ±(a teacher): reproduced if all, in every seed; partly if ≥ 80%`,
    measure: (data) => {
      const runs = usable(ofPreset(data.runs, "zgj-fig1")).filter((run) => regime(run) === r);
      if (runs.length === 0) return missing(`no ${r} run finished`);
      return { runs, stats: runs.map((run) => alignment(run, TOL)) };
    },
    judge: ({ runs, stats }) => {
      const total = stats.reduce((s, a) => s + a.counted, 0);
      const ok = stats.reduce((s, a) => s + a.aligned, 0);
      return {
        status: ok === total ? "reproduced" : ok >= 0.8 * total ? "partly" : "not reproduced",
        measured: `${ok}/${total} weighted students aligned; worst angle ${formatNumber(Math.max(...stats.map((s) => s.worst)))} rad (${seedsPer([runs])})`,
      };
    },
  });
}

function localRuns(data: PaperData): LoadedRun[] | Missing {
  const runs = usable(ofPreset(data.runs, "zgj-fig1")).filter((run) => regime(run) === "local");
  return runs.length ? runs : missing("no local-regime run finished");
}

export const zgjClaims = [
  claim({
    id: "zgj-fig1a-lazy",
    paper: P,
    statement:
      "Lazy regime (large init): student neurons barely move, relative movement ∝ 1/τ² (Fig. 1a)",
    presets: LAZY_PRESETS,
    judgedBy: "scaling",
    rule:
      "per τ, the median over seeds of the median over students of ‖w(T) − w(0)‖/‖w(0)‖; slope of its " +
      "log against log τ (least squares): reproduced if within −2 ± 0.3 and every run's final loss ≤ " +
      "1e-3·L(W₀) (the students still fit); partly if the movement falls with τ (slope < −0.5) but not " +
      "both; not reproduced otherwise",
    note:
      "This leaves ZGJ's non-negative model f = Σ‖w‖|wᵀx|: each student is paired with a copy of output " +
      "weight −1, so f(W₀) = 0, and the step is η₀/τ² (η₀ = 0.005, ours). With non-negative output " +
      "weights a large init starts far above the teacher, so the students must move and no init scale " +
      "is lazy; the paper does not give its Fig. 1a setup.",
    measure: (data) => {
      const groups = lazyGroups(data);
      if (groups.length < 2) return missing("fewer than two init scales τ finished");
      return groups.map(([t, g]) => ({
        tau: t,
        runs: g,
        moved: median(g.map(movement)),
        fitRatio: Math.max(...g.map((r) => lastValue(r, "loss") / (r.columns.loss?.[0] ?? 0))),
        finalLoss: median(g.map((r) => lastValue(r, "loss"))),
      }));
    },
    judge: (rows) => {
      const fit = logLogFit(
        rows.map((r) => r.tau),
        rows.map((r) => r.moved),
      );
      const fits = rows.every((r) => r.fitRatio <= 1e-3);
      const slopeOk = Math.abs(fit.slope + 2) <= 0.3;
      return {
        status: slopeOk && fits ? "reproduced" : fit.slope < -0.5 ? "partly" : "not reproduced",
        measured:
          `slope ${formatNumber(fit.slope)}; ` +
          rows
            .map(
              (r) =>
                `τ=${r.tau}: movement ${formatNumber(r.moved)}, final loss ${formatNumber(r.finalLoss)} (worst L(T)/L(W₀) ${formatNumber(r.fitRatio)})`,
            )
            .join(", ") +
          ` (${seedsPer(
            rows.map((r) => r.runs),
            "τ",
          )})`,
      };
    },
  }),
  alignedClaim(
    "zgj-fig1b-mean-field",
    "mean-field",
    "Mean-field regime (small init): every student converges to a teacher direction (Fig. 1b)",
  ),
  alignedClaim(
    "zgj-fig1c-local",
    "local",
    "Local regime (init near teachers): every student converges to a teacher direction (Fig. 1c, Thm. 4)",
  ),
  claim({
    id: "zgj-thm4-rate",
    paper: P,
    statement: "Local regime: the loss goes to 0 at least as fast as O(1/T) (Thm. 3 ⇒ Thm. 4)",
    presets: ["zgj-fig1"],
    rule: "classifyDecay of the loss tail: reproduced if linear or polynomial with exponent ≤ −0.9 in every seed",
    measure: (data) => {
      const local = localRuns(data);
      if ("missing" in local) return local;
      const fits = local.map((run) => {
        const { x, y } = columnXY(run, "loss");
        try {
          return classifyDecay(x, y);
        } catch {
          return null;
        }
      });
      return { local, fits, finals: local.map((r) => lastValue(r, "loss")) };
    },
    judge: ({ local, fits, finals }) => ({
      status: combine(
        fits.map(
          (f) =>
            f !== null && (f.kind === "linear" || (f.kind === "polynomial" && f.exponent <= -0.9)),
        ),
      ),
      measured:
        fits.map((f) => (f ? `${f.kind} (exponent ${formatNumber(f.exponent)})` : "?")).join("; ") +
        `; final loss ${finals.map((v) => formatNumber(v)).join(", ")} (${seedsPer([local])})`,
    }),
  }),
  claim({
    id: "zgj-thm3-gradient",
    paper: P,
    statement: "Thm. 3: ‖∇L‖ ≥ c·L near the optimum (gradient lower bound), local regime",
    presets: ["zgj-fig1"],
    judgedBy: "bounded ratio",
    rule: "‖∇L‖/L over the last decade of steps does not decay: log–log slope ≥ −0.1 in every seed",
    measure: (data) => {
      const local = localRuns(data);
      if ("missing" in local) return local;
      const slopes = local.map((run) => {
        const { x, y } = columnXY(run, "zgj_grad_over_loss");
        const t = tail(x, y, { decades: 1 });
        try {
          return logLogFit(t.x, t.y).slope;
        } catch {
          return Number.NaN;
        }
      });
      return { local, slopes, finals: local.map((r) => lastValue(r, "zgj_grad_over_loss")) };
    },
    judge: ({ local, slopes, finals }) => ({
      status: combine(slopes.map((s) => s >= -0.1)),
      measured: `slopes ${slopes.map((s) => formatNumber(s)).join(", ")}; final ‖∇L‖/L ${finals.map((v) => formatNumber(v)).join(", ")} (${seedsPer([local])})`,
    }),
  }),
  claim({
    id: "zgj-thm3-kappa-r",
    paper: P,
    statement:
      "Thm. 3 for r = 2…6 teachers: ‖∇L‖_F ≥ κ·L near the optimum, with κ = poly(Δ, 1/r, w_max⁻¹, w_min) > 0",
    presets: ["zgj-thm3-r"],
    judgedBy: "bounded ratio",
    rule:
      "per r and seed: the log–log slope of ‖∇L‖/L over the last decade of steps ≥ −0.1 (the ratio does not decay); " +
      "κ̂ = the smallest ‖∇L‖/L once the loss is 100× below its start: reproduced if every run passes, partly if some; " +
      "the fitted power of r of the median κ̂ is reported, not judged (the theorem's polynomial is not given)",
    measure: (data) => {
      const runs = usable(ofPreset(data.runs, "zgj-thm3-r"));
      if (runs.length === 0) return missing("no zgj-thm3-r run finished");
      const byR = new Map<number, LoadedRun[]>();
      for (const r of runs) {
        const k = (r.job.spec.teacher as { neurons?: number }).neurons ?? Number.NaN;
        byR.set(k, [...(byR.get(k) ?? []), r]);
      }
      return [...byR]
        .sort((a, b) => a[0] - b[0])
        .map(([r, g]) => ({
          r,
          runs: g,
          slopes: g.map((run) => {
            const { x, y } = columnXY(run, "zgj_grad_over_loss");
            const t = tail(x, y, { decades: 1 });
            try {
              return logLogFit(t.x, t.y).slope;
            } catch {
              return Number.NaN;
            }
          }),
          kappa: median(
            g.map((run) => {
              const loss = run.columns.loss;
              const ratio = run.columns.zgj_grad_over_loss;
              if (!loss || !ratio) return Number.NaN;
              let k = Number.POSITIVE_INFINITY;
              for (let i = 0; i < loss.length; i++)
                if (loss[i] <= loss[0] / 100 && Number.isFinite(ratio[i]))
                  k = Math.min(k, ratio[i]);
              return Number.isFinite(k) ? k : Number.NaN;
            }),
          ),
        }));
    },
    judge: (rows) => {
      let power = Number.NaN;
      try {
        power = logLogFit(
          rows.map((r) => r.r),
          rows.map((r) => r.kappa),
        ).slope;
      } catch {
        power = Number.NaN;
      }
      return {
        status: combine(rows.flatMap((r) => r.slopes.map((s) => s >= -0.1))),
        measured:
          rows
            .map(
              (r) =>
                `r=${r.r}: κ̂ ${formatNumber(r.kappa)}, tail slope ${formatNumber(median(r.slopes))}`,
            )
            .join("; ") +
          `; fitted power of r of κ̂ ${formatNumber(power)} (${seedsPer(
            rows.map((r) => r.runs),
            "r",
          )})`,
      };
    },
  }),
  claim({
    id: "zgj-thm5-init",
    paper: P,
    statement:
      "Algorithms 1–2 (Thm. 5): random or subspace-estimated directions with NNLS-fitted norms reach the local regime, where GD aligns every student with a teacher",
    presets: ["zgj-init"],
    rule:
      `per algorithm and seed: students with ‖w‖² ≥ 1% of the largest end within ${TOL} rad of ±(a teacher), and the ` +
      "final population loss ≤ 1e-3 of the initial one: reproduced if both hold in every run, partly if in some, not reproduced if in none",
    note:
      "Most students start at zero norm (NNLS sets their output scale to 0) and stay there: only the weighted " +
      "ones are judged. Thm. 5's width and sample-size conditions are not checked.",
    measure: (data) => {
      const runs = usable(ofPreset(data.runs, "zgj-init"));
      if (runs.length === 0) return missing("no zgj-init run finished");
      return runs.map((r) => ({
        kind: (r.job.spec.student.init as { kind: string }).kind,
        ...alignment(r, TOL),
        drop: lastValue(r, "loss") / (r.columns.loss?.[0] ?? Number.NaN),
        start: r.columns.loss?.[0] ?? Number.NaN,
      }));
    },
    judge: (rows) => {
      const kinds = [...new Set(rows.map((r) => r.kind))];
      return {
        status: combine(rows.map((r) => r.aligned === r.counted && r.drop <= 1e-3)),
        measured: kinds
          .map((k) => {
            const g = rows.filter((r) => r.kind === k);
            return (
              `${k}: ${g.reduce((s, r) => s + r.aligned, 0)}/${g.reduce((s, r) => s + r.counted, 0)} weighted students aligned, ` +
              `initial loss ${formatNumber(median(g.map((r) => r.start)))}, final/initial ${formatNumber(median(g.map((r) => r.drop)))} (${g.length} seeds)`
            );
          })
          .join("; "),
      };
    },
  }),
  claim({
    id: "zgj-thm6-online",
    paper: P,
    statement:
      "Thm. 6: online SGD (fresh samples every step) from the local regime drives the population loss to 0",
    presets: ["zgj-online"],
    rule:
      "per seed: the population loss tail (last decade) linear or polynomial with exponent ≤ −0.9 by classifyDecay, " +
      "and the final loss ≤ 1e-3 of the initial one: reproduced if every seed, partly if some, not reproduced if none",
    measure: (data) => {
      const runs = usable(ofPreset(data.runs, "zgj-online"));
      if (runs.length === 0) return missing("no zgj-online run finished");
      return {
        runs,
        rows: runs.map((r) => {
          const { x, y } = columnXY(r, "loss");
          let f: ReturnType<typeof classifyDecay> | null = null;
          try {
            f = classifyDecay(x, y);
          } catch {
            f = null;
          }
          return { fit: f, drop: lastValue(r, "loss") / (r.columns.loss?.[0] ?? Number.NaN) };
        }),
      };
    },
    judge: ({ runs, rows }) => ({
      status: combine(
        rows.map(
          (r) =>
            r.fit !== null &&
            (r.fit.kind === "linear" || (r.fit.kind === "polynomial" && r.fit.exponent <= -0.9)) &&
            r.drop <= 1e-3,
        ),
      ),
      measured:
        rows
          .map(
            (r) =>
              `${r.fit ? `${r.fit.kind} (exponent ${formatNumber(r.fit.exponent)})` : "?"}, final/initial ${formatNumber(r.drop)}`,
          )
          .join("; ") + ` (${seedsPer([runs])})`,
    }),
  }),
  claim({
    id: "zgj-sec4-exact-quadratic",
    paper: P,
    statement:
      "§4: with exact parameterization, one student at angle δ to the teacher (‖w‖ = ‖w*‖ = 1) has loss Θ(δ²), not the Θ(δ³) of two students",
    presets: ["zgj-exact"],
    judgedBy: "scaling",
    rule: "least-squares slope of log L vs log δ over the swept δ within 2 ± 0.1",
    note: "Deterministic: one run per δ (the direction perpendicular to w* is invisible to the population loss).",
    measure: (data) => {
      const { fit, pts } = exactFit(data);
      return fit ? fit : missing(`${pts.length} usable zgj-exact runs (need ≥ 2)`);
    },
    judge: (fit) => ({
      status: Math.abs(fit.slope - 2) <= 0.1 ? "reproduced" : "not reproduced",
      measured: `slope ${fit.slope.toFixed(3)} (r² ${fit.r2.toFixed(5)}, ${fit.n} values of δ, one run each)`,
    }),
  }),
  claim({
    id: "zgj-claim1-relu",
    paper: P,
    statement:
      "Claim 1: with ReLU, zero loss does not force the students onto teacher directions (students at −wᵢ* fit teachers with Σ wᵢ* = 0)",
    presets: ["zgj-claim1"],
    rule: "final population loss |L| ≤ 1e-12 and every student ≥ 0.5 rad from every teacher direction (sign counts for ReLU): reproduced; zero loss with some students on a teacher: partly; loss > 1e-12 or every student on a teacher: not reproduced",
    note: "The paper's own example (Appendix A): three unit teachers at 120° in the plane, students started at −wᵢ*; GD from there does not move them (the gradient is zero to rounding).",
    measure: (data) => {
      const run = usable(ofPreset(data.runs, "zgj-claim1"))[0];
      if (!run) return missing("no finished zgj-claim1 run");
      const V = teachers(run);
      const d = run.job.spec.dimension;
      const m = run.job.spec.student.width;
      const nearest: number[] = [];
      for (let i = 0; i < m; i++) {
        const w = Array.from({ length: d }, (_, k) => lastValue(run, `w[${i}][${k}]`));
        const wn = Math.hypot(...w);
        nearest.push(
          Math.min(
            ...V.map((v) => {
              const c = w.reduce((s, x, k) => s + x * v[k], 0) / (wn * Math.hypot(...v));
              return Math.acos(Math.max(-1, Math.min(1, c)));
            }),
          ),
        );
      }
      return { loss: lastValue(run, "loss"), nearest };
    },
    judge: ({ loss, nearest }) => {
      const unmatched = nearest.filter((a) => a >= 0.5).length;
      const zero = Math.abs(loss) <= 1e-12;
      return {
        status:
          zero && unmatched === nearest.length
            ? "reproduced"
            : zero && unmatched > 0
              ? "partly"
              : "not reproduced",
        measured: `final loss ${formatNumber(loss)}; each student's angle to its nearest teacher ${nearest.map((a) => a.toFixed(3)).join(", ")} rad (${unmatched}/${nearest.length} on no teacher; one deterministic run)`,
      };
    },
  }),
  claim({
    id: "zgj-claim2-cubic",
    paper: P,
    statement: "Claim 2: two students at angle ±δ with ‖w₁‖w₁ + ‖w₂‖w₂ = w* have loss Θ(δ³)",
    presets: ["zgj-claim2"],
    judgedBy: "scaling",
    rule: "least-squares slope of log L vs log δ over the swept δ within 3 ± 0.1",
    note:
      "One run per δ is no single draw: the pair is fixed by δ up to the sign of the direction " +
      "perpendicular to w*, which the population loss cannot see.",
    measure: (data) => {
      const { fit, n } = claim2Fit(data);
      return fit ? fit : missing(`${n} usable zgj-claim2 runs (need ≥ 2)`);
    },
    judge: (fit) => ({
      status: Math.abs(fit.slope - 3) <= 0.1 ? "reproduced" : "not reproduced",
      measured: `slope ${fit.slope.toFixed(3)} (r² ${fit.r2.toFixed(5)}, ${fit.n} values of δ, one run each)`,
    }),
  }),
];

export const zhouGeJin: Paper = definePaper({
  key: P,
  title: "A local convergence theory for mildly over-parameterized two-layer neural network",
  citation: "Mo Zhou, Rong Ge and Chi Jin, COLT 2021",
  figures: (data) => [...fig1(data), ...lazyFigure(data), ...claim2(data).figure],
  claims: zgjClaims,
});
