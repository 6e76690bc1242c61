/**
 * What a spec will allocate, estimated before anything is allocated, so that a typo such as
 * `dimension: 1000000000` is refused in one line instead of growing past the machine's memory
 * (and a sweep of 10⁸ points is refused before it is expanded). The estimate follows the
 * arrays the engine builds (src/core/experiment/setup.ts, losses, metrics): it is meant to be
 * within a small factor, and each part names the spec field it grows with.
 */
import { GEMM_MIN_WORK } from "../core/losses/empirical.js";
import type { ExperimentConfig } from "../core/spec.js";

const BYTES = 8; // float64

/** What one command may use: memory for its runs, and how many runs a sweep may expand to. */
export interface ResourceLimits {
  maxMemory: number;
  /** Where maxMemory came from, for messages. */
  memorySource: string;
  maxRuns: number;
}

export interface MemoryPart {
  /** The spec field that this part grows with, e.g. "loss.trainSize". */
  field: string;
  /** What it is, in words. */
  what: string;
  bytes: number;
}

export interface MemoryEstimate {
  bytes: number;
  parts: MemoryPart[];
}

function teacherNeurons(spec: ExperimentConfig): number {
  const t = spec.teacher;
  if (t.kind === "single") return 1;
  if (t.kind === "random" || t.kind === "separated") return t.neurons;
  if (t.kind === "explicit") return typeof t.neurons === "string" ? 0 : t.neurons.length;
  return 0;
}

/**
 * Peak memory of one run, in bytes, by part. Arrays read from .npy files are not counted (they
 * are already in memory when this is asked), but what the run builds from them is, given
 * their shapes (`arrays`, by the path written in the spec).
 */
export function estimateMemory(
  spec: ExperimentConfig,
  arrays: Readonly<Record<string, { shape: readonly number[] }>> = {},
): MemoryEstimate {
  const d = spec.dimension;
  const m = spec.student.width;
  const r = teacherNeurons(spec);
  const parts: MemoryPart[] = [];
  const add = (field: string, what: string, numbers: number) =>
    parts.push({ field, what, bytes: numbers * BYTES });
  // θ, gradients, the observed copies, the initial point, the final copy: ~8 vectors of m·(d + 1)
  add(
    d > m ? "dimension" : "student.width",
    `parameters (${m} × ${d}, ~8 copies)`,
    8 * m * (d + 1),
  );
  if (r > 0) add("teacher.neurons", `teacher (${r} × ${d})`, 2 * r * d + (m + r) * d);
  const loss = spec.loss;
  const samples = (n: number, field: string, what: string) => {
    // the inputs (n × d) and, for the empirical loss, pre-activations and coefficients (2 × n × m)
    add(
      d > n && d > m ? "dimension" : field,
      `${what} (${n} × ${d} inputs, ${n} × ${m} activations)`,
      n * d + 2 * n * m + 2 * n,
    );
    products(n, field);
  };
  // Large samples go through matrix products; the WebAssembly kernel (threaded or not) copies
  // operands and product into its own memory and, for helper threads, a shared staging buffer:
  // up to ~2 copies of X, W and Z (measured: +427 MB over BLAS, which copies nothing, at
  // N = d = 1000, m = 16 384 with 2 threads; BENCHMARKS.md). Counted whichever backend runs.
  const products = (n: number, field: string) => {
    if (n * m * d < GEMM_MIN_WORK) return;
    add(
      d > n && d > m ? "dimension" : field,
      "matrix-product operand copies (WebAssembly kernel)",
      2 * (n * d + m * d + n * m),
    );
  };
  if (loss.kind === "empirical") {
    const file = loss.train?.inputs;
    if (!file) samples(loss.trainSize, "loss.trainSize", "training set");
    else {
      const rows = arrays[file]?.shape[0] ?? 0;
      add("loss.train.inputs", `training activations (${rows} × ${m})`, 2 * rows * m);
      products(rows, "loss.train.inputs");
    }
    if (spec.activation === "quadratic" && d <= 40) {
      const p = (d * (d + 1)) / 2;
      add("dimension", `quadratic moments (${p} × ${p})`, 2 * p * p);
    }
  }
  if (loss.kind === "online") samples(loss.batchSize, "loss.batchSize", "online batch");
  if (spec.optimizer.kind === "sgd")
    samples(spec.optimizer.batchSize, "optimizer.batchSize", "mini-batch");
  if (loss.testSize > 0 && !loss.test?.inputs) samples(loss.testSize, "loss.testSize", "test set");
  const init = spec.student.init;
  if (init.kind === "zgj-subspace")
    add(
      "student.init.samples",
      `Algorithm 2 samples (${init.samples} × ${d})`,
      init.samples * (d + 1) + 2 * d * d,
    );
  if (init.kind === "zgj-random" || init.kind === "zgj-subspace")
    add("student.width", `Algorithm 1 Gram matrix (${m} × ${m})`, 2 * m * m);
  const n = loss.kind === "empirical" ? loss.trainSize : 0;
  if (spec.metrics.includes("du_gram"))
    add("loss.trainSize", `Gram matrices H(k), H^∞ (${n} × ${n}, ×4)`, 4 * n * n + n * m);
  if (spec.metrics.includes("du_flips")) add("loss.trainSize", "activation patterns", n * m);
  if (spec.metrics.includes("hessian_eigs")) {
    const dim = m * d + (spec.student.trainOutput ? m : 0);
    add(
      "student.width",
      "Hessian eigenvalues (Lanczos vectors)",
      dim <= 200 ? dim * dim : 60 * dim,
    );
  }
  if (spec.metrics.includes("weights")) add("student.width", "weights metric row", 2 * m * d);
  add("(engine)", "run loop and buffers", (4 * 1024 * 1024) / BYTES);
  return { bytes: parts.reduce((s, p) => s + p.bytes, 0), parts };
}

