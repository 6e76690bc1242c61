/**
 * The analysis primitives on synthetic series whose answer is known in closed form: power
 * laws and exponentials for the fits and the decay classifier (XD's T⁻³ vs exp(−Ω(T)), ZGJ's
 * 1/T, WA's stall), ragged / NaN seeds for the aggregation, and hand-computed crossings and
 * orderings for the verdict helpers.
 */
import { describe, expect, it } from "vitest";
import {
  aggregateSeeds,
  classifyDecay,
  contractionCheck,
  firstBelow,
  firstPositive,
  formatNumber,
  isMonotone,
  logLogFit,
  median,
  quantile,
  roundingPlateau,
  semiLogFit,
  tail,
} from "../../src/analysis/series.js";
import { Rng } from "../../src/core/random/rng.js";

/** 0 and 10^(k/perDecade) up to `last`: the shape of the recorded log-spaced grid. */
function logGrid(last: number, perDecade = 20): number[] {
  const xs = [0];
  for (let k = 0; k <= Math.round(perDecade * Math.log10(last)); k++)
    xs.push(10 ** (k / perDecade));
  return xs;
}

const T = logGrid(1e5);

describe("median", () => {
  it("takes the middle value, or the mean of the two middle values", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  it("is NaN for an empty list or one with only NaN, ignores NaN, keeps infinities", () => {
    expect(median([])).toBeNaN();
    expect(median([Number.NaN, Number.NaN])).toBeNaN();
    expect(median([Number.NaN, 1, 9, Number.NaN, 5])).toBe(5);
    expect(median([1, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY])).toBe(
      Number.POSITIVE_INFINITY,
    );
    // Interpolating between two infinities must not give ∞ − ∞ = NaN.
    expect(median([1, 1e300, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY])).toBe(
      Number.POSITIVE_INFINITY,
    );
    expect(
      median([1, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY]),
    ).toBe(Number.POSITIVE_INFINITY);
  });

  it("does not reorder its input", () => {
    const v = [3, 1, 2];
    median(v);
    expect(v).toEqual([3, 1, 2]);
  });
});

describe("formatNumber", () => {
  it("writes 3 significant digits, trailing zeros dropped, plain form in [1e-3, 1e4)", () => {
    expect(formatNumber(0.5)).toBe("0.5");
    expect(formatNumber(-3.0000001)).toBe("-3");
    expect(formatNumber(0.0123456)).toBe("0.0123");
    expect(formatNumber(0.001)).toBe("0.001");
    expect(formatNumber(1234.5)).toBe("1230");
    expect(formatNumber(2.5e-2)).toBe("0.025");
  });

  it("switches to exponent form below 1e-3 and from 1e4, deciding after rounding", () => {
    expect(formatNumber(2.1e-7)).toBe("2.1e-7");
    expect(formatNumber(2.1049e-7)).toBe("2.1e-7");
    expect(formatNumber(1.23456e-4)).toBe("1.23e-4");
    expect(formatNumber(12345)).toBe("1.23e4");
    expect(formatNumber(-1e-28)).toBe("-1e-28");
    expect(formatNumber(9999.6)).toBe("1e4");
    expect(formatNumber(0.00099996)).toBe("0.001");
    expect(formatNumber(0.0009994)).toBe("9.99e-4");
  });

  it("handles the special values and a digits argument", () => {
    expect(formatNumber(Number.NaN)).toBe("NaN");
    expect(formatNumber(Number.POSITIVE_INFINITY)).toBe("∞");
    expect(formatNumber(Number.NEGATIVE_INFINITY)).toBe("-∞");
    expect(formatNumber(null)).toBe("never");
    expect(formatNumber(0)).toBe("0");
    expect(formatNumber(-0)).toBe("0");
    expect(formatNumber(Math.PI, 5)).toBe("3.1416");
    expect(formatNumber(Math.PI * 1e-9, 2)).toBe("3.1e-9");
    expect(() => formatNumber(1, 0)).toThrow(RangeError);
  });
});

describe("aggregateSeeds", () => {
  it("aligns ragged seeds with NaN rows and reports how many seeds each x has", () => {
    const agg = aggregateSeeds([
      { x: [0, 1, 2, 3], y: [1, 2, 3, 4] },
      { x: [0, 1, 2, 5], y: [3, Number.NaN, 5, Number.NaN] }, // diverged: NaN after step 2
      { x: [0, 1, 2, 3, 4], y: [2, 4, 4, Number.NaN, 9] },
    ]);
    expect(agg.x).toEqual([0, 1, 2, 3, 4]); // x = 5 has no finite value anywhere: left out
    expect(agg.median).toEqual([2, 3, 4, 4, 9]);
    expect(agg.lo).toEqual([1, 2, 3, 4, 9]);
    expect(agg.hi).toEqual([3, 4, 5, 4, 9]);
    expect(agg.count).toEqual([3, 2, 3, 1, 1]);
  });

  it("merges x values equal within relative 1e-12 (η·step in floating point), not farther", () => {
    const eta = 0.05;
    const a = { x: [eta * 3, eta * 7], y: [1, 10] }; // 0.15000000000000002, 0.35000000000000003
    const b = { x: [0.15, 0.35], y: [3, 30] };
    const c = { x: [0.15 * (1 + 1e-9)], y: [100] };
    expect(eta * 3).not.toBe(0.15);
    const agg = aggregateSeeds([a, b, c]);
    expect(agg.x).toHaveLength(3);
    expect(agg.x[0]).toBeCloseTo(0.15, 15);
    expect(agg.count).toEqual([2, 1, 2]);
    expect(agg.median).toEqual([2, 100, 20]);
  });

  it("gives the interquartile band with band 'iqr' (linear interpolation, numpy's default)", () => {
    const runs = [1, 2, 3, 10].map((v) => ({ x: [0, 1], y: [v, -v] }));
    const mm = aggregateSeeds(runs);
    expect(mm.lo).toEqual([1, -10]);
    expect(mm.hi).toEqual([10, -1]);
    const iqr = aggregateSeeds(runs, { band: "iqr" });
    expect(iqr.median).toEqual([2.5, -2.5]);
    expect(iqr.lo[0]).toBeCloseTo(1.75, 14);
    expect(iqr.hi[0]).toBeCloseTo(4.75, 14);
    expect(iqr.lo[1]).toBeCloseTo(-4.75, 14);
    expect(iqr.hi[1]).toBeCloseTo(-1.75, 14);
  });

  it("uses a run's later row when it repeats an x, and sorts x", () => {
    const agg = aggregateSeeds([
      { x: [2, 1, 2], y: [5, 1, 7] },
      { x: [1, 2], y: [3, 9] },
    ]);
    expect(agg.x).toEqual([1, 2]);
    expect(agg.count).toEqual([2, 2]);
    expect(agg.median).toEqual([2, 8]);
  });

  it("returns empty series for no runs and rejects x/y of different lengths", () => {
    expect(aggregateSeeds([])).toEqual({ x: [], median: [], lo: [], hi: [], count: [] });
    expect(() => aggregateSeeds([{ x: [0, 1], y: [1] }])).toThrow(RangeError);
  });
});

describe("logLogFit", () => {
  it("recovers a power law's exponent and prefactor exactly", () => {
    const x = [0.5, 1, 2, 7, 100, 1e5];
    const fit = logLogFit(
      x,
      x.map((v) => 3 * v ** 2.5),
    );
    expect(fit.slope).toBeCloseTo(2.5, 12);
    expect(fit.intercept).toBeCloseTo(Math.log(3), 12);
    expect(fit.r2).toBeCloseTo(1, 12);
    expect(fit.n).toBe(6);
    const down = logLogFit(
      T.slice(1),
      T.slice(1).map((t) => 0.2 * t ** -3),
    );
    expect(down.slope).toBeCloseTo(-3, 12);
  });

  it("skips x ≤ 0, y ≤ 0 and non-finite points", () => {
    const x = [0, -1, 1, 2, Number.NaN, 4, 8, 16];
    const y = [5, 5, 1, 4, 3, 0, 64, Number.POSITIVE_INFINITY];
    const fit = logLogFit(x, y); // usable: (1, 1), (2, 4), (8, 64): y = x²
    expect(fit.n).toBe(3);
    expect(fit.slope).toBeCloseTo(2, 12);
    expect(fit.intercept).toBeCloseTo(0, 12);
  });

  it("reports r² of an imperfect fit", () => {
    // ln x = 0, 1, 2 and ln y = 0, 2, 1: slope 1/2, intercept 1/2, residuals −½, 1, −½.
    const fit = logLogFit([1, Math.E, Math.E ** 2], [1, Math.E ** 2, Math.E]);
    expect(fit.slope).toBeCloseTo(0.5, 12);
    expect(fit.intercept).toBeCloseTo(0.5, 12);
    expect(fit.rss).toBeCloseTo(1.5, 12);
    expect(fit.r2).toBeCloseTo(0.25, 12);
  });

  it("fits a plateau with slope 0 and r² = 1 despite rounding in ln y", () => {
    const fit = logLogFit(
      T.slice(1),
      T.slice(1).map(() => 1e-20),
    );
    expect(Math.abs(fit.slope)).toBeLessThan(1e-14);
    expect(fit.r2).toBe(1);
  });

  it("throws RangeError with fewer than 2 usable points or a single x", () => {
    expect(() => logLogFit([1, 0, -2], [1, 5, 5])).toThrow(/at least 2 usable points, got 1/);
    expect(() => logLogFit([], [])).toThrow(RangeError);
    expect(() => logLogFit([3, 3], [1, 2])).toThrow(/same x/);
    expect(() => logLogFit([1, 2], [1])).toThrow(RangeError);
  });
});

describe("semiLogFit", () => {
  it("recovers an exponential's rate and prefactor exactly, x = 0 included", () => {
    const x = [0, 1, 2.5, 10, 400];
    const fit = semiLogFit(
      x,
      x.map((v) => 5 * Math.exp(-0.3 * v)),
    );
    expect(fit.n).toBe(5);
    expect(fit.slope).toBeCloseTo(-0.3, 12);
    expect(fit.intercept).toBeCloseTo(Math.log(5), 12);
    expect(fit.r2).toBeCloseTo(1, 12);
  });

  it("skips y ≤ 0 and non-finite points and throws with fewer than 2", () => {
    const fit = semiLogFit([0, 1, 2, 3], [1, 0, Math.exp(-2), Number.NaN]);
    expect(fit.n).toBe(2);
    expect(fit.slope).toBeCloseTo(-1, 12);
    expect(() => semiLogFit([0, 1], [1, 0])).toThrow(RangeError);
  });
});

describe("tail", () => {
  it("keeps the last decade of x by default, boundary included", () => {
    const t = tail([0, 1, 2, 20, 50, 100, 200], [9, 8, 7, 6, 5, 4, 3]);
    expect(t).toEqual({ x: [20, 50, 100, 200], y: [6, 5, 4, 3] });
    expect(tail([0, 1, 2, 20, 200], [1, 2, 3, 4, 5], { decades: 2 }).x).toEqual([2, 20, 200]);
    expect(tail([0, 1, 2, 20, 200], [1, 2, 3, 4, 5], { fromX: 1 }).x).toEqual([1, 2, 20, 200]);
    // 3·10⁻¹ rounds above 0.3 in floating point; the window must still start at 0.3.
    expect(tail([0.3, 3], [1, 1]).x).toEqual([0.3, 3]);
  });

  it("ends at the last finite value (a diverged run) and drops non-finite points", () => {
    const t = tail([1, 10, 30, 50, 100, 1000], [1, 2, Number.NaN, 4, 5, Number.NaN]);
    expect(t).toEqual({ x: [10, 50, 100], y: [2, 4, 5] });
  });

  it("is empty for no finite point or when the last x is not positive", () => {
    expect(tail([], [])).toEqual({ x: [], y: [] });
    expect(tail([1, 2], [Number.NaN, Number.NaN])).toEqual({ x: [], y: [] });
    expect(tail([-2, 0], [1, 1])).toEqual({ x: [], y: [] });
    expect(() => tail([1], [1], { decades: 0 })).toThrow(RangeError);
  });
});

describe("classifyDecay", () => {
  it("a clean c·T⁻³ tail is polynomial with exponent −3, whatever c", () => {
    for (const c of [1e-4, 1, 1e4]) {
      const r = classifyDecay(
        T,
        T.map((t) => c * Math.max(t, 1) ** -3),
      );
      expect(r.kind).toBe("polynomial");
      expect(Math.abs(r.exponent + 3)).toBeLessThanOrEqual(0.1);
      expect(r.exponent).toBeCloseTo(-3, 9);
      expect(r.window).toEqual([1e4, 1e5]);
      expect(r.n).toBe(21);
      expect(r.floorAt).toBeNull();
      expect(r.explanation).toMatch(/^polynomial: log–log slope -3 /);
    }
  });

  it("c·T⁻¹ is polynomial with exponent −1; T⁻⁰·³ is polynomial, T⁻⁰·¹ stalled", () => {
    const one = classifyDecay(
      T,
      T.map((t) => 7 / Math.max(t, 1)),
    );
    expect(one.kind).toBe("polynomial");
    expect(one.exponent).toBeCloseTo(-1, 9);
    expect(
      classifyDecay(
        T,
        T.map((t) => Math.max(t, 1) ** -0.3),
      ).kind,
    ).toBe("polynomial");
    expect(
      classifyDecay(
        T,
        T.map((t) => Math.max(t, 1) ** -0.1),
      ).kind,
    ).toBe("stalled");
  });

  it("exp(−0.01 T) down to 1e-30, then flat at the float floor 1e-31, is linear", () => {
    const y = T.map((t) => (Math.exp(-0.01 * t) >= 1e-30 ? Math.exp(-0.01 * t) : 1e-31));
    const r = classifyDecay(T, y);
    expect(r.kind).toBe("linear");
    expect(r.rate).toBeCloseTo(0.01, 10);
    expect(r.r2SemiLog).toBeCloseTo(1, 10);
    expect(r.r2LogLog).toBeLessThan(0.95);
    // The floor is reached at the first grid point with exp(−0.01 T) ≤ 1e-25 (T ≈ 5757).
    const firstFloor = T.find((t) => Math.exp(-0.01 * t) <= 1e-25);
    expect(r.floorAt).toBe(firstFloor);
    expect(r.window[1]).toBeLessThan(firstFloor!);
    expect(r.explanation).toMatch(/floor/);
  });

  it("reads the floor the same way whatever the input order", () => {
    const y = T.map((t) => Math.max(Math.exp(-0.01 * t), 1e-31));
    const fwd = classifyDecay(T, y);
    const rev = classifyDecay(T.slice().reverse(), y.slice().reverse());
    expect(rev.kind).toBe("linear");
    expect(rev.floorAt).toBe(fwd.floorAt);
    expect(rev.rate).toBeCloseTo(0.01, 10);
  });

  it("takes at least minPoints before the floor when the last decade before it has fewer", () => {
    // exp(−x) at x = 1…10, then one sample at 80 (on the floor): the decade [8, 80) holds
    // only 8, 9, 10, so the segment is extended back to the last 5 points, 6…10.
    const x = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 80];
    const r = classifyDecay(
      x,
      x.map((v) => Math.exp(-v)),
    );
    expect(r.kind).toBe("linear");
    expect(r.floorAt).toBe(80);
    expect(r.n).toBe(5);
    expect(r.window).toEqual([6, 10]);
    expect(r.rate).toBeCloseTo(1, 12);
  });

  it("an exponential that has not reached the floor is linear with its rate", () => {
    const r = classifyDecay(
      T,
      T.map((t) => 2 * Math.exp(-1e-4 * t)),
    );
    expect(r.kind).toBe("linear");
    expect(r.rate).toBeCloseTo(1e-4, 12);
    expect(r.floorAt).toBeNull();
  });

  it("a curve flat at 1e-6 is stalled", () => {
    const r = classifyDecay(
      T,
      T.map((t) => (t < 100 ? 1 / (1 + t) : 1e-6)),
    );
    expect(r.kind).toBe("stalled");
    expect(r.exponent).toBeCloseTo(0, 12);
    expect(r.explanation).toMatch(/y ≈ 1e-6/);
  });

  it("T⁻³ with 10% multiplicative noise stays polynomial with exponent −3 ± 0.3", () => {
    for (let seed = 0; seed < 25; seed++) {
      const rng = new Rng(seed, "decay-noise");
      const y = T.map((t) => Math.max(t, 1) ** -3 * (1 + 0.1 * rng.normal()));
      const r = classifyDecay(T, y);
      expect(r.kind).toBe("polynomial");
      expect(Math.abs(r.exponent + 3)).toBeLessThanOrEqual(0.3);
    }
  });

  it("T⁻¹ with 10% noise is polynomial (ZGJ's O(1/T)) or, rarely, undetermined — never linear", () => {
    // Over one decade the semi-log misfit of T⁻¹ is only ≈ 3.7× the noise variance, so a
    // noisy draw can make the two fits too close to call (RSS ratio < 2): the rule abstains
    // then, it does not flip. With this stream 1 draw in 20 abstains.
    const rng = new Rng(1, "decay-noise-2");
    const kinds: string[] = [];
    for (let k = 0; k < 20; k++) {
      const r1 = classifyDecay(
        T,
        T.map((t) => Math.max(t, 1) ** -1 * (1 + 0.1 * rng.normal())),
      );
      kinds.push(r1.kind);
      if (r1.kind === "polynomial") expect(Math.abs(r1.exponent + 1)).toBeLessThan(0.2);
    }
    expect(kinds.filter((k) => k === "polynomial").length).toBeGreaterThanOrEqual(18);
    expect(kinds.filter((k) => k !== "polynomial" && k !== "undetermined")).toEqual([]);
    const r2 = classifyDecay(
      T,
      T.map((t) => Math.exp(-1e-4 * t) * (1 + 0.1 * rng.normal())),
    );
    expect(r2.kind, r2.explanation).toBe("linear");
  });

  it("a power law that reaches the floor is polynomial, not linear", () => {
    const r = classifyDecay(
      T,
      T.map((t) => 1e-12 * Math.max(t, 1) ** -3),
    );
    expect(r.floorAt).not.toBeNull();
    expect(r.kind).toBe("polynomial");
    expect(r.exponent).toBeCloseTo(-3, 9);
  });

  it("a plateau above the floor threshold is stalled unless the threshold says it is the floor", () => {
    const y = T.map((t) => Math.max(Math.exp(-0.01 * t), 1e-20));
    expect(classifyDecay(T, y).kind).toBe("stalled");
    const r = classifyDecay(T, y, { floorThreshold: 1e-19 });
    expect(r.kind).toBe("linear");
    expect(r.rate).toBeCloseTo(0.01, 10);
  });

  it("is undetermined with too few points, a growing tail, or a jump to zero from a plateau", () => {
    expect(classifyDecay([], []).kind).toBe("undetermined");
    // An exact 1/x on 3 points: the fits are still reported, the kind is not decided.
    const few = classifyDecay([1, 2, 4], [1, 0.5, 0.25]);
    expect(few.kind).toBe("undetermined");
    expect(few.exponent).toBeCloseTo(-1, 12);
    expect(few.explanation).toMatch(/only 3 usable points/);
    // Two points fit both shapes exactly: neither is clearly better.
    const two = classifyDecay([1, 2], [1, 0.5], { minPoints: 2 });
    expect(two.kind).toBe("undetermined");
    expect(two.explanation).toMatch(/neither/);
    expect(classifyDecay(T, T.slice()).kind).toBe("undetermined");
    expect(classifyDecay(T, T.slice()).explanation).toMatch(/grows/);
    const jump = T.map((t) => (t < 5e4 ? 1e-6 : 0));
    const r = classifyDecay(T, jump);
    expect(r.kind).toBe("undetermined");
    expect(r.floorAt).toBe(T.find((t) => t >= 5e4));
  });

  it("is undetermined for a decay that is neither law (a kink inside the window)", () => {
    const r = classifyDecay(
      T,
      T.map((t) => Math.max(t, 1) ** -3 * Math.exp(-5 * Math.abs(Math.log(t / 3e4)))),
    );
    expect(r.kind).toBe("undetermined");
    expect(r.explanation).toMatch(/neither shape fits/);
  });

  it("needs 3 points above the floor before it, and skips dips to the floor within them", () => {
    const few = classifyDecay([1, 2, 3], [1, 1e-5, 0]);
    expect(few.kind).toBe("undetermined");
    expect(few.floorAt).toBe(3);
    expect(few.explanation).toMatch(/only 2 usable points/);
    // Float-floor noise can touch the floor once before settling there: that sample is not
    // part of the exponential segment.
    const y = T.map((t) => Math.max(Math.exp(-0.01 * t), 1e-31));
    const dip = T.findIndex((t) => t > 3000);
    y[dip] = 1e-28;
    const r = classifyDecay(T, y);
    expect(r.kind).toBe("linear");
    expect(r.rate).toBeCloseTo(0.01, 10);
    expect(r.floorAt).toBe(T.find((t) => Math.exp(-0.01 * t) <= 1e-25));
  });

  it("is undetermined when noise swamps the curve, stalled for a plateau with mild noise", () => {
    for (let seed = 0; seed < 10; seed++) {
      const rng = new Rng(seed, "decay-noise-3");
      const r = classifyDecay(
        T,
        T.map((t) => Math.max(t, 1) ** -0.5 * Math.exp(2 * rng.normal())),
      );
      expect(r.kind).toBe("undetermined");
      const flat = classifyDecay(
        T,
        T.map(() => 1e-6 * (1 + 0.1 * rng.normal())),
      );
      expect(flat.kind).toBe("stalled");
    }
  });

  it("ignores non-finite points and the order of the input", () => {
    const pts = T.map((t) => ({ x: t, y: 4 * Math.max(t, 1) ** -3 }));
    pts.push(
      { x: 5e4, y: Number.NaN },
      { x: Number.NaN, y: 1 },
      { x: 2e4, y: Number.POSITIVE_INFINITY },
    );
    pts.reverse();
    const r = classifyDecay(
      pts.map((p) => p.x),
      pts.map((p) => p.y),
    );
    expect(r.kind).toBe("polynomial");
    expect(r.exponent).toBeCloseTo(-3, 9);
    expect(r.n).toBe(21);
  });

  it("reads the window given by decades or fromX", () => {
    // T⁻¹ up to 1e4, then T⁻³ (continuous): only the last decade is a clean −3.
    const y = T.map((t) => (t <= 1e4 ? 1 / Math.max(t, 1) : 1e-4 * (t / 1e4) ** -3));
    expect(classifyDecay(T, y).exponent).toBeCloseTo(-3, 9);
    expect(Math.abs(classifyDecay(T, y, { decades: 3 }).exponent + 3)).toBeGreaterThan(0.5);
    const early = classifyDecay(T, y, { fromX: 10 });
    expect(early.window[0]).toBe(10);
    expect(Math.abs(early.exponent + 3)).toBeGreaterThan(0.5);
  });

  it("rejects x and y of different lengths", () => {
    expect(() => classifyDecay([1, 2, 3], [1, 2])).toThrow(RangeError);
  });
});

