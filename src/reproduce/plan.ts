/**
 * spec → jobs: which runs a reproduction needs. Every preset whose `paper` is one of the
 * requested papers and that has a `reproduce` block contributes the Cartesian product of its
 * sweep and its seeds; `--full` first applies the preset's `reproduce.full.set` overrides.
 * Each job carries a content hash of its resolved spec and of the engine code, so a finished
 * run is reused only when neither changed.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { listPresets } from "../io/presets.js";
import { loadSpecDocument, UserInputError } from "../io/specFile.js";
import { packageRoot, packageVersion } from "../io/version.js";
import { expandSweep, setPath, sweepLabel } from "../spec/overrides.js";
import type { Spec } from "../spec/schema.js";
import { validateSpec } from "../spec/validate.js";
import { paperKeys } from "./papers/index.js";

/** quick: the default sizes; full: the papers' own; tiny: smoke-test sizes for the tests. */
export type Mode = "quick" | "full" | "tiny";

export interface Job {
  paper: string;
  preset: string;
  /** Sweep point and seed, e.g. [["student.width", 3], ["seed", 1]]. */
  assignments: ReadonlyArray<readonly [string, unknown]>;
  /** The sweep point without the seed: jobs with the same key are seeds of one curve. */
  pointKey: string;
  seed: number;
  spec: Spec;
  /** Folder relative to the runs root: <preset>/<label>. */
  dir: string;
  hash: string;
  /** Rough work estimate (arbitrary units ∝ floating-point work) for progress and ETA. */
  cost: number;
}

export interface Plan {
  mode: Mode;
  papers: string[];
  jobs: Job[];
  /** Presets per paper, in run order. */
  presets: Record<string, string[]>;
}

/** Paper keys from the command line, checked against those that exist. */
export function resolvePapers(requested: readonly string[]): string[] {
  if (requested.length === 0) return [...paperKeys];
  const unknown = requested.filter((p) => !paperKeys.includes(p));
  if (unknown.length) {
    throw new UserInputError([
      `unknown paper ${unknown.map((u) => `"${u}"`).join(", ")}; available: ${paperKeys.join(", ")}`,
    ]);
  }
  return [...new Set(requested)];
}

export async function planReproduction(papers: readonly string[], mode: Mode): Promise<Plan> {
  const fingerprint = engineFingerprint();
  const all = await listPresets();
  const jobs: Job[] = [];
  const presets: Record<string, string[]> = {};
  const problems: string[] = [];
  for (const paper of papers) {
    presets[paper] = [];
    for (const info of all.filter((p) => p.paper === paper)) {
      const loaded = await loadSpecDocument(info.name);
      let doc = loaded.doc;
      const reproduce = doc.reproduce as
        | (Partial<Record<"full" | "tiny", { seeds?: number; set?: Record<string, unknown> }>> & {
            seeds?: number;
          })
        | undefined;
      if (!reproduce) continue;
      presets[paper].push(info.name);
      const variant = mode === "quick" ? undefined : reproduce[mode];
      for (const [field, value] of Object.entries(variant?.set ?? {})) {
        doc = field === "sweep" ? { ...doc, sweep: value } : setPath(doc, field, value);
      }
      const seeds =
        variant?.seeds ??
        (mode === "tiny" ? Math.min(2, reproduce.seeds ?? 1) : (reproduce.seeds ?? 1));
      const baseSeed = Number(doc.seed ?? 0);
      for (const point of expandSweep(doc)) {
        for (let s = 0; s < seeds; s++) {
          const seed = baseSeed + s;
          const assignments = [...point.assignments, ["seed", seed] as const];
          const v = validateSpec(setPath(point.doc, "seed", seed));
          if (!v.ok) {
            problems.push(
              ...v.problems.map((p) => `${info.name} [${sweepLabel(assignments)}] ${p}`),
            );
            continue;
          }
          jobs.push({
            paper,
            preset: info.name,
            assignments,
            pointKey: point.label,
            seed,
            spec: v.spec,
            dir: path.join(info.name, sweepLabel(assignments)),
            hash: specHash(v.spec, fingerprint),
            cost: estimateCost(v.spec),
          });
        }
      }
    }
  }
  if (problems.length) throw new UserInputError(problems);
  return { mode, papers: [...papers], jobs, presets };
}

/** JSON with object keys sorted, so equal specs hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** sha256 of the resolved spec (without its `reproduce` block) and the engine fingerprint. */
export function specHash(spec: Spec, fingerprint: string): string {
  const { reproduce: _ignored, description: _text, ...rest } = spec;
  return createHash("sha256")
    .update(canonicalJson(rest))
    .update("\0")
    .update(fingerprint)
    .digest("hex");
}

let cachedFingerprint: string | null = null;

/**
 * A hash of the code that produces numbers: the compiled numeric core (dist/core) and the
 * package version. Any change to the engine invalidates cached runs; changes to plotting or
 * the report do not, so re-drawing figures is free.
 */
export function engineFingerprint(): string {
  if (cachedFingerprint) return cachedFingerprint;
  const hash = createHash("sha256").update(packageVersion);
  const root = path.join(packageRoot, "dist", "core");
  const files = (readdirSync(root, { recursive: true }) as string[])
    .filter((f) => f.endsWith(".js"))
    .sort();
  for (const f of files)
    hash
      .update(f)
      .update("\0")
      .update(readFileSync(path.join(root, f)));
  cachedFingerprint = hash.digest("hex").slice(0, 16);
  return cachedFingerprint;
}

