import { integrateDormandPrince } from "../dynamics/dormandPrince.js";
import type { EmpiricalLoss } from "../losses/empirical.js";
import { findMetric } from "../metrics/registry.js";
import type { MetricObserver } from "../metrics/types.js";
import { Rng } from "../random/rng.js";
import { logStepGrid, logTimeGrid } from "../record/logGrid.js";
import { makeSample } from "../setup/data.js";
import type { ObservedPoint, RunContext } from "./context.js";
import { subspaceDynamics } from "./subspace.js";

export type RunStatus = "completed" | "diverged" | "interrupted" | "failed";

export interface RunHooks {
  /** Receives the CSV column names before the first row. */
  onColumns?(columns: readonly string[]): void;
  /** Receives each recorded row: [step, time, ...metric columns]. */
  onRow(row: readonly number[]): void;
  /** Called every `checkEvery` steps (or right-hand-side evaluations for flow). */
  onProgress?(info: {
    step: number;
    totalSteps: number;
    time: number;
    horizon: number;
    loss: number;
  }): void;
  /** Polled with onProgress; returning true interrupts the run (status "interrupted"). */
  shouldStop?(): boolean;
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
}

class StopRequested extends Error {}

/**
 * dynamics → observers: runs GD, SGD, online SGD or gradient flow from the context's initial
 * point, recording the selected metrics on a log-spaced grid (and at the last step) through
 * `hooks.onRow`, so memory stays bounded and an interrupted run keeps every row it produced.
 */