describe("firstBelow", () => {
  it("returns the first recorded x at or below the threshold, without interpolation", () => {
    const x = [0, 10, 20, 30];
    const y = [1, 0.5, 0.01, 0.001];
    expect(firstBelow(x, y, 0.1)).toBe(20);
    expect(firstBelow(x, y, 0.5)).toBe(10);
    expect(firstBelow(x, y, 5)).toBe(0);
  });

  it("is null for an empty series or one that never gets there; NaN never counts", () => {
    expect(firstBelow([], [], 1)).toBeNull();
    expect(firstBelow([0, 1], [3, 2], 1)).toBeNull();
    expect(firstBelow([0, 1, 2], [Number.NaN, 5, 0.5], 1)).toBe(2);
    expect(() => firstBelow([0, 1], [1], 1)).toThrow(RangeError);
  });
});

describe("firstPositive", () => {
  it("returns the first x with y > 0 (zero is not positive)", () => {
    expect(firstPositive([0, 5, 10, 15], [-1, 0, 2, -3])).toBe(10);
    expect(firstPositive([3, 4], [1e-300, -1])).toBe(3);
  });

  it("is null for an empty series or one that never turns positive; NaN never counts", () => {
    expect(firstPositive([], [])).toBeNull();
    expect(firstPositive([0, 1, 2], [-2, -1, 0])).toBeNull();
    expect(firstPositive([0, 1], [Number.NaN, -1])).toBeNull();
    expect(() => firstPositive([0], [])).toThrow(RangeError);
  });
});

