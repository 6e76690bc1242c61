/**
 * Adaptive explicit Runge–Kutta 5(4) integration of y′ = f(t, y), y ∈ ℝⁿ, after
 * J. R. Dormand & P. J. Prince, "A family of embedded Runge–Kutta formulae",
 * J. Comput. Appl. Math. 6 (1980) 19–26, as presented in E. Hairer, S. P. Nørsett &
 * G. Wanner, Solving Ordinary Differential Equations I (2nd ed., Springer 1993):
 *
 * - the 7-stage DOPRI5 tableau (HNW Table II.5.2), FSAL: the last stage f(t + h, y₁) is the
 *   first stage of the next step, so an accepted step costs 6 evaluations;
 * - the error estimate y₁ − ŷ₁ of the embedded 4th-order solution, measured in the norm
 *   ‖e‖ = √(mean(eᵢ/scᵢ)²), scᵢ = atol + rtol·max(|y₀ᵢ|, |y₁ᵢ|) (HNW eq. II.4.11), a step being
 *   accepted when ‖e‖ ≤ 1 and the solution advanced with the 5th-order y₁ (local
 *   extrapolation);
 * - the PI ("Lund-stabilized") step-size controller of HNW §IV.2 eq. (2.43c) as used in their
 *   code DOPRI5: h_new = h·0.9·‖e‖^(−0.17)·‖e_prev‖^(0.04), the factor clamped to [0.2, 10],
 *   and not allowed to grow right after a rejection; a rejected step retries with
 *   h·max(0.2, 0.9·‖e‖^(−0.17));
 * - the starting step of HNW §II.4 ("Starting step size", algorithm of Gladwell, Shampine &
 *   Brankin 1987): h = min(100·h₀, (0.01/max(d₁, d₂))^(1/5)) from ‖y₀‖, ‖f₀‖ and a difference
 *   estimate of ‖f′‖;
 * - the continuous extension of order 4 of Dormand & Prince (coefficients dᵢ of HNW §II.6,
 *   code CONTD5), so any number of output times inside a step costs no extra evaluations and
 *   does not shorten the steps. The dense output interpolates y₀, y₁, f₀ and f₁ exactly (a
 *   Hermite-type quartic); its error is of the order of the local error, so values at output
 *   times are as accurate as the step endpoints.
 *
 * The last step is shortened to land exactly on the final output time. A stage that is not
 * finite (overflow, NaN from the right-hand side) is treated as a rejected step with h/4:
 * an explicit method overshooting a fast transient recovers that way; when h reaches the
 * rounding floor with the stages still non-finite, the integration ends with "non-finite".
 */

export interface OdeOptions {
  /** Relative tolerance of the local error estimate (per step), e.g. 1e-8. */
  rtol: number;
  /** Absolute tolerance (same units as y), e.g. 1e-12. */
  atol: number;
  /** First trial step; by default Hairer–Nørsett–Wanner's starting-step heuristic. */
  initialStep?: number;
  /** Upper bound on |h|; default: the whole interval. */
  maxStep?: number;
  /** Bound on attempted (accepted + rejected) steps; default 10⁷. */
  maxSteps?: number;
}

/** What onOutput sees. `y` is a scratch buffer, valid only during the call: copy it to keep it. */
export interface OdeStepInfo {
  /** The requested output time, exactly. */
  t: number;
  y: Float64Array;
  /** Accepted steps so far. */
  steps: number;
  /** Rejected steps so far. */
  rejected: number;
  /** The step size of the step containing t (0 for outputs at t₀). */
  h: number;
}

/** Writes f(t, y) into dydt; must not keep or modify y. */
export type OdeRhs = (t: number, y: Float64Array, dydt: Float64Array) => void;

export type OdeStatus = "completed" | "stopped" | "max-steps" | "step-too-small" | "non-finite";

export interface OdeResult {
  /** The last output time reached ("completed", "stopped"), or the last accepted time. */
  t: number;
  /** The state at t (a fresh array). */
  y: Float64Array;
  steps: number;
  rejected: number;
  /** Evaluations of f. */
  evaluations: number;
  status: OdeStatus;
}

