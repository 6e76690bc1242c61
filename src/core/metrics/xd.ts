import { angle } from "../losses/population/angular.js";
import type { ExperimentConfig } from "../spec.js";
import { firstProblem, needsSingleTeacher } from "./applicability.js";
import { indexed, type Metric } from "./types.js";

function xdSetting(spec: ExperimentConfig): string | null {
  return firstProblem(
    needsSingleTeacher(spec),
    spec.student.parameterization === "plain"
      ? null
      : "is defined for the plain parameterization (XD eq. 3)",
  );
}

/** XD §2–4: student–teacher angles θᵢ and pairwise angles θᵢⱼ (atan2 form, docs/model.md §5). */
export const xdAngles: Metric = {
  name: "xd_angles",
  description: "XD: angles θᵢ to the teacher and θᵢⱼ between students",
  applies: xdSetting,
  create: (ctx) => {
    const { m, d } = ctx;
    const v = ctx.teacher!.V;
    const vn = Math.hypot(...v.subarray(0, d));
    const columns = [...indexed("xd_angle", m)];
    for (let i = 0; i < m; i++)
      for (let j = i + 1; j < m; j++) columns.push(`xd_pair_angle[${i}][${j}]`);
    return {
      columns,
      observe: (p, out) => {
        const th = p.theta;
        const norms = Array.from({ length: m }, (_, i) =>
          Math.hypot(...th.subarray(i * d, i * d + d)),
        );
        for (let i = 0; i < m; i++) out.push(angle(th, i * d, norms[i], v, 0, vn, d));
        for (let i = 0; i < m; i++)
          for (let j = i + 1; j < m; j++)
            out.push(angle(th, i * d, norms[i], th, j * d, norms[j], d));
      },
    };
  },
};

/**
 * XD's potential-function quantities: hᵢ = ⟨wᵢ, v̄⟩, H = ‖v‖ − Σhᵢ, the residual
 * r = Σwᵢ − v (its norm), and Z = Σ_{i<j}‖zᵢ − zⱼ‖ with zᵢ = wᵢ − hᵢv̄.
 */
export const xdPotential: Metric = {
  name: "xd_potential",
  description: "XD: projections hᵢ = ⟨wᵢ,v̄⟩, H = ‖v‖ − Σhᵢ, ‖Σwᵢ − v‖ and Z = Σ_{i<j}‖zᵢ − zⱼ‖",
  applies: xdSetting,
  create: (ctx) => {
    const { m, d } = ctx;
    const v = ctx.teacher!.V.subarray(0, d);
    const b = ctx.teacher!.b[0];
    const vn = Math.hypot(...v);
    const vbar = v.map((x) => x / vn);
    const h = new Float64Array(m);
    const res = new Float64Array(d);
    return {
      columns: [...indexed("xd_h", m), "xd_H", "xd_residual", "xd_Z"],
      observe: (p, out) => {
        const th = p.theta;
        const A = ctx.trainObjective.A;
        ctx.trainObjective.setPoint(th);
        let sumH = 0;
        for (let i = 0; i < m; i++) {
          let s = 0;
          for (let k = 0; k < d; k++) s += th[i * d + k] * vbar[k];
          h[i] = s;
          sumH += s;
        }
        for (let k = 0; k < d; k++) {
          let s = -b * v[k];
          for (let i = 0; i < m; i++) s += A[i] * th[i * d + k];
          res[k] = s;
        }
        let Z = 0;
        for (let i = 0; i < m; i++) {
          for (let j = i + 1; j < m; j++) {
            let s = 0;
            for (let k = 0; k < d; k++) {
              const zi = th[i * d + k] - h[i] * vbar[k];
              const zj = th[j * d + k] - h[j] * vbar[k];
              s += (zi - zj) ** 2;
            }
            Z += Math.sqrt(s);
          }
        }
        out.push(...h, vn - sumH, Math.hypot(...res), Z);
      },
    };
  },
};

/**
 * XD Fig. 1 (right): log_{ηT} L(T) = log L / log(ηT) (NaN while ηT ≤ 1); its limit is the
 * polynomial rate (−3 for n ≥ 2 students). The summary also fits the tail exponent: the
 * least-squares slope of log L against log(ηT) over the last decade of recorded points.
 */
export const xdRate: Metric = {
  name: "xd_rate",
  description: "XD Fig. 1 right: log_{ηT} L(T), and the fitted tail exponent (summary)",
  applies: () => null,
  create: (ctx) => {
    const eta = ctx.learningRate;
    const logs: { x: number; y: number }[] = [];
    return {
      columns: ["xd_rate"],
      observe: (p, out) => {
        const horizon = eta === null ? p.time : eta * p.step;
        const ok = horizon > 1 && p.loss > 0 && Number.isFinite(p.loss);
        out.push(ok ? Math.log(p.loss) / Math.log(horizon) : Number.NaN);
        if (ok) logs.push({ x: Math.log(horizon), y: Math.log(p.loss) });
      },
      summary: () => ({ xd_tail_exponent: tailSlope(logs) }),
    };
  },
};

/** Least-squares slope over the points whose x lies within one decade (ln 10) of the last. */
export function tailSlope(points: readonly { x: number; y: number }[]): number | null {
  if (points.length < 3) return null;
  const xmax = points[points.length - 1].x;
  const tail = points.filter((p) => p.x >= xmax - Math.LN10);
  if (tail.length < 3) return null;
  const mx = tail.reduce((s, p) => s + p.x, 0) / tail.length;
  const my = tail.reduce((s, p) => s + p.y, 0) / tail.length;
  let sxy = 0;
  let sxx = 0;
  for (const p of tail) {
    sxy += (p.x - mx) * (p.y - my);
    sxx += (p.x - mx) ** 2;
  }
  return sxx > 0 ? sxy / sxx : null;
}