describe("isMonotone", () => {
  it("checks direction, with ties allowed unless strict", () => {
    expect(isMonotone([3, 2, 1], "decreasing")).toEqual({ ok: true, violations: [] });
    expect(isMonotone([3, 2, 1], "increasing")).toEqual({
      ok: false,
      violations: [
        [0, 1],
        [1, 2],
      ],
    });
    expect(isMonotone([1, 2, 2, 3], "increasing").ok).toBe(true);
    expect(isMonotone([1, 2, 2, 3], "increasing", { strict: true })).toEqual({
      ok: false,
      violations: [[1, 2]],
    });
  });

  it("counts null (never reached) as +∞", () => {
    expect(isMonotone([null, 500, 300], "decreasing", { strict: true }).ok).toBe(true);
    expect(isMonotone([300, null], "decreasing")).toEqual({ ok: false, violations: [[0, 1]] });
    expect(isMonotone([300, null], "increasing", { strict: true }).ok).toBe(true);
    expect(isMonotone([null, null], "decreasing").ok).toBe(true);
    expect(isMonotone([null, null], "decreasing", { strict: true }).ok).toBe(false);
    expect(isMonotone([null, 5], "increasing", { relTol: 0.5 }).ok).toBe(false);
  });

  it("allows a relative excess of relTol·|previous|", () => {
    expect(isMonotone([100, 104, 90], "decreasing", { relTol: 0.05 }).ok).toBe(true);
    expect(isMonotone([100, 104, 90], "decreasing", { relTol: 0.03 })).toEqual({
      ok: false,
      violations: [[0, 1]],
    });
    expect(isMonotone([100, 96], "increasing", { relTol: 0.05, strict: true }).ok).toBe(true);
    expect(isMonotone([100, 96], "increasing", { relTol: 0.03 }).ok).toBe(false);
    // relative to |previous| for negative values too
    expect(isMonotone([-100, -96], "decreasing", { relTol: 0.05 }).ok).toBe(true);
    expect(isMonotone([-100, -96], "decreasing", { relTol: 0.03 }).ok).toBe(false);
    expect(() => isMonotone([1, 2], "increasing", { relTol: -1 })).toThrow(RangeError);
  });

  it("treats NaN as a violation and fewer than two values as monotone", () => {
    expect(isMonotone([3, Number.NaN, 1], "decreasing").violations).toEqual([
      [0, 1],
      [1, 2],
    ]);
    expect(isMonotone([], "increasing").ok).toBe(true);
    expect(isMonotone([Number.NaN], "increasing").ok).toBe(true);
  });
});