// The DOPRI5 tableau (Dormand & Prince 1980; HNW Table II.5.2). Nodes cᵢ:
const C2 = 1 / 5;
const C3 = 3 / 10;
const C4 = 4 / 5;
const C5 = 8 / 9;
// Coupling coefficients aᵢⱼ:
const A21 = 1 / 5;
const A31 = 3 / 40;
const A32 = 9 / 40;
const A41 = 44 / 45;
const A42 = -56 / 15;
const A43 = 32 / 9;
const A51 = 19372 / 6561;
const A52 = -25360 / 2187;
const A53 = 64448 / 6561;
const A54 = -212 / 729;
const A61 = 9017 / 3168;
const A62 = -355 / 33;
const A63 = 46732 / 5247;
const A64 = 49 / 176;
const A65 = -5103 / 18656;
// 5th-order weights bᵢ (= the 7th stage's aᵢⱼ, hence FSAL; b₂ = b₇ = 0):
const B1 = 35 / 384;
const B3 = 500 / 1113;
const B4 = 125 / 192;
const B5 = -2187 / 6784;
const B6 = 11 / 84;
// bᵢ − b̂ᵢ, b̂ the embedded 4th-order weights (5179/57600, 0, 7571/16695, 393/640,
// −92097/339200, 187/2100, 1/40):
const E1 = 71 / 57600;
const E3 = -71 / 16695;
const E4 = 71 / 1920;
const E5 = -17253 / 339200;
const E6 = 22 / 525;
const E7 = -1 / 40;
// Dense output (HNW §II.6, DOPRI5's CONTD5): with Δ = y₁ − y₀,
//   y(t + θh) = y₀ + θ(Δ + (1 − θ)(r₃ + θ(r₄ + (1 − θ)r₅))),
//   r₃ = h·f₀ − Δ, r₄ = Δ − h·f₁ − r₃, r₅ = h·Σ dᵢ·kᵢ,
// which satisfies the order-4 conditions for every θ (checked with exact fractions when this
// file was written) and matches y and y′ at both ends.
const D1 = -12715105075 / 11282082432;
const D3 = 87487479700 / 32700410799;
const D4 = -10690763975 / 1880347072;
const D5 = 701980252875 / 199316789632;
const D6 = -1453857185 / 822651844;
const D7 = 69997945 / 29380423;

// Controller constants (HNW's DOPRI5 defaults).
const SAFETY = 0.9;
const BETA = 0.04; // PI stabilization exponent
const EXPO = 0.2 - 0.75 * BETA; // 1/(q + 1) with q = 4, reduced by the PI term
const FAC_MIN = 0.2; // h shrinks by at most 5× per rejection…
const FAC_MAX = 10; // …and grows by at most 10× per accepted step
const EPS = 2 ** -52;

/**
 * Integrates y′ = f(t, y) from (t0, y0) with the adaptive Dormand–Prince 5(4) method (see the
 * file header), calling onOutput with the state at each of outputTimes (non-decreasing,
 * ≥ t0; times equal to t0 are reported before the first step), exactly at those times, by
 * the method's 4th-order dense output. If onOutput returns false, integration stops with
 * status "stopped" and the state at that output time. Stage buffers are allocated once.
 *
 * Status: "completed" (reached the last output time), "stopped", "max-steps" (more than
 * maxSteps attempted steps), "step-too-small" (h fell below ~10 ulp of t, e.g. a singularity
 * or a stiff problem at too tight a tolerance), "non-finite" (f is not finite at an accepted
 * state or at t0, or the stages stay non-finite down to the smallest step).
 */
export function integrateDormandPrince(
  f: OdeRhs,
  t0: number,
  y0: Float64Array,
  outputTimes: readonly number[],
  options: OdeOptions,
  // biome-ignore lint/suspicious/noConfusingVoidType: a callback may return nothing (= go on)
  onOutput: (info: OdeStepInfo) => boolean | void,
): OdeResult {
  const integration = dormandPrince(f, t0, y0, outputTimes, options);
  let stop = false;
  for (;;) {
    const event = integration.next(stop);
    if (event.done) return event.value;
    stop = event.value.kind === "output" && onOutput(event.value.info) === false;
  }
}

/** What the integrator reports while it runs: an output time reached, or an accepted step. */
export type OdeEvent =
  | { kind: "output"; info: OdeStepInfo }
  | { kind: "step"; t: number; steps: number; evaluations: number };

/**
 * The integrator of integrateDormandPrince as a generator, so a caller can interleave it with
 * other work (a browser page yields to its event loop between steps). It yields an "output"
 * event at each output time and a "step" event after each accepted step; passing `true` to
 * next() after an output stops the integration there with status "stopped".
 */
