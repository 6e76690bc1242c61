import { extremeEigenvalues } from "../linalg/extremeEigenvalues.js";
import type { MatrixKernels } from "../linalg/gemm.js";
import { angleBetween } from "../linalg/vector.js";
import type { Sample } from "../losses/empirical.js";
import type { ExperimentConfig } from "../spec.js";
import { firstProblem, needsTrainingSet } from "./applicability.js";
import type { Metric } from "./types.js";

function reluWithData(spec: ExperimentConfig): string | null {
  return firstProblem(
    spec.activation === "relu" ? null : `is defined for ReLU (activation is ${spec.activation})`,
    needsTrainingSet(spec),
  );
}

/**
 * Activation pattern 1{wᵣᵀxᵢ > 0} as bitsets: one row of ⌈m/32⌉ words per sample. The
 * pre-activations come from one product Z = X·Wᵀ (N×m scratch) through the engine's matrix
 * kernels: the plain N·m·d loop took seconds per recorded row at DU's full size.
 */
function patterns(
  kernels: MatrixKernels,
  theta: Float64Array,
  m: number,
  d: number,
  sample: Sample,
  out: Uint32Array,
  Z: Float64Array,
): void {
  const words = (m + 31) >>> 5;
  kernels.gemm(false, true, sample.n, m, d, sample.X, theta, Z);
  out.fill(0);
  for (let i = 0; i < sample.n; i++) {
    const zo = i * m;
    for (let r = 0; r < m; r++) if (Z[zo + r] > 0) out[i * words + (r >>> 5)] |= 1 << (r & 31);
  }
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

export const duFlips: Metric = {
  name: "du_flips",
  description:
    "DU Fig. 1b/c: fraction of activation patterns flipped since init, and maxᵣ‖wᵣ(k) − wᵣ(0)‖",
  applies: reluWithData,
  create: (ctx) => {
    const { m, d } = ctx;
    const train = ctx.train!;
    const words = (m + 31) >>> 5;
    const initial = new Uint32Array(train.n * words);
    const current = new Uint32Array(train.n * words);
    const Z = new Float64Array(train.n * m);
    patterns(ctx.engine.matrixKernels, ctx.initialTheta, m, d, train, initial, Z);
    return {
      columns: ["du_flip_fraction", "du_max_distance"],
      observe: (p, out) => {
        patterns(ctx.engine.matrixKernels, p.theta, m, d, train, current, Z);
        let flips = 0;
        for (let k = 0; k < current.length; k++) flips += popcount(current[k] ^ initial[k]);
        let maxDist = 0;
        for (let r = 0; r < m; r++) {
          let s = 0;
          for (let k = 0; k < d; k++) s += (p.theta[r * d + k] - ctx.initialTheta[r * d + k]) ** 2;
          maxDist = Math.max(maxDist, Math.sqrt(s));
        }
        out.push(flips / (m * train.n), maxDist);
      },
    };
  },
};

/**
 * DU eq. (6): H(k)ᵢⱼ = xᵢᵀxⱼ·(1/m)Σᵣ 1{wᵣᵀxᵢ ≥ 0, wᵣᵀxⱼ ≥ 0}, built from bit-packed activation
 * patterns (a popcount of ANDed words per pair), and its smallest eigenvalue. The summary
 * holds λ₀ = λ_min(H^∞), H^∞ᵢⱼ = xᵢᵀxⱼ(π − arccos(xᵢᵀxⱼ))/(2π) for unit inputs (DU Assumption 3.1),
 * and ‖H(0) − H^∞‖₂ (DU Lemma 3.1) as du_gram_init_deviation.
 */
export const duGram: Metric = {
  name: "du_gram",
  description: "DU eq. (6): λ_min of the Gram matrix H(k); λ₀ = λ_min(H^∞) in the summary",
  applies: (spec) =>
    reluWithData(spec) ??
    (spec.inputs === "sphere" ? null : "needs unit-norm inputs (inputs: sphere) for H^∞"),
  create: (ctx) => {
    const { m, d } = ctx;
    const train = ctx.train!;
    const n = train.n;
    const words = (m + 31) >>> 5;
    // Gram matrix XXᵀ, made exactly symmetric (a backend may round (i, j) and (j, i) apart)
    const G = new Float64Array(n * n);
    ctx.engine.matrixKernels.gemm(false, true, n, n, d, train.X, train.X, G);
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) G[i * n + j] = G[j * n + i];
    // H^∞ᵢⱼ = xᵢᵀxⱼ(π − θᵢⱼ)/(2π). arccos of a dot product near ±1 loses half the digits
    // (θ ≈ √(2(1 − c)): ~4e-9 relative in λ₀), so the diagonal uses θ = 0 exactly and
    // near-parallel pairs take the angle from the vectors (2·atan2(‖x̂ − ŷ‖, ‖x̂ + ŷ‖)).
    const Hinf = new Float64Array(n * n);
    const norms = Float64Array.from({ length: n }, (_, i) => Math.sqrt(G[i * n + i]));
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        const k = i * n + j;
        const c = G[k] / (norms[i] * norms[j]);
        const theta =
          i === j
            ? 0
            : Math.abs(c) > 0.9
              ? angleBetween(train.X, i * d, norms[i], train.X, j * d, norms[j], d)
              : Math.acos(c);
        Hinf[k] = (G[k] * (Math.PI - theta)) / (2 * Math.PI);
      }
    const lambda0 = minEigenvalue(Hinf, n).min;
    // H(k) changes little between recorded rows: Lanczos starts from the previous row's
    // extreme eigenvectors (their sum, plus a little of a generic vector so no eigenspace is
    // missing), which cuts the iterations to convergence.
    let warm: Float64Array | undefined;
    const bits = new Uint32Array(n * words);
    const Z = new Float64Array(n * m);
    const H = new Float64Array(n * n);
    const gramAt = (theta: Float64Array) => {
      patterns(ctx.engine.matrixKernels, theta, m, d, train, bits, Z);
      for (let i = 0; i < n; i++) {
        for (let j = i; j < n; j++) {
          let c = 0;
          for (let w = 0; w < words; w++) c += popcount(bits[i * words + w] & bits[j * words + w]);
          const h = (G[i * n + j] * c) / m;
          H[i * n + j] = h;
          H[j * n + i] = h;
        }
      }
    };
    // DU Lemma 3.1: ‖H(0) − H^∞‖₂ (the largest |eigenvalue| of the difference), for the summary
    gramAt(ctx.initialTheta);
    const D = Float64Array.from(H, (h, k) => h - Hinf[k]);
    const dev = minEigenvalue(D, n);
    const initialDeviation = Math.max(Math.abs(dev.min), Math.abs(dev.max));
    return {
      columns: ["du_gram_min_eig"],
      observe: (p, out) => {
        gramAt(p.theta);
        const r = minEigenvalue(H, n, warm);
        warm = Float64Array.from(
          r.minVector,
          (v, i) => v + r.maxVector[i] + (1e-3 * Math.sin(i + 1)) / Math.sqrt(n),
        );
        out.push(r.min);
      },
      summary: () => ({ du_lambda0: lambda0, du_gram_init_deviation: initialDeviation }),
    };
  },
};

function minEigenvalue(M: Float64Array, n: number, start?: Float64Array) {
  return extremeEigenvalues(
    (v, o) => {
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += M[i * n + j] * v[j];
        o[i] = s;
      }
    },
    n,
    { tolerance: 1e-10, start },
  );
}