export function formatBytes(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB", "PB"];
  let v = bytes;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v < 10 && u > 0 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

/**
 * Parses a memory size: a number of bytes or a number with a unit (kB, MB, GB, TB; KiB, MiB,
 * GiB, TiB; case-insensitive), e.g. "8GB", "512 MiB", "2e9". Returns null when not a size.
 */
export function parseBytes(text: string): number | null {
  const m = /^\s*([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*([kmgt]i?b|b)?\s*$/i.exec(text);
  if (!m) return null;
  const value = Number(m[1]);
  const unit = (m[2] ?? "b").toLowerCase();
  const scale: Record<string, number> = {
    b: 1,
    kb: 1e3,
    mb: 1e6,
    gb: 1e9,
    tb: 1e12,
    kib: 2 ** 10,
    mib: 2 ** 20,
    gib: 2 ** 30,
    tib: 2 ** 40,
  };
  const bytes = value * scale[unit];
  return Number.isFinite(bytes) && bytes > 0 ? bytes : null;
}

/**
 * One problem line when the spec's estimate exceeds `limit` bytes, naming the field of the
 * largest part, or null. `limitSource` says where the limit came from (for the message).
 */
export function memoryProblem(
  spec: ExperimentConfig,
  limit: number,
  limitSource: string,
  arrays: Readonly<Record<string, { shape: readonly number[] }>> = {},
): string | null {
  const estimate = estimateMemory(spec, arrays);
  if (estimate.bytes <= limit) return null;
  const largest = estimate.parts.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  return `${largest.field}: this run needs about ${formatBytes(estimate.bytes)} of memory (${largest.what}: ${formatBytes(largest.bytes)}), above the limit of ${formatBytes(limit)} (${limitSource}); make it smaller or raise --max-memory`;
}

/** How many runs a sweep document expands to (the product of its lists), without expanding it. */
export function sweepSize(doc: Record<string, unknown>): number {
  const sweep = doc.sweep;
  if (!sweep || typeof sweep !== "object" || Array.isArray(sweep)) return 1;
  let n = 1;
  for (const values of Object.values(sweep as Record<string, unknown>))
    if (Array.isArray(values)) n *= Math.max(values.length, 1);
  return n;
}

/**
 * The memory problems of jobs that run `threads` at a time, each against its share of the
 * limit: one line per job, prefixed by `label(job)` (identical lines once).
 */
export function pooledMemoryProblems<
  J extends {
    spec: ExperimentConfig;
    arrays?: Readonly<Record<string, { shape: readonly number[] }>>;
  },
>(
  jobs: readonly J[],
  limits: ResourceLimits,
  threads: number,
  label: (job: J) => string,
): string[] {
  const concurrent = Math.max(1, Math.min(threads, jobs.length));
  const problems = new Set<string>();
  for (const job of jobs) {
    const p = memoryProblem(
      job.spec,
      limits.maxMemory / concurrent,
      `${limits.memorySource} shared by ${concurrent} threads`,
      job.arrays,
    );
    if (p) problems.add(`${label(job)}${p}`);
  }
  return [...problems];
}
