import type { Activation } from "../activations/types.js";
import { nnls } from "../linalg/nnls.js";
import { symmetricEigen } from "../linalg/symmetricEigen.js";
import { pairKernelValue } from "../losses/population/index.js";
import type { Teacher } from "../model/teacher.js";
import type { Rng } from "../random/rng.js";
import type { InitConfig, ParameterizationName } from "../spec.js";
import { type ArrayStore, getArray } from "./arrays.js";
import { makeSample } from "./data.js";
import { randomDirection } from "./teacher.js";

export interface InitContext {
  readonly m: number;
  readonly d: number;
  readonly activation: Activation;
  readonly parameterization: ParameterizationName;
  readonly teacher: Teacher | null;
  readonly rng: Rng;
  readonly arrays: ArrayStore;
}

/** The student's initial trainable weights W (m×d, row-major) for an init spec. */
export function initialWeights(spec: InitConfig, ctx: InitContext): Float64Array {
  const { m, d, rng } = ctx;
  const W = new Float64Array(m * d);
  switch (spec.kind) {
    case "gaussian": {
      const s = spec.scaleBy === "sqrt-d" ? spec.scale / Math.sqrt(d) : spec.scale;
      return rng.fillNormal(W, s);
    }
    case "du":
      return rng.fillNormal(W, 1);
    case "file":
      return new Float64Array(getArray(ctx.arrays, spec.weights).data);
    case "explicit":
      return Float64Array.from(spec.weights.flat());
    case "zgj-random": {
      rng.fillNormal(W, 1);
      return fitNormsByNnls(W, ctx);
    }
    case "zgj-subspace":
      return subspaceInit(spec.samples, ctx);
    case "near-teacher":
      return nearTeacher(spec.noise, ctx);
    case "xd-toy":
      return xdToy(spec, ctx);
    case "zgj-pair":
      return zgjPair(spec.delta, ctx);
    case "symmetric-pairs":
      return symmetricPairs(spec.scale, ctx);
  }
}

/**
 * Lazy-regime init: rows 0…m/2−1 are N(0, τ²I), row i + m/2 repeats row i. With the output
 * weights of symmetricPairOutputs (+1 then −1) every pair cancels, so the network starts at
 * f(W₀) = 0 for any τ.
 */
function symmetricPairs(scale: number, ctx: InitContext): Float64Array {
  const { m, d, rng } = ctx;
  if (m % 2 !== 0) throw new RangeError(`symmetric-pairs needs an even width, got ${m}`);
  const half = (m / 2) * d;
  const W = new Float64Array(m * d);
  rng.fillNormal(W.subarray(0, half), scale);
  W.copyWithin(half, 0, half);
  return W;
}

/** The raw output weights that go with symmetric-pairs: +1 for the first m/2, −1 for the rest. */
export function symmetricPairOutputs(m: number): Float64Array {
  return Float64Array.from({ length: m }, (_, i) => (i < m / 2 ? 1 : -1));
}

/**
 * ZGJ Algorithm 1, second half: keep the directions of W, choose the output scale zᵢ ≥ 0 of
 * each by non-negative least squares on the population loss
 *   min_{z ≥ 0} ½E[(Σᵢ zᵢσ(wᵢᵀx) − f*(x))²] = ½(zᵀGz − 2zᵀh) + const,
 * Gᵢⱼ = κ(wᵢ, wⱼ), hᵢ = Σₙ bₙκ(wᵢ, vₙ); written as ‖Bz − c‖² with B = Λ^½Qᵀ, c = Λ^-½Qᵀh from
 * G = QΛQᵀ (pseudo-inverse on the null space). Then the weight is rescaled so that the
 * effective neuron is zᵢwᵢ: w′ = √(zᵢ/‖wᵢ‖)·wᵢ for ‖w‖w (ZGJ), w′ = zᵢwᵢ for plain.
 */
