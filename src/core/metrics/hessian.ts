import { extremeEigenvalues } from "../linalg/extremeEigenvalues.js";
import type { Metric } from "./types.js";

/**
 * Extreme eigenvalues of the Hessian of the training objective, from Hessian-vector products
 * only (dense from dim HVPs when dim ≤ 200, Lanczos beyond), so no dK×dK matrix is formed.
 */
export const hessianEigenvalues: Metric = {
  name: "hessian_eigs",
  description: "smallest and largest Hessian eigenvalue of the training objective (HVP + Lanczos)",
  applies: () => null,
  create: (ctx) => {
    const objective = ctx.trainObjective;
    return {
      columns: ["hessian_min", "hessian_max"],
      observe: (p, out) => {
        const res = extremeEigenvalues(
          (v, o) => objective.hessianVector(p.theta, v, o),
          objective.dim,
          {
            tolerance: 1e-9,
          },
        );
        out.push(res.min, res.max);
      },
    };
  },
};
