import { angle } from "../losses/population/angular.js";
import { needsNeuronTeacher } from "./applicability.js";
import { indexed, type Metric } from "./types.js";

/**
 * ZGJ: each student's angle to its nearest teacher direction up to sign (|·| cannot tell vₙ
 * from −vₙ), which teacher that is, the aggregated effective norm Σ_{i→n}‖uᵢ‖ of the students
 * matched to each teacher (to compare with ‖vₙ‖), and ‖∇L‖/L (ZGJ Theorem 3).
 */
export const zgjMatching: Metric = {
  name: "zgj_matching",
  description:
    "ZGJ: angle to nearest teacher (±), matched teacher, per-teacher aggregated norm, ‖∇L‖/L",
  applies: needsNeuronTeacher,
  create: (ctx) => {
    const { m, d } = ctx;
    const t = ctx.teacher!;
    const vn = Array.from({ length: t.r }, (_, n) => Math.hypot(...t.V.subarray(n * d, n * d + d)));
    const objective = ctx.trainObjective;
    return {
      columns: [
        ...indexed("zgj_nearest_angle", m),
        ...indexed("zgj_match", m),
        ...indexed("zgj_teacher_norm", t.r),
        "zgj_grad_over_loss",
      ],
      observe: (p, out) => {
        objective.setPoint(p.theta);
        const U = objective.U;
        const nearest: number[] = [];
        const match: number[] = [];
        const agg = new Array(t.r).fill(0);
        for (let i = 0; i < m; i++) {
          const un = Math.hypot(...U.subarray(i * d, i * d + d));
          let best = Number.POSITIVE_INFINITY;
          let arg = -1;
          for (let n = 0; n < t.r; n++) {
            const th = un > 0 ? angle(U, i * d, un, t.V, n * d, vn[n], d) : Math.PI / 2;
            const a = Math.min(th, Math.PI - th);
            if (a < best) {
              best = a;
              arg = n;
            }
          }
          nearest.push(best);
          match.push(arg);
          agg[arg] += un * Math.abs(objective.A[i]);
        }
        let g = 0;
        for (let k = 0; k < p.gradient.length; k++) g += p.gradient[k] ** 2;
        out.push(...nearest, ...match, ...agg, Math.sqrt(g) / p.loss);
      },
    };
  },
};
