import { dormandPrince, type OdeResult } from "../dynamics/dormandPrince.js";
import { axpyLoop, largeArray, type MatrixKernels } from "../linalg/gemm.js";
import type { EmpiricalLoss } from "../losses/empirical.js";
import { findMetric } from "../metrics/registry.js";
import type { MetricObserver } from "../metrics/types.js";
import { Rng } from "../random/rng.js";
import { logStepGrid, logTimeGrid } from "../record/logGrid.js";
import { makeSample } from "../setup/data.js";
import type { StopRules } from "../spec.js";
import type { ObservedPoint, RunContext } from "./context.js";
import { subspaceDynamics } from "./subspace.js";

export type RunStatus = "completed" | "diverged" | "interrupted" | "failed";

/** How a run is driven: everything here leaves the iterates unchanged except `stop`. */
export interface RunOptions {
  /** Progress is reported (and shouldStop polled) every this many steps; default 256. */
  checkEvery?: number;
  /**
   * Run population GD/flow in the span of the student and teacher neurons when that is
   * smaller than d (default true; see subspace.ts). false forces the full-d path.
   */
  subspace?: boolean;
  /**
   * Let the loss run the GD steps between two recorded or checked steps itself when it can
   * (default true; the iterates are identical). false steps one at a time.
   */
  fuse?: boolean;
  /** Stop rules for this call; each field overrides the spec's `stop`. */
  stop?: Partial<StopRules>;
  /** Polled with each progress report; returning true ends the run "interrupted". */
  shouldStop?(): boolean;
}

/** Progress between recorded rows (rows are log-spaced, so they thin out late in a run). */
export interface RunProgress {
  step: number;
  /** 0 for gradient flow, whose progress is `time` of `horizon`. */
  totalSteps: number;
  time: number;
  horizon: number;
  loss: number;
}

/** What a running experiment reports, in order: its columns once, then rows and progress. */
export type RunEvent =
  | { type: "columns"; columns: readonly string[] }
  | { type: "row"; row: readonly number[] }
  | ({ type: "progress" } & RunProgress);

export interface RunHooks extends RunOptions {
  /** Receives the CSV column names before the first row. */
  onColumns?(columns: readonly string[]): void;
  /** Receives each recorded row: [step, time, ...metric columns]. */
  onRow(row: readonly number[]): void;
  /** Called every `checkEvery` steps (accepted integrator steps for flow). */
  onProgress?(info: RunProgress): void;
}

export interface RunResult {
  status: RunStatus;
  /** Why the run stopped, in words. */
  reason: string;
  columns: string[];
  steps: number;
  time: number;
  finalLoss: number;
  initialTheta: Float64Array;
  finalTheta: Float64Array;
  summary: Record<string, number | string | null>;
  rows: number;
  /** What the engine fell back from (e.g. WebAssembly out of memory), in words. */
  notes: string[];
}

/** Runs an experiment to its end, calling the hooks for columns, rows and progress. */
export function runExperiment(ctx: RunContext, hooks: RunHooks): RunResult {
  const run = experimentEvents(ctx, hooks);
  for (;;) {
    const event = run.next();
    if (event.done) return event.value;
    const e = event.value;
    if (e.type === "row") hooks.onRow(e.row);
    else if (e.type === "progress") hooks.onProgress?.(e);
    else hooks.onColumns?.(e.columns);
  }
}

/**
 * dynamics → observers: runs GD, SGD, online SGD or gradient flow from the context's initial
 * point, recording the selected metrics on a log-spaced grid (and at the last step). A
 * generator, so the caller decides when the work happens: the CLI drains it in a worker
 * thread, a browser page pulls rows between frames and pauses by not pulling. Row arrays are
 * fresh per row; memory stays bounded and an interrupted run keeps every row it produced.
 */