describe("quantile", () => {
  it("quantile(values, q) interpolates like numpy and ignores NaN", () => {
    expect(quantile([4, 1, 3, 2], 0.25)).toBeCloseTo(1.75, 15);
    expect(quantile([4, 1, Number.NaN, 3, 2], 0.75)).toBeCloseTo(3.25, 15);
    expect(quantile([1, 2, 3], 0.5)).toBe(median([1, 2, 3]));
    expect(quantile([1, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY], 0.5)).toBe(
      Number.POSITIVE_INFINITY,
    );
    expect(quantile([], 0.5)).toBeNaN();
    expect(() => quantile([1], 1.5)).toThrow(RangeError);
  });
});

describe("contractionCheck", () => {
  const steps = Array.from({ length: 401 }, (_, i) => i * 250); // 0 … 100000
  const rho = 1 - 1.295e-3; // WA Lemma 1 at η = 0.001, ν = 0.05
  it("contractionCheck passes a series that contracts faster than the bound, down to its rounding plateau", () => {
    // contracts at 1 − 2e-3 per step, then sits on a plateau at 3e-28 (K = 1 in full mode)
    const y = steps.map((t) => Math.max(2e-3 * (1 - 2e-3) ** t, 3e-28 * (1 + 0.3 * Math.sin(t))));
    const c = contractionCheck(steps, y, { from: 0, rate: rho });
    expect(c.worst).toBeLessThanOrEqual(1);
    expect(c.checked).toBeGreaterThan(10);
    expect(c.plateau?.level).toBeLessThan(3e-28);
    expect(c.plateau?.level).toBeGreaterThan(1e-28);
    // a fixed 1e-28 floor would have judged the plateau: ratio ≈ 1e29 at the last step
    const fixedFloor = y.map((v, i) => v / (2e-3 * rho ** steps[i])).filter((_, i) => y[i] > 1e-28);
    expect(Math.max(...fixedFloor)).toBeGreaterThan(1e20);
  });
  it("contractionCheck fails a series slower than the bound (a polynomial tail), checking all of it", () => {
    const y = steps.map((t) => 2e-3 / (1 + 1e-3 * t)); // ∝ 1/t: WA's K ≥ 2
    const c = contractionCheck(steps, y, { from: 0, rate: rho });
    expect(c.worst).toBeGreaterThan(1e50); // ρ^(10⁵) ≈ 1e-56 against 1/t
    expect(c.worstLog10).toBeCloseTo(Math.log10(c.worst), 9);
    expect(c.checked).toBe(steps.length);
    expect(c.plateau).toBeNull();
  });
  it("contractionCheck gives the ratio in log10 where it overflows", () => {
    const xs = [0, 1e6];
    const c = contractionCheck(xs, [1, 0.5], { from: 0, rate: 1e-3 });
    expect(c.worst).toBe(Number.POSITIVE_INFINITY);
    expect(c.worstLog10).toBeCloseTo(3e6 + Math.log10(0.5), 3);
  });
  it("contractionCheck at exactly the bound's rate gives ratio 1; a partial slowdown exceeds it", () => {
    const exact = steps.map((t) => 5e-3 * rho ** t);
    expect(contractionCheck(steps, exact, { from: 0, rate: rho }).worst).toBeCloseTo(1, 9);
    const late = steps.map(
      (t) => 5e-3 * rho ** Math.min(t, 5000) * (1 - 1e-3) ** Math.max(0, t - 5000),
    );
    const c = contractionCheck(steps, late, { from: 0, rate: rho });
    expect(c.worst).toBeGreaterThan(1.01);
  });
  it("contractionCheck refuses an entry step that was not recorded and a rate outside (0, 1]", () => {
    expect(() => contractionCheck([0, 1], [1, 0.5], { from: 3, rate: 0.9 })).toThrow(RangeError);
    expect(() => contractionCheck([0, 1], [1, 0.5], { from: 0, rate: 1.5 })).toThrow(RangeError);
  });
});

