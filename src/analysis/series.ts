/**
 * Pure numeric primitives for turning recorded time series into the numbers the verdicts
 * rest on (docs/model.md §7): seed aggregation for the figures, log–log / semi-log fits for the
 * rates the papers state (XD's Θ(T⁻³) against exp(−Ω(T)), ZGJ's Θ(δ³) and O(1/T), DU's
 * linear rate), a decay classifier for "linear vs polynomial vs stalled" claims (WA Fig. 1,
 * XD Fig. 1 and App. A, ZGJ Thm. 4), first-crossing times (WA's T_γ and Fig. 8's Hessian
 * sign change) and monotonicity in a swept parameter (WA's "larger K is faster", DU's
 * "larger m moves less").
 *
 * Everything here is plain TypeScript on number arrays — no Node modules — so the same code
 * can run in the browser report and in the CLI, and gives the same verdict in both.
 *
 * Conventions shared by all helpers:
 * - Non-finite values (NaN, ±∞) are "no measurement": a run that diverged stops producing
 *   finite values, and that must not poison medians or fits of the rows before it.
 * - Arrays `x` and `y` must have the same length; a mismatch is a programming error and
 *   throws RangeError rather than silently truncating.
 */

export interface XY {
  x: number[];
  y: number[];
}

function checkSameLength(x: ArrayLike<number>, y: ArrayLike<number>, where: string): void {
  if (x.length !== y.length) {
    throw new RangeError(`${where}: x has ${x.length} values but y has ${y.length}`);
  }
}

// ───────────────────────────── order statistics ─────────────────────────────

/** Ascending copy without NaN (±∞ are kept: "never" counts as +∞ in a median of steps). */
function sortedDefined(values: readonly number[]): number[] {
  return values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
}

/** Quantile of an ascending array by linear interpolation between order statistics
 *  (numpy's default, "type 7"), so the IQR band matches what a Python reader would compute. */
function quantileSorted(sorted: readonly number[], q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  if (lo === hi) return sorted[lo];
  const frac = pos - lo;
  // Avoid ∞ − ∞ = NaN when both neighbours are the same infinity.
  if (sorted[lo] === sorted[hi]) return sorted[lo];
  return sorted[lo] + frac * (sorted[hi] - sorted[lo]);
}

/**
 * Median of the values, ignoring NaN (a seed with no measurement); ±∞ take part, so a
 * median of first-crossing steps where most seeds "never" crossed is +∞. NaN for an empty
 * list or one with only NaN. Every verdict that says "median over seeds" uses this.
 */
export function median(values: readonly number[]): number {
  return quantileSorted(sortedDefined(values), 0.5);
}

/**
 * The q-quantile (0 ≤ q ≤ 1) of the values by numpy's default linear interpolation, ignoring
 * NaN like `median` (±∞ take part). The band of "median over seeds [25%, 75%]" in the verdicts.
 */