export function fitNormsByNnls(W: Float64Array, ctx: InitContext): Float64Array {
  const { m, d, activation, teacher } = ctx;
  if (!teacher) throw new RangeError("ZGJ initializations need a neuron teacher");
  const G = new Float64Array(m * m);
  const h = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    for (let j = i; j < m; j++) {
      const k = pairKernelValue(activation, W, i * d, W, j * d, d);
      G[i * m + j] = k;
      G[j * m + i] = k;
    }
    for (let n = 0; n < teacher.r; n++)
      h[i] += teacher.b[n] * pairKernelValue(activation, W, i * d, teacher.V, n * d, d);
  }
  const { values, vectors } = symmetricEigen(G, m);
  const maxEig = Math.max(...values);
  const B = new Float64Array(m * m);
  const c = new Float64Array(m);
  for (let p = 0; p < m; p++) {
    const lambda = values[p];
    if (lambda <= 1e-13 * maxEig) continue;
    const sq = Math.sqrt(lambda);
    let qh = 0;
    for (let i = 0; i < m; i++) qh += vectors[i * m + p] * h[i];
    c[p] = qh / sq;
    for (let i = 0; i < m; i++) B[p * m + i] = sq * vectors[i * m + p];
  }
  const { x: z } = nnls(B, m, m, c);
  const out = new Float64Array(m * d);
  for (let i = 0; i < m; i++) {
    let nw = 0;
    for (let k = 0; k < d; k++) nw += W[i * d + k] * W[i * d + k];
    nw = Math.sqrt(nw);
    const f = ctx.parameterization === "norm-weighted" ? Math.sqrt(z[i] / nw) : z[i];
    for (let k = 0; k < d; k++) out[i * d + k] = f * W[i * d + k];
  }
  return out;
}

/**
 * ZGJ Algorithm 2: estimate span{vₙ} by the top-r eigenvectors of
 * M̂ = (1/N)Σₖ yₖ(xₖxₖᵀ − I) from N fresh samples, draw wᵢ ~ N(0, QQᵀ), then Algorithm 1.
 */
function subspaceInit(samples: number, ctx: InitContext): Float64Array {
  const { m, d, teacher, activation, rng } = ctx;
  if (!teacher) throw new RangeError("zgj-subspace needs a neuron teacher");
  const r = teacher.r;
  const sample = makeSample(
    samples,
    d,
    "gaussian",
    teacher,
    activation,
    rng.split("subspace-samples"),
  );
  const M = new Float64Array(d * d);
  for (let k = 0; k < samples; k++) {
    const y = sample.y[k] / samples;
    for (let p = 0; p < d; p++) {
      const xp = sample.X[k * d + p];
      for (let q = 0; q < d; q++) M[p * d + q] += y * xp * sample.X[k * d + q];
      M[p * d + p] -= y;
    }
  }
  const { vectors } = symmetricEigen(M, d); // ascending: the top r are the last r columns
  const W = new Float64Array(m * d);
  for (let i = 0; i < m; i++) {
    for (let t = 0; t < r; t++) {
      const g = rng.normal();
      const col = d - 1 - t;
      for (let k = 0; k < d; k++) W[i * d + k] += g * vectors[k * d + col];
    }
  }
  return fitNormsByNnls(W, ctx);
}

/**
 * Students split evenly among teachers (student i → teacher i mod r), each starting at its
 * teacher's direction plus N(0, noise²I), scaled so that each group's effective neurons sum
 * to its teacher: ‖w‖w = vₙ/kₙ needs ‖w‖ = √(‖vₙ‖/kₙ) (norm-weighted), w = vₙ/kₙ otherwise.
 * This is the "local" regime of ZGJ Fig. 1c.
 */
function nearTeacher(noise: number, ctx: InitContext): Float64Array {
  const { m, d, teacher, rng } = ctx;
  if (!teacher) throw new RangeError("near-teacher needs a neuron teacher");
  const r = teacher.r;
  const W = new Float64Array(m * d);
  for (let i = 0; i < m; i++) {
    const n = i % r;
    const groupSize = Math.floor(m / r) + (n < m % r ? 1 : 0);
    let vn = 0;
    for (let k = 0; k < d; k++) vn += teacher.V[n * d + k] ** 2;
    vn = Math.sqrt(vn);
    const target =
      ctx.parameterization === "norm-weighted" ? Math.sqrt(vn / groupSize) : vn / groupSize;
    for (let k = 0; k < d; k++)
      W[i * d + k] = target * (teacher.V[n * d + k] / vn + noise * rng.normal());
  }
  return W;
}