/**
 * Estimated wall time of one run in nanoseconds on one thread of the development machine (2
 * cores, shared; calibrated 2026-11-30 from the quick and full reproductions' runs on disk):
 * steps × (per-step loss and gradient) + records × (metrics) + setup. Used to weight the
 * progress bar and to estimate `--full`; the reproduction rescales it by the throughput of the
 * runs already on disk when there are some. Not a promise: diverging runs stop early.
 *
 * Per step: population losses pay ~4 µs of fixed overhead plus ~130 ns per pair of neurons
 * (student and teacher) for the closed forms (ReLU/abs with u = w run fused loops: ~1 µs and
 * ~60 ns); gradient flow ~1000 Dormand–Prince steps per decade of time; fixed samples cost
 * ~0.15 ns per multiply–add of the 6·m·d·N forward/backward products (WebAssembly or ONNX
 * kernels), and quadratic activations with d ≤ 40 go through the sample's moments (~p² with
 * p = d(d+1)/2). Per record: du_gram's λ_min(H(k)) by Lanczos (150–300 products with the n×n
 * matrix in JavaScript, ~1.5 µs·(n² + 300n) in all; dense below n = 200) plus its activation
 * patterns; du_flips the patterns only. Measured per paper against the full reproduction's
 * thread time under load 7–10: WA 1.33×, DU 0.92×, XD 1.78×, ZGJ 1.87× (2026-11-30); on the
 * idle machine every part runs 4.6–8.4× faster (see DEFAULT_THROUGHPUT in command.ts).
 */
export function estimateCost(spec: Spec): number {
  const m = spec.student.width;
  const d = spec.dimension;
  const t = spec.teacher;
  const r =
    t.kind === "random" || t.kind === "separated"
      ? t.neurons
      : t.kind === "explicit"
        ? Array.isArray(t.neurons)
          ? t.neurons.length
          : 4
        : t.kind === "noise"
          ? 0
          : 1;
  const loss = spec.loss;
  const opt = spec.optimizer;
  const samples =
    loss.kind === "empirical"
      ? opt.kind === "sgd"
        ? opt.batchSize
        : loss.trainSize
      : loss.kind === "online"
        ? loss.batchSize
        : 0;
  const p = (d * (d + 1)) / 2;
  const moments =
    spec.activation === "quadratic" &&
    loss.kind === "empirical" &&
    d <= 40 &&
    p * p <= 2 * loss.trainSize * m * d;
  const pairs = (m + r) * (m + r);
  // ReLU/abs population losses with u = w and fixed outputs run whole GD loops in one call
  const fused =
    loss.kind === "population" &&
    opt.kind === "gd" &&
    (spec.activation === "relu" || spec.activation === "abs") &&
    spec.student.parameterization !== "norm-weighted" &&
    !spec.student.trainOutput;
  const perStep = fused
    ? 1000 + 60 * pairs + 4 * pairs * d
    : 4000 +
      (moments
        ? 3 * p * p + 10 * m * d * d
        : samples > 0
          ? 0.15 * 6 * m * d * samples
          : 130 * pairs + 4 * pairs * d);
  // flow: Dormand–Prince takes steps that grow as the dynamics slow down, ~1000 per decade of
  // time (xd-flow: 4719 steps to t = 10⁴), each with 6 gradients and ~20 µs of bookkeeping
  const steps = opt.kind === "flow" ? Math.ceil(1000 * Math.log10(1 + 10 * opt.time)) : opt.steps;
  // online losses draw a fresh batch (inputs and teacher labels) before every step: ~0.1 ms
  // measured for 100 samples in d = 2 (zgj-online)
  const draw = loss.kind === "online" ? 1000 * loss.batchSize : 0;
  const stepCost = (opt.kind === "flow" ? 6 * perStep + 2e4 : perStep) + draw;
  const ppd = spec.record.pointsPerDecade;
  const records = Math.min(steps + 1, ppd * Math.log10(steps + 1) + (ppd >= 10 ? 10 : 1));
  const n = loss.kind === "empirical" ? loss.trainSize : 0;
  const patterns = 0.24 * n * m * d + 5 * n * m;
  let perRecord = 2000 * spec.metrics.length + 10 * m * d;
  let setup = 3e7;
  if (spec.metrics.includes("loss") && loss.kind === "empirical" && loss.testSize > 0)
    perRecord += 0.12 * 2 * m * d * loss.testSize;
  if (spec.metrics.includes("du_flips")) perRecord += patterns;
  if (spec.metrics.includes("du_gram")) {
    const lanczos = n <= 200 ? 20 * n * n * n : 1500 * (n * n + 300 * n);
    const gram = patterns + 2.5 * n * n * Math.ceil(m / 32);
    perRecord += gram + lanczos;
    setup += gram + 3 * lanczos; // λ₀ of H^∞ and ‖H(0) − H^∞‖₂
  }
  if (spec.metrics.includes("hessian_eigs")) perRecord += 60 * perStep;
  return setup + steps * stepCost + records * perRecord;
}