export function quantile(values: readonly number[], q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile: q must be in [0, 1], got ${q}`);
  return quantileSorted(sortedDefined(values), q);
}

// ───────────────────────────── seed aggregation ─────────────────────────────

export interface SeedAggregate {
  /** The distinct x values (ascending) at which at least one seed had a finite y. */
  x: number[];
  median: number[];
  /** Lower edge of the band: the minimum, or the 25th percentile with band "iqr". */
  lo: number[];
  /** Upper edge of the band: the maximum, or the 75th percentile with band "iqr". */
  hi: number[];
  /** How many seeds contributed a finite value at this x. */
  count: number[];
}

/** Two x values closer than this (relative) are one grid point: the recorded `time` column is
 *  η·step computed in floating point, and seeds must still line up on it. */
const X_MATCH_REL = 1e-12;

/**
 * Median and a band across seeds, aligned on x values — the figure series for every
 * "median over seeds with a min–max band" plot (WA Fig. 1–6, DU Fig. 1, XD Fig. 1).
 *
 * Seeds may have different lengths (a diverged run stops early) or NaN rows: at each x only
 * the seeds with a finite value there are used, and `count` says how many. An x at which no
 * seed has a finite value is left out (it carries nothing to plot). x values equal within
 * relative 1e-12 are the same point; the smallest of them is reported. No interpolation:
 * a seed that was not recorded at an x does not contribute there. If one run repeats an x
 * (e.g. the final step also on the grid), its later finite row wins.
 */
export function aggregateSeeds(
  runs: readonly XY[],
  opts: { band?: "minmax" | "iqr" } = {},
): SeedAggregate {
  const band = opts.band ?? "minmax";
  const entries: { x: number; y: number; run: number }[] = [];
  runs.forEach((r, run) => {
    checkSameLength(r.x, r.y, `aggregateSeeds (run ${run})`);
    for (let i = 0; i < r.x.length; i++) {
      if (Number.isFinite(r.x[i]) && Number.isFinite(r.y[i])) {
        entries.push({ x: r.x[i], y: r.y[i], run });
      }
    }
  });
  // Stable sort keeps each run's rows in recorded order within an x cluster.
  entries.sort((a, b) => a.x - b.x);

  const out: SeedAggregate = { x: [], median: [], lo: [], hi: [], count: [] };
  let i = 0;
  while (i < entries.length) {
    const x0 = entries[i].x;
    const perRun = new Map<number, number>();
    let j = i;
    while (j < entries.length && sameX(entries[j].x, x0)) {
      perRun.set(entries[j].run, entries[j].y);
      j++;
    }
    const ys = [...perRun.values()].sort((a, b) => a - b);
    out.x.push(x0);
    out.median.push(quantileSorted(ys, 0.5));
    out.lo.push(band === "iqr" ? quantileSorted(ys, 0.25) : ys[0]);
    out.hi.push(band === "iqr" ? quantileSorted(ys, 0.75) : ys[ys.length - 1]);
    out.count.push(ys.length);
    i = j;
  }
  return out;
}

function sameX(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= X_MATCH_REL * Math.max(Math.abs(a), Math.abs(b));
}

// ───────────────────────────── least-squares fits ─────────────────────────────

export interface LineFit {
  slope: number;
  intercept: number;
  /** Coefficient of determination of the fit in the transformed coordinates; 1 when the
   *  transformed y is constant (a horizontal line fits it exactly). */
  r2: number;
  /** Number of points used. */
  n: number;
  /** Residual sum of squares in the transformed coordinates (what classifyDecay compares). */
  rss: number;
  /** Standard error of the slope, √(rss/(n−2)/Σ(u−ū)²); NaN for n = 2 (no residual dof). */
  slopeStdErr: number;
}

/** Ordinary least squares v ≈ slope·u + intercept, with centred sums for accuracy. */
function fitLine(u: readonly number[], v: readonly number[], where: string): LineFit {
  const n = u.length;
  if (n < 2) {
    throw new RangeError(`${where}: need at least 2 usable points, got ${n}`);
  }
  // Means as first value + mean offset: exact for constant data, so a plateau has zero
  // variance (r² = 1, slope 0) instead of rounding noise from summing n large logs.
  let mu = 0;
  let mv = 0;
  for (let i = 0; i < n; i++) {
    mu += u[i] - u[0];
    mv += v[i] - v[0];
  }
  mu = u[0] + mu / n;
  mv = v[0] + mv / n;
  let suu = 0;
  let suv = 0;
  let svv = 0;
  for (let i = 0; i < n; i++) {
    const du = u[i] - mu;
    const dv = v[i] - mv;
    suu += du * du;
    suv += du * dv;
    svv += dv * dv;
  }
  if (!(suu > 0)) {
    throw new RangeError(`${where}: all ${n} usable points have the same x; no slope to fit`);
  }
  const slope = suv / suu;
  const intercept = mv - slope * mu;
  let rss = 0;
  for (let i = 0; i < n; i++) {
    const r = v[i] - (slope * u[i] + intercept);
    rss += r * r;
  }
  const r2 = svv > 0 ? Math.max(0, 1 - rss / svv) : 1;
  const slopeStdErr = n > 2 ? Math.sqrt(rss / (n - 2) / suu) : Number.NaN;
  return { slope, intercept, r2, n, rss, slopeStdErr };
}

/**
 * Least-squares slope and intercept of ln(y) against ln(x), over the points with x > 0 and
 * y > 0 (both finite); the slope is the power-law exponent (XD's −3 in T, ZGJ Claim 2's 3 in
 * δ). The intercept is in natural log, so the fitted curve is exp(intercept)·x^slope.
 * Throws RangeError if fewer than 2 points are usable or they all share one x.
 */
export function logLogFit(x: readonly number[], y: readonly number[]): LineFit {
  checkSameLength(x, y, "logLogFit");
  const u: number[] = [];
  const v: number[] = [];
  for (let i = 0; i < x.length; i++) {
    if (x[i] > 0 && y[i] > 0 && Number.isFinite(x[i]) && Number.isFinite(y[i])) {
      u.push(Math.log(x[i]));
      v.push(Math.log(y[i]));
    }
  }
  return fitLine(u, v, "logLogFit (points with x > 0 and y > 0)");
}

/**
 * Least-squares fit of ln(y) against x, over the points with finite x and finite y > 0:
 * the exponential / linear-convergence model y ≈ exp(intercept)·exp(slope·x), whose rate is
 * −slope (DU Thm. 4.1's (1 − ηλ₀/2)ᵏ, WA Lemma 1, XD's n = 1 case).
 * Throws RangeError if fewer than 2 points are usable or they all share one x.
 */
export function semiLogFit(x: readonly number[], y: readonly number[]): LineFit {
  checkSameLength(x, y, "semiLogFit");
  const u: number[] = [];
  const v: number[] = [];
  for (let i = 0; i < x.length; i++) {
    if (y[i] > 0 && Number.isFinite(x[i]) && Number.isFinite(y[i])) {
      u.push(x[i]);
      v.push(Math.log(y[i]));
    }
  }
  return fitLine(u, v, "semiLogFit (points with finite x and y > 0)");
}

// ───────────────────────────── tails and decay ─────────────────────────────

/**
 * The tail of a curve, where asymptotic rates are read off (XD's "last decade of ηT", ZGJ's
 * ‖∇L‖/L and XD's Z(t) slopes): the points with finite x and y whose x lies in
 * [x_end·10^(−decades), x_end], x_end being the largest x with a finite y (so a diverged
 * run's tail ends where it last measured something). With `fromX`, the window is
 * [fromX, x_end] instead and `decades` is ignored. If x_end ≤ 0 there are no decades to
 * take and the result is empty (unless `fromX` is given). Points keep their order.
 */
export function tail(
  x: readonly number[],
  y: readonly number[],
  opts: { decades?: number; fromX?: number } = {},
): XY {
  checkSameLength(x, y, "tail");
  const decades = opts.decades ?? 1;
  if (opts.fromX === undefined && !(decades > 0)) {
    throw new RangeError(`tail: decades must be > 0, got ${decades}`);
  }
  let end = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < x.length; i++) {
    if (Number.isFinite(x[i]) && Number.isFinite(y[i]) && x[i] > end) end = x[i];
  }
  const out: XY = { x: [], y: [] };
  if (end === Number.NEGATIVE_INFINITY) return out;
  let from: number;
  if (opts.fromX !== undefined) from = opts.fromX;
  else if (end > 0)
    from = end / 10 ** decades; // division: 3 / 10 is 0.3, 3 · 0.1 is not
  else return out;
  for (let i = 0; i < x.length; i++) {
    if (Number.isFinite(x[i]) && Number.isFinite(y[i]) && x[i] >= from && x[i] <= end) {
      out.x.push(x[i]);
      out.y.push(y[i]);
    }
  }
  return out;
}

export type DecayKind = "linear" | "polynomial" | "stalled" | "undetermined";

export interface DecayOptions {
  /** Width of the tail window in decades of x (default 1). */
  decades?: number;
  /** Start the tail window here instead (overrides `decades` for the non-floor case). */
  fromX?: number;
  /** y at or below this is the float floor: the curve has converged (default 1e-25). */
  floorThreshold?: number;
  /** |log–log slope| below this is "stalled" (default 0.2). */
  stallSlope?: number;
  /** Fewer usable points than this in the window: "undetermined" (default 5). */
  minPoints?: number;
  /** The better fit must reach this r², else the window is noise or neither law (default 0.9). */
  minR2?: number;
  /** One fit is "clearly better" if its residual sum of squares is at most 1/fitRatio
   *  of the other's (default 2). */
  fitRatio?: number;
}

export interface DecayClassification {
  kind: DecayKind;
  /** Log–log slope over the window (the power-law exponent; −3 for XD's n ≥ 2). NaN if no fit. */
  exponent: number;
  /** Exponential rate −d ln y/dx over the window (semi-log fit). NaN if no fit. */
  rate: number;
  r2LogLog: number;
  r2SemiLog: number;
  /** Points in the fitted window. */
  n: number;
  /** The fitted window [from, to] in x (NaN when nothing was fitted). */
  window: [number, number];
  /** x at which the curve reached the float floor for good, or null if it did not. */
  floorAt: number | null;
  /** One line for a human: what was decided and why. */
  explanation: string;
}

/** Reaching the floor is itself strong evidence of convergence, so the segment before it
 *  needs only enough points to tell a line from a curve. */
const FLOOR_MIN_SEGMENT = 3;

const DECAY_DEFAULTS: Required<Omit<DecayOptions, "fromX">> = {
  decades: 1,
  floorThreshold: 1e-25,
  stallSlope: 0.2,
  minPoints: 5,
  minR2: 0.9,
  fitRatio: 2,
};

/**
 * Classifies how a loss curve decays at its tail — the question behind WA Fig. 1 ("K = 1
 * converges linearly, K ≥ 2 stall"), XD Fig. 1 (Θ(T⁻³) for n ≥ 2 against exp(−Ω(T)) for
 * n = 1), XD App. A (toy cases) and ZGJ's local O(1/T) rate.
 *
 * The rule (points with non-finite x or y are dropped first; points are sorted by x):
 *
 * 1. Floor. If the curve ends at or below `floorThreshold` (default 1e-25; float64 losses
 *    of O(1) quantities bottom out near 1e-30), find x_f, the first x from which it stays
 *    there. The window is the pre-floor segment: points with x in [x_f·10^−decades, x_f),
 *    x > 0 and y above the floor (extended back to the last `minPoints` such points if the
 *    decade holds fewer; fewer than 3 in all: "undetermined"). Both fits are made on it.
 *    It is "polynomial" only if the log–log fit is clearly better (RSS ratio > fitRatio,
 *    r² ≥ minR2) with slope < −stallSlope; else it is "linear" provided the semi-log fit has
 *    r² ≥ minR2 and a negative slope — reaching the floor by a segment that is not clearly a
 *    power law is exponential convergence. Otherwise "undetermined". (`fromX` is not used
 *    here: the window is anchored at x_f.)
 * 2. No floor. The window is `tail(x, y, {decades, fromX})` restricted to x > 0, y > 0.
 *    - fewer than `minPoints` points: "undetermined";
 *    - |log–log slope| < stallSlope: "stalled" (less than ~0.2·ln 10 ≈ 0.46 e-folds lost over
 *      a decade of x — flat for any rate claim), provided the slope's standard error is also
 *      below stallSlope (else "undetermined": noise, not a plateau);
 *    - log–log slope ≥ stallSlope: "undetermined" (the tail grows);
 *    - else the better of the two fits must reach r² ≥ minR2 (else "undetermined": noise,
 *      or a shape that is neither, such as a kink inside the window),
 *      and be clearly better: RSS_loglog·fitRatio < RSS_semilog → "polynomial" (exponent =
 *      log–log slope); RSS_semilog·fitRatio < RSS_loglog → "linear" (rate = −semi-log slope);
 *      neither → "undetermined" (both shapes fit the window about equally).
 *
 * Residual sums are compared rather than r² because both are in the same ln y units on the
 * same points, so the ratio measures which shape explains the curvature, independent of the
 * curve's scale c. Calibration (log-spaced samples over one decade): a clean c·T^p tail has
 * RSS_loglog ≈ 0, and a straight line in x leaves ≈ 8.5% of the variance of p·ln T
 * (r² ≈ 0.915 for every p), i.e. ≈ 0.037·p² per point; 10% multiplicative noise adds
 * ≈ 0.01 per point to both. The ratio is then ≈ 1 + 3.7·p²: ≈ 34 for XD's p = −3, ≈ 4.7 for
 * ZGJ's p = −1, both above fitRatio = 2. The same holds mirrored for exponential tails.
 * A plateau above floorThreshold (e.g. a loss whose floor is 1e-20) reads as "stalled":
 * pass a larger floorThreshold where that floor is expected.
 */
export function classifyDecay(
  x: readonly number[],
  y: readonly number[],
  opts: DecayOptions = {},
): DecayClassification {
  checkSameLength(x, y, "classifyDecay");
  const o = { ...DECAY_DEFAULTS, ...stripUndefined(opts) };
  const pts: { x: number; y: number }[] = [];
  for (let i = 0; i < x.length; i++) {
    if (Number.isFinite(x[i]) && Number.isFinite(y[i])) pts.push({ x: x[i], y: y[i] });
  }
  pts.sort((a, b) => a.x - b.x);

  const result = (
    kind: DecayKind,
    explanation: string,
    fit: WindowFits | null,
    floorAt: number | null = null,
  ): DecayClassification => ({
    kind,
    exponent: fit?.ll ? fit.ll.slope : Number.NaN,
    rate: fit?.sl ? 0 - fit.sl.slope : Number.NaN, // 0 − s: no "-0" for a plateau
    r2LogLog: fit?.ll ? fit.ll.r2 : Number.NaN,
    r2SemiLog: fit?.sl ? fit.sl.r2 : Number.NaN,
    n: fit?.n ?? 0,
    window: fit && fit.n > 0 ? [fit.from, fit.to] : [Number.NaN, Number.NaN],
    floorAt,
    explanation: `${kind}: ${explanation}`,
  });

  if (pts.length === 0) return result("undetermined", "no finite points", null);

  const floor = o.floorThreshold;
  if (pts[pts.length - 1].y <= floor) {
    // 1. The curve ends on the float floor.
    let f = pts.length - 1;
    while (f > 0 && pts[f - 1].y <= floor) f--;
    const xf = pts[f].x;
    const before = pts.slice(0, f).filter((p) => p.x > 0 && p.y > floor);
    let win = before.filter((p) => p.x >= xf / 10 ** o.decades);
    if (win.length < o.minPoints) win = before.slice(-o.minPoints);
    const fit = fitWindow(win);
    const at = `reached the floor (≤ ${formatNumber(floor)}) at x = ${formatNumber(xf)}`;
    if (win.length < FLOOR_MIN_SEGMENT || !fit.ll || !fit.sl) {
      return result(
        "undetermined",
        `${at} after only ${win.length} usable points above it`,
        fit,
        xf,
      );
    }
    const ll = fit.ll;
    const sl = fit.sl;
    if (ll.slope < -o.stallSlope && clearlyBetter(ll, sl, o.fitRatio) && ll.r2 >= o.minR2) {
      return result(
        "polynomial",
        `${at}; before it, log–log slope ${formatNumber(ll.slope)} (r² ${r2s(ll)} vs semi-log ${r2s(sl)})`,
        fit,
        xf,
      );
    }
    if (sl.slope < 0 && sl.r2 >= o.minR2) {
      return result(
        "linear",
        `${at} after an exponential segment, rate ${formatNumber(-sl.slope)} (semi-log r² ${r2s(sl)} vs log–log ${r2s(ll)})`,
        fit,
        xf,
      );
    }
    return result(
      "undetermined",
      `${at}, but the ${win.length} points before it fit neither shape (semi-log r² ${r2s(sl)}, log–log r² ${r2s(ll)})`,
      fit,
      xf,
    );
  }

  // 2. No floor: read the last decade(s).
  const t = tail(
    pts.map((p) => p.x),
    pts.map((p) => p.y),
    { decades: o.decades, fromX: opts.fromX },
  );
  const win: { x: number; y: number }[] = [];
  for (let i = 0; i < t.x.length; i++) {
    if (t.x[i] > 0 && t.y[i] > 0) win.push({ x: t.x[i], y: t.y[i] });
  }
  const fit = fitWindow(win);
  if (win.length < o.minPoints || !fit.ll || !fit.sl) {
    return result(
      "undetermined",
      `only ${win.length} usable points (x > 0, y > 0) in the tail; need ${o.minPoints}`,
      fit,
    );
  }
  const ll = fit.ll;
  const sl = fit.sl;
  const range = `x ∈ [${formatNumber(fit.from)}, ${formatNumber(fit.to)}], n = ${fit.n}`;
  if (Math.abs(ll.slope) < o.stallSlope) {
    if (ll.slopeStdErr >= o.stallSlope) {
      return result(
        "undetermined",
        `too noisy: log–log slope ${formatNumber(ll.slope)} ± ${formatNumber(ll.slopeStdErr)} over ${range}`,
        fit,
      );
    }
    return result(
      "stalled",
      `log–log slope ${formatNumber(ll.slope)} over ${range}, y ≈ ${formatNumber(median(win.map((p) => p.y)))}`,
      fit,
    );
  }
  if (ll.slope > 0) {
    return result(
      "undetermined",
      `the tail grows (log–log slope ${formatNumber(ll.slope)}) over ${range}`,
      fit,
    );
  }
  if (Math.max(ll.r2, sl.r2) < o.minR2) {
    return result(
      "undetermined",
      `neither shape fits (noise or another law): log–log r² ${r2s(ll)}, semi-log r² ${r2s(sl)} < ${o.minR2} over ${range}`,
      fit,
    );
  }
  if (clearlyBetter(ll, sl, o.fitRatio) && ll.r2 >= o.minR2) {
    return result(
      "polynomial",
      `log–log slope ${formatNumber(ll.slope)} over ${range} (r² ${r2s(ll)} vs semi-log ${r2s(sl)})`,
      fit,
    );
  }
  if (clearlyBetter(sl, ll, o.fitRatio) && sl.r2 >= o.minR2) {
    return result(
      "linear",
      `exponential rate ${formatNumber(-sl.slope)} over ${range} (semi-log r² ${r2s(sl)} vs log–log ${r2s(ll)})`,
      fit,
    );
  }
  return result(
    "undetermined",
    `neither shape is clearly better over ${range} (log–log r² ${r2s(ll)}, slope ${formatNumber(ll.slope)}; semi-log r² ${r2s(sl)})`,
    fit,
  );
}

interface WindowFits {
  ll: LineFit | null;
  sl: LineFit | null;
  n: number;
  from: number;
  to: number;
}

function fitWindow(win: readonly { x: number; y: number }[]): WindowFits {
  const xs = win.map((p) => p.x);
  const ys = win.map((p) => p.y);
  const tryFit = (f: () => LineFit): LineFit | null => {
    try {
      return f();
    } catch {
      return null;
    }
  };
  return {
    ll: tryFit(() => logLogFit(xs, ys)),
    sl: tryFit(() => semiLogFit(xs, ys)),
    n: win.length,
    from: win.length ? xs[0] : Number.NaN,
    to: win.length ? xs[xs.length - 1] : Number.NaN,
  };
}

const r2s = (f: LineFit): string => f.r2.toFixed(3);

/** Residuals below 1e-9 in ln y are rounding, not shape: two fits that are both exact to
 *  rounding (e.g. through two points) must tie, not be told apart by 1e-33 vs 0. */
const RSS_FLOOR_PER_POINT = 1e-18;

/** Whether fit a explains the same points clearly better than b (see fitRatio). */
function clearlyBetter(a: LineFit, b: LineFit, ratio: number): boolean {
  const floor = RSS_FLOOR_PER_POINT * a.n;
  return (a.rss + floor) * ratio < b.rss + floor;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

// ───────────────────────────── crossings ─────────────────────────────

/**
 * The first recorded x whose y is at or below `threshold` (no interpolation between samples:
 * the answer is a recorded step, as the papers count iterations), or null if none — e.g.
 * WA's T_γ, the first iteration with dist(W, w*) ≤ γ (Thm. 2, Fig. 1). NaN y never counts.
 */
export function firstBelow(
  x: readonly number[],
  y: readonly number[],
  threshold: number,
): number | null {
  checkSameLength(x, y, "firstBelow");
  for (let i = 0; i < x.length; i++) if (y[i] <= threshold) return x[i];
  return null;
}

/**
 * The first recorded x whose y is strictly positive, or null if none — WA Fig. 8's first
 * step at which the Hessian form of eq. (9) turns positive. NaN y never counts.
 */
export function firstPositive(x: readonly number[], y: readonly number[]): number | null {
  checkSameLength(x, y, "firstPositive");
  for (let i = 0; i < x.length; i++) if (y[i] > 0) return x[i];
  return null;
}

// ───────────────────────────── contraction ─────────────────────────────

export interface ContractionCheck {
  /** Largest y(t) / (y(t₀)·ρ^(t−t₀)) over the checked points (1 at t₀ itself); NaN if none.
   *  +∞ where the ratio overflows: then read worstLog10. */
  worst: number;
  /** log₁₀ of `worst`, finite even where the ratio itself is not (ρ^(10⁵) underflows). */
  worstLog10: number;
  /** Points checked (x ≥ t₀, finite y, before the rounding plateau). */
  checked: number;
  /** The rounding plateau the series ended on (see roundingPlateau), or null. */
  plateau: { from: number; level: number } | null;
}

/**
 * Where a decreasing series stopped decreasing for good at rounding level: the earliest
 * recorded x from which the rest of the series is flat (log–log slope within ±maxSlope,
 * default 0.5, over at least minPoints points, default 4) and lies at least `depth` (default
 * 1e-12) below the series' largest value. Returns that x and the plateau's lowest value, or
 * null if the series ends decreasing or ends flat far above rounding (a stall is not a floor).
 *
 * A float64 series that converges linearly (WA's dist² for K = 1) flattens somewhere between
 * ~1e-30 and ~1e-27 depending on the run; the level is read from the series itself because a
 * fixed constant is either above some runs' floors or below others'. The slope test tells a
 * plateau (slope ≈ 0 plus rounding noise) from a slow power law (K ≥ 2: slope ≈ −1).
 */
export function roundingPlateau(
  x: readonly number[],
  y: readonly number[],
  opts: { maxSlope?: number; minPoints?: number; depth?: number } = {},
): { from: number; level: number } | null {
  checkSameLength(x, y, "roundingPlateau");
  const maxSlope = opts.maxSlope ?? 0.5;
  const minPoints = opts.minPoints ?? 4;
  const depth = opts.depth ?? 1e-12;
  const pts: { x: number; y: number }[] = [];
  let top = 0;
  for (let i = 0; i < x.length; i++) {
    if (Number.isFinite(y[i]) && y[i] > top) top = y[i];
    if (x[i] > 0 && y[i] > 0 && Number.isFinite(x[i]) && Number.isFinite(y[i]))
      pts.push({ x: x[i], y: y[i] });
  }
  pts.sort((a, b) => a.x - b.x);
  for (let p = 0; p + minPoints <= pts.length; p++) {
    const rest = pts.slice(p);
    if (Math.max(...rest.map((q) => q.y)) > depth * top) continue;
    let slope: number;
    try {
      slope = logLogFit(
        rest.map((q) => q.x),
        rest.map((q) => q.y),
      ).slope;
    } catch {
      continue;
    }
    if (Math.abs(slope) <= maxSlope) {
      return { from: rest[0].x, level: Math.min(...rest.map((q) => q.y)) };
    }
  }
  return null;
}

/**
 * Whether a decreasing series contracts at least like y(t₀)·ρ^(t−t₀) from x = t₀ on (WA
 * Lemma 1's dist²(t) ≤ ρ^(t−t₀)·dist²(t₀)), returning the worst ratio to that bound.
 *
 * A series in floating point stops decreasing at rounding level while ρ^(t−t₀) keeps falling,
 * so on that plateau the ratio grows without meaning anything. The floor is therefore taken
 * from the series itself (roundingPlateau), not a fixed constant: points on the plateau, and
 * points where the bound is below `floorFactor` (default 10) times the plateau's level, are
 * not checked. A series that ends still decreasing, or stalled far above rounding, is checked
 * at every recorded x ≥ t₀. t₀ must be a recorded x with a finite positive y.
 */
export function contractionCheck(
  x: readonly number[],
  y: readonly number[],
  opts: { from: number; rate: number; floorFactor?: number },
): ContractionCheck {
  checkSameLength(x, y, "contractionCheck");
  const { from, rate } = opts;
  const factor = opts.floorFactor ?? 1e1;
  if (!(rate > 0 && rate <= 1)) {
    throw new RangeError(`contractionCheck: rate must be in (0, 1], got ${rate}`);
  }
  const i0 = x.findIndex((v) => v === from);
  const y0 = i0 >= 0 ? y[i0] : Number.NaN;
  if (!(y0 > 0 && Number.isFinite(y0))) {
    throw new RangeError(`contractionCheck: no finite positive y recorded at x = ${from}`);
  }
  const plateau = roundingPlateau(x, y);
  const end = plateau ? plateau.from : Number.POSITIVE_INFINITY;
  const minLog = plateau ? Math.log(factor * plateau.level) : Number.NEGATIVE_INFINITY;
  let worstLog = Number.NaN;
  let checked = 0;
  const logRate = Math.log(rate);
  for (let i = 0; i < x.length; i++) {
    if (!(x[i] >= from && x[i] < end) || !Number.isFinite(y[i])) continue;
    const logBound = Math.log(y0) + (x[i] - from) * logRate; // in logs: ρ^(10⁵) underflows
    if (logBound < minLog) continue;
    const logRatio = Math.log(Math.max(y[i], Number.MIN_VALUE)) - logBound;
    worstLog = Number.isNaN(worstLog) ? logRatio : Math.max(worstLog, logRatio);
    checked++;
  }
  return { worst: Math.exp(worstLog), worstLog10: worstLog / Math.LN10, checked, plateau };
}

// ───────────────────────────── monotonicity ─────────────────────────────

/**
 * Whether a sequence (one summary value per swept setting, e.g. per width K or m) moves in
 * one direction — WA's "larger K enters the linear region sooner" / "larger η turns the
 * Hessian positive sooner", DU's "larger m: fewer flips, less movement, faster rate".
 *
 * null means "never reached" and counts as +∞ (so [null, 500, 300] is decreasing: the first
 * setting never got there, the others did, sooner and sooner). NaN breaks both pairs it is
 * in. The tolerance is relative to the previous value: going "decreasing", b may exceed a by
 * up to relTol·|a| (increasing: fall short of a by up to relTol·|a|) and still count, to
 * absorb seed noise between nearly equal settings. Non-strict requires b ≤ a + relTol·|a|
 * (b ≥ a − relTol·|a|), strict requires < (>); with relTol = 0 strict forbids ties. No margin
 * is added next to an infinite value (∞ = ∞ is a tie). Fewer than two values: ok.
 * `violations` lists the offending adjacent index pairs [i, i + 1].
 */
export function isMonotone(
  values: readonly (number | null)[],
  direction: "increasing" | "decreasing",
  opts: { strict?: boolean; relTol?: number } = {},
): { ok: boolean; violations: [number, number][] } {
  const strict = opts.strict ?? false;
  const relTol = opts.relTol ?? 0;
  if (!(relTol >= 0)) throw new RangeError(`isMonotone: relTol must be ≥ 0, got ${relTol}`);
  const v = values.map((e) => (e === null ? Number.POSITIVE_INFINITY : e));
  const violations: [number, number][] = [];
  for (let i = 0; i + 1 < v.length; i++) {
    const a = v[i];
    const b = v[i + 1];
    const margin = Number.isFinite(a) ? relTol * Math.abs(a) : 0;
    let ok: boolean;
    if (direction === "decreasing") ok = strict ? b < a + margin : b <= a + margin;
    else ok = strict ? b > a - margin : b >= a - margin;
    // ∞ ± 0 comparisons are exact; NaN makes every comparison false, i.e. a violation.
    if (!ok) violations.push([i, i + 1]);
  }
  return { ok: violations.length === 0, violations };
}

// ───────────────────────────── formatting ─────────────────────────────

/**
 * A number for the report's "measured" column: `digits` significant digits (default 3),
 * trailing zeros dropped, exponent form (2.1e-7, 1.23e5) for |x| < 1e-3 or |x| ≥ 1e4 after
 * rounding, plain form otherwise (0.0123, 3, 1230). NaN → "NaN", ±∞ → "∞"/"-∞", null →
 * "never" (a crossing that did not happen), −0 → "0".
 */
export function formatNumber(x: number | null, digits = 3): string {
  if (!Number.isInteger(digits) || digits < 1 || digits > 21) {
    throw new RangeError(`formatNumber: digits must be an integer in 1..21, got ${digits}`);
  }
  if (x === null) return "never";
  if (Number.isNaN(x)) return "NaN";
  if (x === Number.POSITIVE_INFINITY) return "∞";
  if (x === Number.NEGATIVE_INFINITY) return "-∞";
  if (x === 0) return "0";
  const r = Number(x.toPrecision(digits));
  const a = Math.abs(r);
  if (a >= 1e-3 && a < 1e4) return String(r);
  const [mantissa, exponent] = r.toExponential(digits - 1).split("e");
  const m = mantissa.includes(".") ? mantissa.replace(/0+$/, "").replace(/\.$/, "") : mantissa;
  return `${m}e${exponent.replace(/^\+/, "")}`;
}