export function* dormandPrince(
  f: OdeRhs,
  t0: number,
  y0: Float64Array,
  outputTimes: readonly number[],
  options: OdeOptions,
): Generator<OdeEvent, OdeResult, boolean | undefined> {
  const { rtol, atol } = options;
  if (!(rtol >= 0 && atol >= 0 && rtol + atol > 0 && Number.isFinite(rtol + atol)))
    throw new RangeError(
      `integrateDormandPrince: need rtol, atol ≥ 0, not both 0 (${rtol}, ${atol})`,
    );
  if (!Number.isFinite(t0)) throw new RangeError(`integrateDormandPrince: t0 = ${t0}`);
  for (let i = 0; i < outputTimes.length; i++) {
    const ti = outputTimes[i];
    if (!Number.isFinite(ti) || ti < t0 || (i > 0 && ti < outputTimes[i - 1]))
      throw new RangeError(
        `integrateDormandPrince: output times must be finite, ≥ t0 and non-decreasing (at ${i}: ${ti})`,
      );
  }
  const n = y0.length;
  const maxSteps = options.maxSteps ?? 10_000_000;
  const tEnd = outputTimes.length > 0 ? outputTimes[outputTimes.length - 1] : t0;
  const hMax = Math.abs(options.maxStep ?? tEnd - t0) || Number.POSITIVE_INFINITY;

  // All state and stage buffers, allocated once. y/yNew and k1/k7 swap roles each step.
  let y = new Float64Array(y0);
  let yNew = new Float64Array(n);
  let k1 = new Float64Array(n);
  const k2 = new Float64Array(n);
  const k3 = new Float64Array(n);
  const k4 = new Float64Array(n);
  const k5 = new Float64Array(n);
  const k6 = new Float64Array(n);
  let k7 = new Float64Array(n);
  const stage = new Float64Array(n);
  const dense = new Float64Array(n); // r₅ of the dense output, computed on demand
  const out = new Float64Array(n); // what onOutput sees

  let t = t0;
  let steps = 0;
  let rejected = 0;
  let evaluations = 0;
  const result = (status: OdeStatus, tt = t, yy: Float64Array = y): OdeResult => ({
    t: tt,
    y: new Float64Array(yy),
    steps,
    rejected,
    evaluations,
    status,
  });
  const evaluate = (tt: number, yy: Float64Array, into: Float64Array) => {
    evaluations++;
    f(tt, yy, into);
  };

  // Outputs at t0.
  let next = 0;
  while (next < outputTimes.length && outputTimes[next] === t0) {
    out.set(y);
    if (yield { kind: "output", info: { t: t0, y: out, steps, rejected, h: 0 } })
      return result("stopped", t0, y);
    next++;
  }
  if (next === outputTimes.length) return result("completed");
  if (!allFinite(y)) return result("non-finite");

  evaluate(t, y, k1);
  if (!allFinite(k1)) return result("non-finite");
  let h = Math.min(
    options.initialStep ?? startingStep(evaluate, t, y, k1, rtol, atol, stage, k2),
    hMax,
  );
  let errPrev = 1e-4;
  let lastRejected = false;

  while (true) {
    if (steps + rejected >= maxSteps) return result("max-steps");
    // Land exactly on tEnd; stretch by up to 1% rather than leave a sliver of a last step.
    let last = false;
    if (t + 1.01 * h >= tEnd) {
      h = tEnd - t;
      last = true;
    }
    if (h <= 10 * EPS * Math.max(Math.abs(t), Math.abs(tEnd))) return result("step-too-small");

    // The six new stages (k1 = f(t, y) is known: FSAL).
    for (let i = 0; i < n; i++) stage[i] = y[i] + h * A21 * k1[i];
    evaluate(t + C2 * h, stage, k2);
    for (let i = 0; i < n; i++) stage[i] = y[i] + h * (A31 * k1[i] + A32 * k2[i]);
    evaluate(t + C3 * h, stage, k3);
    for (let i = 0; i < n; i++) stage[i] = y[i] + h * (A41 * k1[i] + A42 * k2[i] + A43 * k3[i]);
    evaluate(t + C4 * h, stage, k4);
    for (let i = 0; i < n; i++)
      stage[i] = y[i] + h * (A51 * k1[i] + A52 * k2[i] + A53 * k3[i] + A54 * k4[i]);
    evaluate(t + C5 * h, stage, k5);
    for (let i = 0; i < n; i++)
      stage[i] = y[i] + h * (A61 * k1[i] + A62 * k2[i] + A63 * k3[i] + A64 * k4[i] + A65 * k5[i]);
    const tNew = last ? tEnd : t + h;
    evaluate(tNew, stage, k6);
    for (let i = 0; i < n; i++)
      yNew[i] = y[i] + h * (B1 * k1[i] + B3 * k3[i] + B4 * k4[i] + B5 * k5[i] + B6 * k6[i]);
    evaluate(tNew, yNew, k7);

    // Error norm; a non-finite y₁ or f(y₁) makes the step unusable whatever the norm says.
    let sum = 0;
    let finite = true;
    for (let i = 0; i < n; i++) {
      const e = h * (E1 * k1[i] + E3 * k3[i] + E4 * k4[i] + E5 * k5[i] + E6 * k6[i] + E7 * k7[i]);
      const sc = atol + rtol * Math.max(Math.abs(y[i]), Math.abs(yNew[i]));
      const r = e / sc;
      sum += r * r;
      if (!Number.isFinite(yNew[i] + k7[i])) finite = false;
    }
    if (!finite) {
      rejected++;
      lastRejected = true;
      h *= 0.25;
      if (h <= 10 * EPS * Math.max(Math.abs(t), Math.abs(tEnd))) return result("non-finite");
      continue;
    }
    const err = n > 0 ? Math.sqrt(sum / n) : 0;
    // err^(−EXPO) for the step-size factor; NaN (0/0 with atol = 0 at y = 0) counts as ∞.
    const grow = err > 0 ? err ** -EXPO : Number.POSITIVE_INFINITY;

    if (!(err <= 1)) {
      rejected++;
      lastRejected = true;
      h *= Math.max(FAC_MIN, SAFETY * (Number.isNaN(grow) ? 0 : grow));
      continue;
    }

    // Accepted: report the output times in (t, tNew] from the dense output.
    steps++;
    let denseReady = false;
    while (next < outputTimes.length && outputTimes[next] <= tNew) {
      const tOut = outputTimes[next];
      if (tOut === tNew) out.set(yNew);
      else {
        if (!denseReady) {
          for (let i = 0; i < n; i++)
            dense[i] =
              h * (D1 * k1[i] + D3 * k3[i] + D4 * k4[i] + D5 * k5[i] + D6 * k6[i] + D7 * k7[i]);
          denseReady = true;
        }
        const theta = (tOut - t) / h;
        const theta1 = 1 - theta;
        for (let i = 0; i < n; i++) {
          const delta = yNew[i] - y[i];
          const r3 = h * k1[i] - delta;
          const r4 = delta - h * k7[i] - r3;
          out[i] = y[i] + theta * (delta + theta1 * (r3 + theta * (r4 + theta1 * dense[i])));
        }
      }
      if (yield { kind: "output", info: { t: tOut, y: out, steps, rejected, h } })
        return result("stopped", tOut, out);
      next++;
    }

    // Advance: y ← y₁, f(t, y) ← f(t + h, y₁) (FSAL), by swapping buffers.
    const yOld = y;
    y = yNew;
    yNew = yOld;
    const kOld = k1;
    k1 = k7;
    k7 = kOld;
    t = tNew;
    if (next === outputTimes.length) return result("completed");
    yield { kind: "step", t, steps, evaluations };

    // PI controller: h·0.9·err^(−0.17)·errPrev^(0.04), factor in [0.2, 10], no growth
    // right after a rejection (HNW IV.2 and their DOPRI5).
    let factor = SAFETY * grow * errPrev ** BETA;
    factor = Math.min(FAC_MAX, Math.max(FAC_MIN, factor));
    if (lastRejected) factor = Math.min(factor, 1);
    errPrev = Math.max(err, 1e-4);
    lastRejected = false;
    h = Math.min(h * factor, hMax);
  }
}

