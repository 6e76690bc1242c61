import { populationLoss } from "../losses/population/index.js";
import { Objective } from "../model/objective.js";
import type { Teacher } from "../model/teacher.js";
import type { RunContext } from "./context.js";

/**
 * Population dynamics in the span of the student and teacher neurons (issue 4).
 *
 * Under x ~ N(0, I) the population loss depends on the neurons only through their inner
 * products, so ∇_{wᵢ}L is a combination of {wⱼ} ∪ {vₙ} (e.g. XD eq. 4 for ReLU; every
 * parameterization here maps wᵢ to a multiple of itself). GD and gradient flow started at W₀
 * therefore never leave S = span{rows of W₀} ∪ {vₙ}, of dimension k ≤ m + r. With Q (k×d)
 * an orthonormal basis of S and coordinates C = W Qᵀ (m×k), the run is the same population
 * problem in dimension k with teacher V Qᵀ: a step costs O((m + r)²k) instead of O((m + r)²d),
 * independent of d. Observers still see full-d parameters (W = C Q), expanded only when a
 * row is recorded.
 */
export interface SubspaceDynamics {
  /** Subspace dimension k. */
  readonly k: number;
  /** Orthonormal basis of S, k×d row-major. */
  readonly basis: Float64Array;
  /** The population objective in coordinates (step and training objective alike). */
  readonly objective: Objective;
  /** Initial parameters in coordinates: [vec(C₀) (m×k); â]. */
  readonly initialTheta: Float64Array;
  /**
   * Maps a coordinate vector [vec(C); â] (parameters, or a gradient, which lies in S too) to
   * the full [vec(C Q); â].
   */
  expand(reduced: Float64Array, full: Float64Array): void;
}

/**
 * The subspace formulation of ctx's dynamics when it applies and saves work (population loss,
 * full-batch GD or gradient flow, m + r < d); null otherwise.
 */
export function subspaceDynamics(ctx: RunContext): SubspaceDynamics | null {
  const { spec, teacher, populationObjective, m, d } = ctx;
  if (spec.loss.kind !== "population" || !teacher || !populationObjective) return null;
  if (spec.optimizer.kind !== "gd" && spec.optimizer.kind !== "flow") return null;
  if (ctx.stepObjective !== populationObjective || ctx.trainObjective !== populationObjective)
    return null;
  const r = teacher.r;
  if (m + r >= d) return null;

  const W0 = ctx.initialTheta.subarray(0, m * d);
  const vectors: Float64Array[] = [];
  for (let n = 0; n < r; n++) vectors.push(teacher.V.subarray(n * d, (n + 1) * d));
  for (let i = 0; i < m; i++) vectors.push(W0.subarray(i * d, (i + 1) * d));
  const basis = orthonormalBasis(vectors, d);
  const k = basis.length / d;
  if (k >= d) return null;

  const project = (x: Float64Array, xo: number, out: Float64Array, oo: number) => {
    for (let c = 0; c < k; c++) {
      let s = 0;
      const bo = c * d;
      for (let q = 0; q < d; q++) s += basis[bo + q] * x[xo + q];
      out[oo + c] = s;
    }
  };
  const V = new Float64Array(r * k);
  for (let n = 0; n < r; n++) project(teacher.V, n * d, V, n * k);
  const reducedTeacher: Teacher = { r, d: k, V, b: teacher.b };

  const network = { ...ctx.network, d: k };
  const loss = populationLoss(
    ctx.populationActivation,
    reducedTeacher,
    m,
    spec.loss.scale,
    ctx.engine,
  );
  const objective = new Objective(network, loss, populationObjective.fixedOutput);

  const extra = ctx.initialTheta.length - m * d; // trained output weights
  const initialTheta = new Float64Array(m * k + extra);
  for (let i = 0; i < m; i++) project(ctx.initialTheta, i * d, initialTheta, i * k);
  initialTheta.set(ctx.initialTheta.subarray(m * d), m * k);

  const expand = (reduced: Float64Array, full: Float64Array) => {
    full.fill(0, 0, m * d);
    for (let i = 0; i < m; i++) {
      const fo = i * d;
      for (let c = 0; c < k; c++) {
        const coef = reduced[i * k + c];
        if (coef === 0) continue;
        const bo = c * d;
        for (let q = 0; q < d; q++) full[fo + q] += coef * basis[bo + q];
      }
    }
    for (let e = 0; e < extra; e++) full[m * d + e] = reduced[m * k + e];
  };
  return { k, basis, objective, initialTheta, expand };
}

/**
 * An orthonormal basis (rows, k×d) of the span of the given vectors: classical Gram–Schmidt
 * with a second orthogonalization pass ("twice is enough", Giraud et al. 2005), so the basis
 * is orthonormal to working precision. A vector whose remainder is below 1e-14 of its norm
 * already lies in the span to rounding and adds no direction.
 */
export function orthonormalBasis(vectors: readonly Float64Array[], d: number): Float64Array {
  const rows: Float64Array[] = [];
  const work = new Float64Array(d);
  for (const v of vectors) {
    let original = 0;
    for (let q = 0; q < d; q++) original += v[q] * v[q];
    original = Math.sqrt(original);
    if (original === 0 || !Number.isFinite(original)) continue;
    for (let q = 0; q < d; q++) work[q] = v[q] / original;
    for (let pass = 0; pass < 2; pass++) {
      for (const b of rows) {
        let s = 0;
        for (let q = 0; q < d; q++) s += b[q] * work[q];
        for (let q = 0; q < d; q++) work[q] -= s * b[q];
      }
    }
    let rest = 0;
    for (let q = 0; q < d; q++) rest += work[q] * work[q];
    rest = Math.sqrt(rest);
    if (rest <= 1e-14) continue;
    rows.push(Float64Array.from(work, (x) => x / rest));
    if (rows.length === d) break;
  }
  const out = new Float64Array(rows.length * d);
  for (let c = 0; c < rows.length; c++) out.set(rows[c], c * d);
  return out;
}
