/**
 * Adaptive explicit Runge–Kutta 5(4) of Dormand & Prince (J. Comp. Appl. Math. 6, 1980) with
 * FSAL, the standard error norm and step-size control of Hairer, Nørsett & Wanner, Solving
 * ODEs I, §II.4 (safety 0.9, factor clamp [0.2, 5]), and their initial-step heuristic.
 * Output times are hit exactly by shortening the step that would cross them.
 */
export interface OdeOptions {
  rtol: number;
  atol: number;
  initialStep?: number;
  maxStep?: number;
  maxSteps?: number;
}
export interface OdeStepInfo {
  t: number;
  y: Float64Array;
  steps: number;
  rejected: number;
  h: number;
}
export type OdeRhs = (t: number, y: Float64Array, dydt: Float64Array) => void;
export type OdeStatus = "completed" | "stopped" | "max-steps" | "step-too-small" | "non-finite";

// Butcher tableau of DOPRI5
const C2 = 1 / 5,
  C3 = 3 / 10,
  C4 = 4 / 5,
  C5 = 8 / 9;
const A21 = 1 / 5;
const A31 = 3 / 40,
  A32 = 9 / 40;
const A41 = 44 / 45,
  A42 = -56 / 15,
  A43 = 32 / 9;
const A51 = 19372 / 6561,
  A52 = -25360 / 2187,
  A53 = 64448 / 6561,
  A54 = -212 / 729;
const A61 = 9017 / 3168,
  A62 = -355 / 33,
  A63 = 46732 / 5247,
  A64 = 49 / 176,
  A65 = -5103 / 18656;
const A71 = 35 / 384,
  A73 = 500 / 1113,
  A74 = 125 / 192,
  A75 = -2187 / 6784,
  A76 = 11 / 84;
// error coefficients: 5th-order weights minus the embedded 4th-order ones
const E1 = 71 / 57600,
  E3 = -71 / 16695,
  E4 = 71 / 1920,
  E5 = -17253 / 339200,
  E6 = 22 / 525,
  E7 = -1 / 40;