export function* experimentEvents(
  ctx: RunContext,
  options: RunOptions = {},
): Generator<RunEvent, RunResult, void> {
  const { spec } = ctx;
  const names = spec.metrics.includes("loss") ? spec.metrics : ["loss", ...spec.metrics];
  const observers: MetricObserver[] = names.map((n) => {
    const metric = findMetric(n);
    if (!metric) throw new RangeError(`unknown metric "${n}"`);
    return metric.create(ctx);
  });
  const columns = ["step", "time", ...observers.flatMap((o) => o.columns)];
  yield { type: "columns", columns };
  const stepHooks = observers.filter((o) => o.everyStep);
  const checkEvery = options.checkEvery ?? 256;
  const shouldStop = () => options.shouldStop?.() === true;
  // The dynamics run on θ, in coordinates of a subspace when `reduced` is set; observers always
  // see the full parameters (observedTheta) and the full training gradient (observedGradient).
  const reduced = options.subspace === false ? null : subspaceDynamics(ctx);
  const stepObjective = reduced?.objective ?? ctx.stepObjective;
  const trainObjective = reduced?.objective ?? ctx.trainObjective;
  const kernels = ctx.engine.matrixKernels;
  // the large arrays a step streams through, with the backend's hint before their first write
  const workArray = (length: number) => largeArray(kernels, length);
  const start = reduced?.initialTheta ?? ctx.initialTheta;
  const theta = workArray(start.length);
  theta.set(start);
  const dim = theta.length;
  const grad = workArray(dim);
  // the training gradient recorded with a row: the step's own gradient when the step's
  // objective is the training objective (GD), so no second copy of θ's size (issue 11, memory)
  const fullGrad = stepObjective === trainObjective ? grad : workArray(dim);
  const observedTheta = reduced ? new Float64Array(ctx.initialTheta.length) : theta;
  const observedGradient = reduced ? new Float64Array(ctx.initialTheta.length) : null;
  const observe = (gradient: Float64Array): Float64Array => {
    if (!reduced || !observedGradient) return gradient;
    reduced.expand(theta, observedTheta);
    reduced.expand(gradient, observedGradient);
    return observedGradient;
  };
  let rows = 0;

  const record = (step: number, time: number, loss: number, gradient: Float64Array): RunEvent => {
    const point: ObservedPoint = {
      step,
      time,
      theta: observedTheta,
      loss,
      gradient: observe(gradient),
    };
    const row: number[] = [step, time];
    for (const o of observers) o.observe(point, row);
    rows++;
    return { type: "row", row };
  };
  const fullLoss = (stepLoss: number): number => {
    if (fullGrad === grad) return stepLoss;
    return trainObjective.valueAndGradient(theta, fullGrad);
  };
  const finalTheta = (): Float64Array => {
    if (reduced) reduced.expand(theta, observedTheta);
    return new Float64Array(observedTheta);
  };
  const summary = () => Object.assign({}, ...observers.map((o) => o.summary?.() ?? {}));
  const divergenceFactor = options.stop?.divergenceFactor ?? spec.stop.divergenceFactor;
  const lossBelow = options.stop?.lossBelow ?? spec.stop.lossBelow;
  const opt = spec.optimizer;
  const notes = () => [...ctx.engine.notes];
  // "Diverged" = the loss grew past divergenceFactor × its initial value. A run that starts at
  // a global minimum has an initial loss of 0 or a rounding residue ≤ 0 (e.g. ZGJ Claim 1's
  // students at −wᵢ*): then only a non-finite loss counts (the rounding noise is no divergence).
  const divergenceLimit = (initial: number) =>
    initial > 0 ? divergenceFactor * initial : Number.POSITIVE_INFINITY;

  if (opt.kind === "flow") {
    const times = logTimeGrid(opt.time, spec.record.firstTime, spec.record.pointsPerDecade);
    let initialLoss = Number.NaN;
    let status: RunStatus = "completed";
    let reason = `reached t = ${opt.time}`;
    let lastT = 0;
    let lastLoss = Number.NaN;
    const rhs = (_t: number, y: Float64Array, dydt: Float64Array) => {
      trainObjective.valueAndGradient(y, dydt);
      for (let k = 0; k < dim; k++) dydt[k] = -dydt[k];
    };
    const integration = dormandPrince(rhs, 0, theta, times, {
      rtol: opt.rtol,
      atol: opt.atol,
      maxSteps: opt.maxSteps,
    });
    let stop = false;
    let result: OdeResult;
    for (;;) {
      const event = integration.next(stop);
      if (event.done) {
        result = event.value;
        break;
      }
      const e = event.value;
      if (e.kind === "step") {
        if (e.steps % checkEvery === 0) {
          yield {
            type: "progress",
            step: e.steps,
            totalSteps: 0,
            time: e.t,
            horizon: opt.time,
            loss: lastLoss,
          };
          if (shouldStop()) {
            status = "interrupted";
            reason = `interrupted by the user at t = ${e.t}`;
            // the state at the last output time: what the rows describe
            result = {
              t: lastT,
              y: new Float64Array(theta),
              steps: e.steps,
              rejected: 0,
              evaluations: e.evaluations,
              status: "stopped",
            };
            break;
          }
        }
        continue;
      }
      const info = e.info;
      theta.set(info.y);
      const loss = trainObjective.valueAndGradient(theta, fullGrad);
      if (Number.isNaN(initialLoss)) initialLoss = loss;
      lastT = info.t;
      lastLoss = loss;
      yield record(info.steps, info.t, loss, fullGrad);
      if (!Number.isFinite(loss) || loss > divergenceLimit(initialLoss)) {
        status = "diverged";
        reason = `loss ${loss} exceeded ${divergenceFactor}× its initial value ${initialLoss}`;
        stop = true;
      } else if (lossBelow !== undefined && loss <= lossBelow) {
        reason = `loss fell below ${lossBelow}`;
        stop = true;
      }
    }
    if (status === "completed" && result.status !== "completed" && result.status !== "stopped") {
      status = result.status === "non-finite" ? "diverged" : "failed";
      reason = `integrator stopped: ${result.status} at t = ${result.t}`;
    }
    return {
      status,
      reason,
      columns,
      steps: result.steps,
      time: lastT,
      finalLoss: lastLoss,
      initialTheta: ctx.initialTheta,
      finalTheta: finalTheta(),
      summary: summary(),
      rows,
      notes: notes(),
    };
  }

  // Discrete dynamics: GD (full batch), SGD (mini-batches of the training set), online (fresh batch per step).
  const eta = opt.lr;
  const totalSteps = opt.steps;
  const grid = logStepGrid(totalSteps, spec.record.pointsPerDecade);
  let gridIndex = 0;
  const stepLoss = stepObjective.loss as EmpiricalLoss;
  const resample = makeResampler(ctx);
  let initialLoss = Number.NaN;
  let status: RunStatus = "completed";
  let reason = `reached step ${totalSteps}`;
  let step = 0;
  let loss = Number.NaN;
  let fuse = options.fuse !== false && !resample && stepHooks.length === 0;
  // The kernels' axpy (BLAS daxpy fuses each multiply-add) only where no fused loop takes
  // steps: a loss that fuses steps updates θ as the loop does, and a run must give the same
  // bits whether its steps were fused or not.
  const update = stepObjective.fusesSteps ? undefined : kernels.axpy?.bind(kernels);
  for (; ; step++) {
    if (fuse && step > 0) {
      // Steps strictly before the next recorded step, progress check and the last step have
      // nothing to record or check: hand them to the loss in one call when it can run them.
      const until = Math.min(
        grid[gridIndex] ?? totalSteps,
        Math.ceil(step / checkEvery) * checkEvery,
        totalSteps,
      );
      if (until - step >= 2) {
        const done = stepObjective.fusedGradientDescent(
          theta,
          eta,
          until - step,
          divergenceLimit(initialLoss),
          lossBelow ?? Number.NEGATIVE_INFINITY,
        );
        // a stop inside the block is taken again below, one step at a time; a loss that cannot
        // fuse steps (null) is not asked again
        if (done === null) fuse = false;
        else step += done;
      }
    }
    resample?.(step, stepLoss);
    const L = stepObjective.valueAndGradient(theta, grad);
    if (Number.isNaN(initialLoss)) initialLoss = L;
    const diverged = !Number.isFinite(L) || L > divergenceLimit(initialLoss);
    const onGrid = step === grid[gridIndex];
    if (onGrid || diverged || step === totalSteps) {
      loss = fullLoss(L);
      yield record(step, eta * step, loss, fullGrad);
      if (onGrid) gridIndex++;
    } else {
      loss = L;
    }
    if (diverged) {
      status = "diverged";
      reason = Number.isFinite(L)
        ? `loss ${L} exceeded ${divergenceFactor}× its initial value ${initialLoss} at step ${step}`
        : `loss became ${L} at step ${step}`;
      break;
    }
    if (stepHooks.length) {
      const gradient = observe(grad);
      const point: ObservedPoint = {
        step,
        time: eta * step,
        theta: observedTheta,
        loss: L,
        gradient,
      };
      for (const o of stepHooks) o.everyStep!(point);
    }
    if (lossBelow !== undefined && L <= lossBelow) {
      if (!onGrid && step !== totalSteps) yield record(step, eta * step, fullLoss(L), fullGrad);
      reason = `loss fell below ${lossBelow} at step ${step}`;
      break;
    }
    if (step === totalSteps) break;
    if (step % checkEvery === 0 && step > 0) {
      yield {
        type: "progress",
        step,
        totalSteps,
        time: eta * step,
        horizon: eta * totalSteps,
        loss: L,
      };
      if (shouldStop()) {
        if (!onGrid) yield record(step, eta * step, fullLoss(L), fullGrad);
        status = "interrupted";
        reason = `interrupted by the user at step ${step}`;
        break;
      }
    }
    descend(theta, grad, eta, update);
  }
  return {
    status,
    reason,
    columns,
    steps: step,
    time: eta * step,
    finalLoss: loss,
    initialTheta: ctx.initialTheta,
    finalTheta: finalTheta(),
    summary: summary(),
    rows,
    notes: notes(),
  };
}