describe("roundingPlateau", () => {
  const xs = Array.from({ length: 101 }, (_, i) => Math.round(10 ** (i / 20))); // 1 … 1e5
  it("roundingPlateau finds where a linearly converging series flattens, whatever its level", () => {
    for (const level of [3e-30, 3e-28, 2e-27]) {
      const y = xs.map((t, i) =>
        Math.max(Math.exp(-2e-3 * t), level * (1 + 0.4 * Math.sin(7 * i))),
      );
      const p = roundingPlateau(xs, y);
      expect(p).not.toBeNull();
      expect(p!.level).toBeLessThan(level);
      expect(p!.level).toBeGreaterThan(level / 2);
      expect(Math.exp(-2e-3 * p!.from)).toBeLessThan(10 * level); // starts at the flattening
    }
  });
  it("roundingPlateau sees no plateau in a power law (WA K ≥ 2) nor in a stall far above rounding", () => {
    expect(
      roundingPlateau(
        xs,
        xs.map((t) => 1e-3 * t ** -0.92),
      ),
    ).toBeNull();
    expect(
      roundingPlateau(
        xs,
        xs.map((t) => 1e-20 * t ** -0.92),
      ),
    ).toBeNull();
    expect(
      roundingPlateau(
        xs,
        xs.map((t) => 0.5 + 1 / t),
      ),
    ).toBeNull(); // stalled at 0.5
    expect(
      roundingPlateau(
        xs,
        xs.map((t) => Math.exp(-2e-4 * t)),
      ),
    ).toBeNull(); // still falling
  });
});