export function integrateDormandPrince(
  f: OdeRhs,
  t0: number,
  y0: Float64Array,
  outputTimes: readonly number[],
  options: OdeOptions,
  onOutput: (info: OdeStepInfo) => boolean | undefined,
): {
  t: number;
  y: Float64Array;
  steps: number;
  rejected: number;
  evaluations: number;
  status: OdeStatus;
} {
  const n = y0.length;
  const { rtol, atol } = options;
  const maxSteps = options.maxSteps ?? 1e7;
  const hmax = options.maxStep ?? Number.POSITIVE_INFINITY;
  const y = new Float64Array(y0);
  const k1 = new Float64Array(n),
    k2 = new Float64Array(n),
    k3 = new Float64Array(n),
    k4 = new Float64Array(n);
  const k5 = new Float64Array(n),
    k6 = new Float64Array(n),
    k7 = new Float64Array(n);
  const ytmp = new Float64Array(n),
    ynew = new Float64Array(n);
  let t = t0;
  let steps = 0;
  let rejected = 0;
  let evaluations = 0;
  const evalf = (tt: number, yy: Float64Array, out: Float64Array) => {
    evaluations++;
    f(tt, yy, out);
  };
  const errNorm = (a: Float64Array, b: Float64Array, v: Float64Array) => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const sc = atol + rtol * Math.max(Math.abs(a[i]), Math.abs(b[i]));
      s += (v[i] / sc) ** 2;
    }
    return Math.sqrt(s / Math.max(n, 1));
  };
  evalf(t, y, k1);
  let h = options.initialStep ?? initialStep(evalf, t, y, k1, rtol, atol, ytmp, k2);
  h = Math.min(h, hmax);
  const err = new Float64Array(n);
  let outIndex = 0;
  while (outIndex < outputTimes.length && outputTimes[outIndex] <= t) {
    if (onOutput({ t: outputTimes[outIndex], y, steps, rejected, h }) === false) {
      return { t, y, steps, rejected, evaluations, status: "stopped" };
    }
    outIndex++;
  }
  while (outIndex < outputTimes.length) {
    if (steps >= maxSteps) return { t, y, steps, rejected, evaluations, status: "max-steps" };
    const target = outputTimes[outIndex];
    let hit = false;
    if (t + h >= target) {
      h = target - t;
      hit = true;
    }
    if (h <= 1e-14 * Math.max(1, Math.abs(t)))
      return { t, y, steps, rejected, evaluations, status: "step-too-small" };
    for (let i = 0; i < n; i++) ytmp[i] = y[i] + h * A21 * k1[i];
    evalf(t + C2 * h, ytmp, k2);
    for (let i = 0; i < n; i++) ytmp[i] = y[i] + h * (A31 * k1[i] + A32 * k2[i]);
    evalf(t + C3 * h, ytmp, k3);
    for (let i = 0; i < n; i++) ytmp[i] = y[i] + h * (A41 * k1[i] + A42 * k2[i] + A43 * k3[i]);
    evalf(t + C4 * h, ytmp, k4);
    for (let i = 0; i < n; i++)
      ytmp[i] = y[i] + h * (A51 * k1[i] + A52 * k2[i] + A53 * k3[i] + A54 * k4[i]);
    evalf(t + C5 * h, ytmp, k5);
    for (let i = 0; i < n; i++)
      ytmp[i] = y[i] + h * (A61 * k1[i] + A62 * k2[i] + A63 * k3[i] + A64 * k4[i] + A65 * k5[i]);
    evalf(t + h, ytmp, k6);
    for (let i = 0; i < n; i++)
      ynew[i] = y[i] + h * (A71 * k1[i] + A73 * k3[i] + A74 * k4[i] + A75 * k5[i] + A76 * k6[i]);
    evalf(t + h, ynew, k7);
    for (let i = 0; i < n; i++)
      err[i] = h * (E1 * k1[i] + E3 * k3[i] + E4 * k4[i] + E5 * k5[i] + E6 * k6[i] + E7 * k7[i]);
    const e = errNorm(y, ynew, err);
    if (!Number.isFinite(e)) {
      // a non-finite stage: retry smaller, unless the state itself blew up
      let finite = true;
      for (let i = 0; i < n; i++) if (!Number.isFinite(ynew[i])) finite = false;
      if (!finite && Math.abs(h) < 1e-10)
        return { t, y, steps, rejected, evaluations, status: "non-finite" };
      h *= 0.2;
      rejected++;
      continue;
    }
    const factor = Math.min(5, Math.max(0.2, 0.9 * (e === 0 ? 5 : e ** -0.2)));
    if (e <= 1) {
      steps++;
      t = hit ? target : t + h;
      y.set(ynew);
      k1.set(k7); // first same as last
      if (hit) {
        while (outIndex < outputTimes.length && outputTimes[outIndex] <= t) {
          if (onOutput({ t: outputTimes[outIndex], y, steps, rejected, h }) === false) {
            return { t, y, steps, rejected, evaluations, status: "stopped" };
          }
          outIndex++;
        }
      }
      h = Math.min(h * factor, hmax);
    } else {
      rejected++;
      h *= Math.max(0.2, 0.9 * e ** -0.2);
    }
  }
  return { t, y, steps, rejected, evaluations, status: "completed" };
}

/** Hairer–Nørsett–Wanner's starting step (Solving ODEs I, §II.4, algorithm "hinit"). */
function initialStep(
  f: OdeRhs,
  t: number,
  y: Float64Array,
  f0: Float64Array,
  rtol: number,
  atol: number,
  ytmp: Float64Array,
  f1: Float64Array,
): number {
  const n = y.length;
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
  for (let i = 0; i < n; i++) ytmp[i] = y[i] + h0 * f0[i];
  f(t + h0, ytmp, f1);
  let d2 = 0;
  for (let i = 0; i < n; i++) {
    const sc = atol + rtol * Math.abs(y[i]);
    d2 += ((f1[i] - f0[i]) / sc) ** 2;
  }
  d2 = Math.sqrt(d2 / n) / h0;
  const h1 =
    Math.max(d1, d2) <= 1e-15 ? Math.max(1e-6, h0 * 1e-3) : (0.01 / Math.max(d1, d2)) ** 0.2;
  return Math.min(100 * h0, h1);
}