export function runExperiment(ctx: RunContext, hooks: RunHooks): RunResult {
  const { spec } = ctx;
  const names = spec.metrics.includes("loss") ? spec.metrics : ["loss", ...spec.metrics];
  const observers: MetricObserver[] = names.map((n) => {
    const metric = findMetric(n);
    if (!metric) throw new RangeError(`unknown metric "${n}"`);
    return metric.create(ctx);
  });
  const columns = ["step", "time", ...observers.flatMap((o) => o.columns)];
  hooks.onColumns?.(columns);
  const stepHooks = observers.filter((o) => o.everyStep);
  const checkEvery = hooks.checkEvery ?? 256;
  // The dynamics run on θ, in coordinates of a subspace when `reduced` is set; observers always
  // see the full parameters (observedTheta) and the full training gradient (observedGradient).
  const reduced = hooks.subspace === false ? null : subspaceDynamics(ctx);
  const stepObjective = reduced?.objective ?? ctx.stepObjective;
  const trainObjective = reduced?.objective ?? ctx.trainObjective;
  const theta = new Float64Array(reduced?.initialTheta ?? ctx.initialTheta);
  const dim = theta.length;
  const grad = new Float64Array(dim);
  const fullGrad = new Float64Array(dim);
  const observedTheta = reduced ? new Float64Array(ctx.initialTheta.length) : theta;
  const observedGradient = reduced ? new Float64Array(ctx.initialTheta.length) : null;
  const observe = (gradient: Float64Array): Float64Array => {
    if (!reduced || !observedGradient) return gradient;
    reduced.expand(theta, observedTheta);
    reduced.expand(gradient, observedGradient);
    return observedGradient;
  };
  let rows = 0;

  const record = (step: number, time: number, loss: number, gradient: Float64Array) => {
    const point: ObservedPoint = {
      step,
      time,
      theta: observedTheta,
      loss,
      gradient: observe(gradient),
    };
    const row: number[] = [step, time];
    for (const o of observers) o.observe(point, row);
    hooks.onRow(row);
    rows++;
  };
  const fullLoss = (stepLoss: number): number => {
    if (stepObjective === trainObjective) {
      fullGrad.set(grad);
      return stepLoss;
    }
    return trainObjective.valueAndGradient(theta, fullGrad);
  };
  const finalTheta = (): Float64Array => {
    if (reduced) reduced.expand(theta, observedTheta);
    return observedTheta;
  };
  const summary = () => Object.assign({}, ...observers.map((o) => o.summary?.() ?? {}));
  const divergenceFactor = spec.stop.divergenceFactor;
  const lossBelow = spec.stop.lossBelow;
  const opt = spec.optimizer;

  if (opt.kind === "flow") {
    const times = logTimeGrid(opt.time, spec.record.firstTime, spec.record.pointsPerDecade);
    let initialLoss = Number.NaN;
    let status: RunStatus = "completed";
    let reason = `reached t = ${opt.time}`;
    let lastT = 0;
    let lastLoss = Number.NaN;
    let evaluations = 0;
    const rhs = (_t: number, y: Float64Array, dydt: Float64Array) => {
      trainObjective.valueAndGradient(y, dydt);
      for (let k = 0; k < dim; k++) dydt[k] = -dydt[k];
      if (++evaluations % checkEvery === 0) {
        hooks.onProgress?.({
          step: evaluations,
          totalSteps: 0,
          time: _t,
          horizon: opt.time,
          loss: lastLoss,
        });
        if (hooks.shouldStop?.()) throw new StopRequested();
      }
    };
    let result: ReturnType<typeof integrateDormandPrince> | null = null;
    try {
      result = integrateDormandPrince(
        rhs,
        0,
        theta,
        times,
        { rtol: opt.rtol, atol: opt.atol, maxSteps: opt.maxSteps },
        (info) => {
          theta.set(info.y);
          const loss = trainObjective.valueAndGradient(theta, fullGrad);
          if (Number.isNaN(initialLoss)) initialLoss = loss;
          lastT = info.t;
          lastLoss = loss;
          record(info.steps, info.t, loss, fullGrad);
          if (!Number.isFinite(loss) || loss > divergenceFactor * initialLoss) {
            status = "diverged";
            reason = `loss ${loss} exceeded ${divergenceFactor}× its initial value ${initialLoss}`;
            return false;
          }
          if (lossBelow !== undefined && loss <= lossBelow) {
            reason = `loss fell below ${lossBelow}`;
            return false;
          }
          return true;
        },
      );
    } catch (e) {
      if (!(e instanceof StopRequested)) throw e;
      status = "interrupted";
      reason = "interrupted by the user";
    }
    if (
      result &&
      status === "completed" &&
      result.status !== "completed" &&
      result.status !== "stopped"
    ) {
      status = result.status === "non-finite" ? "diverged" : "failed";
      reason = `integrator stopped: ${result.status} at t = ${result.t}`;
    }
    return {
      status,
      reason,
      columns,
      steps: result?.steps ?? 0,
      time: lastT,
      finalLoss: lastLoss,
      initialTheta: ctx.initialTheta,
      finalTheta: finalTheta(),
      summary: summary(),
      rows,
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
  let fuse = hooks.fuse !== false && !resample && stepHooks.length === 0;
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
          divergenceFactor * initialLoss,
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
    const diverged = !Number.isFinite(L) || L > divergenceFactor * initialLoss;
    const onGrid = step === grid[gridIndex];
    if (onGrid || diverged || step === totalSteps) {
      loss = fullLoss(L);
      record(step, eta * step, loss, fullGrad);
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
      if (!onGrid && step !== totalSteps) record(step, eta * step, fullLoss(L), fullGrad);
      reason = `loss fell below ${lossBelow} at step ${step}`;
      break;
    }
    if (step === totalSteps) break;
    if (step % checkEvery === 0 && step > 0) {
      hooks.onProgress?.({
        step,
        totalSteps,
        time: eta * step,
        horizon: eta * totalSteps,
        loss: L,
      });
      if (hooks.shouldStop?.()) {
        if (!onGrid) record(step, eta * step, fullLoss(L), fullGrad);
        status = "interrupted";
        reason = `interrupted by the user at step ${step}`;
        break;
      }
    }
    for (let k = 0; k < dim; k++) theta[k] -= eta * grad[k];
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