/**
 * ZGJ Claim 2: w₁,₂ = ρ(cos δ v̄ ± sin δ v̄⊥) with ρ chosen so that the effective neurons sum to
 * the teacher: 2‖w‖²cos δ = ‖v‖ for ‖w‖w (ρ = √(‖v‖/(2 cos δ)); ‖v‖ = 1 gives the paper's
 * 1/√(2 cos δ)), 2ρ cos δ = ‖v‖ for plain.
 */
function zgjPair(delta: number, ctx: InitContext): Float64Array {
  const { d, teacher } = ctx;
  if (teacher?.r !== 1 || ctx.m !== 2)
    throw new RangeError("zgj-pair needs two students and a single-neuron teacher");
  const v = teacher.V;
  const vn = Math.hypot(...v.subarray(0, d));
  const perp = orthogonalUnit(v, d, ctx.rng);
  const rho =
    ctx.parameterization === "norm-weighted"
      ? Math.sqrt(vn / (2 * Math.cos(delta)))
      : vn / (2 * Math.cos(delta));
  const W = new Float64Array(2 * d);
  for (let k = 0; k < d; k++) {
    W[k] = rho * (Math.cos(delta) * (v[k] / vn) + Math.sin(delta) * perp[k]);
    W[d + k] = rho * (Math.cos(delta) * (v[k] / vn) - Math.sin(delta) * perp[k]);
  }
  return W;
}

/** A uniformly random unit vector orthogonal to v (d ≥ 2). */
function orthogonalUnit(v: Float64Array, d: number, rng: Rng): Float64Array {
  const perp = new Float64Array(d);
  let vv = 0;
  for (let k = 0; k < d; k++) vv += v[k] * v[k];
  let pn = 0;
  do {
    randomDirection(rng, perp, 0, d);
    let c = 0;
    for (let k = 0; k < d; k++) c += perp[k] * v[k];
    for (let k = 0; k < d; k++) perp[k] -= (c / vv) * v[k];
    pn = Math.hypot(...perp);
  } while (pn < 1e-8);
  for (let k = 0; k < d; k++) perp[k] /= pn;
  return perp;
}

/**
 * XD Appendix A. With v the (single) teacher and v⊥ a random unit direction orthogonal to v
 * scaled to ‖v‖: case 1 (n = 2) w₁ = λ₁v + λ₂v⊥, w₂ = λ₁v − λ₂v⊥; case 2 wᵢ = λᵢv; case 3
 * every wᵢ = λ₁v + λ₂v⊥.
 */
function xdToy(spec: Extract<InitConfig, { kind: "xd-toy" }>, ctx: InitContext): Float64Array {
  const { m, d, teacher, rng } = ctx;
  if (teacher?.r !== 1) throw new RangeError("xd-toy needs a single-neuron teacher");
  const v = teacher.V;
  let vv = 0;
  for (let k = 0; k < d; k++) vv += v[k] * v[k];
  const perp = d > 1 ? orthogonalUnit(v, d, rng) : new Float64Array(d);
  for (let k = 0; k < d; k++) perp[k] *= Math.sqrt(vv);
  const W = new Float64Array(m * d);
  for (let i = 0; i < m; i++) {
    let l1 = spec.lambda1;
    let l2 = spec.lambda2;
    if (spec.case === 1 && i === 1) l2 = -l2;
    if (spec.case === 2) {
      l1 = spec.lambdas ? spec.lambdas[i] : 0.1;
      l2 = 0;
    }
    for (let k = 0; k < d; k++) W[i * d + k] = l1 * v[k] + l2 * perp[k];
  }
  return W;
}