function allFinite(v: Float64Array): boolean {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return false;
  return true;
}

/**
 * Hairer–Nørsett–Wanner's starting step (Solving ODEs I, §II.4, "Starting Step Size"), for a
 * method of order 5: h₀ = 0.01·‖y₀‖/‖f₀‖, one explicit Euler step of h₀ to estimate ‖f′‖ by
 * d₂ = ‖f(t + h₀, y₀ + h₀f₀) − f₀‖/h₀, then h₁ = (0.01/max(‖f₀‖, d₂))^(1/5), and
 * h = min(100·h₀, h₁). Norms are the weighted RMS norm of the error test.
 */
function startingStep(
  evaluate: OdeRhs,
  t: number,
  y: Float64Array,
  f0: Float64Array,
  rtol: number,
  atol: number,
  scratch: Float64Array,
  f1: Float64Array,
): number {
  const n = y.length;
  if (n === 0) return 1;
  let d0 = 0;
  let d1 = 0;
  for (let i = 0; i < n; i++) {
    const sc = atol + rtol * Math.abs(y[i]);
    d0 += (y[i] / sc) ** 2;
    d1 += (f0[i] / sc) ** 2;
  }
  d0 = Math.sqrt(d0 / n);
  d1 = Math.sqrt(d1 / n);
  const h0 = d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : 0.01 * (d0 / d1);
  for (let i = 0; i < n; i++) scratch[i] = y[i] + h0 * f0[i];
  evaluate(t + h0, scratch, f1);
  let d2 = 0;
  for (let i = 0; i < n; i++) {
    const sc = atol + rtol * Math.abs(y[i]);
    d2 += ((f1[i] - f0[i]) / sc) ** 2;
  }
  d2 = Math.sqrt(d2 / n) / h0;
  const dMax = Math.max(d1, d2);
  const h1 = dMax <= 1e-15 ? Math.max(1e-6, h0 * 1e-3) : (0.01 / dMax) ** (1 / 5);
  const h = Math.min(100 * h0, h1);
  // A non-finite probe (f blowing up right away) leaves the controller to find the step.
  return Number.isFinite(h) && h > 0 ? h : 1e-6;
}