/** For SGD and online learning: the batch to use at each step (null for full-batch GD). */
function makeResampler(ctx: RunContext): ((step: number, loss: EmpiricalLoss) => void) | null {
  const { spec } = ctx;
  if (spec.loss.kind === "online") {
    const rng = new Rng(spec.seed, "online-batches");
    const noiseStd = spec.teacher.kind === "noise" ? spec.teacher.std : 1;
    return (_step, loss) =>
      loss.setSample(
        makeSample(
          spec.loss.batchSize,
          ctx.d,
          spec.inputs,
          ctx.teacher,
          ctx.activation,
          rng,
          noiseStd,
        ),
      );
  }
  if (spec.optimizer.kind === "sgd") {
    const train = ctx.train!;
    const size = spec.optimizer.batchSize;
    const rng = new Rng(spec.seed, "sgd-batches");
    const X = new Float64Array(size * ctx.d);
    const y = new Float64Array(size);
    const order = Int32Array.from({ length: train.n }, (_, i) => i);
    const batch = { n: size, d: ctx.d, X, y };
    return (_step, loss) => {
      // a partial Fisher–Yates shuffle: the first `size` entries are a uniform sample without replacement
      for (let k = 0; k < size; k++) {
        const j = k + rng.integer(train.n - k);
        const t = order[k];
        order[k] = order[j];
        order[j] = t;
        const i = order[k];
        X.set(train.X.subarray(i * ctx.d, (i + 1) * ctx.d), k * ctx.d);
        y[k] = train.y[i];
      }
      loss.setSample(batch);
    };
  }
  return null;
}

/**
 * θ ← θ − η∇L in place: the kernels' axpy where given (BLAS daxpy: SIMD, all cores —
 * at DU's 4·10⁶ parameters ~2.4 ms per step against ~10 ms for the loop, BENCHMARKS.md),
 * else a loop in a function of its own rather than inside the generator above: V8 optimizes a
 * generator's body less well (~14 ms per step there against ~10 ms here).
 */
function descend(
  theta: Float64Array,
  grad: Float64Array,
  eta: number,
  axpy: MatrixKernels["axpy"],
): void {
  if (axpy) axpy(-eta, grad, theta);
  else axpyLoop(-eta, grad, theta);
}
