import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { erf, erfc, erfcx, erfScaled } from "../../../src/core/special/erf.js";

/*
 * Reference values: test/fixtures/special/erf_table.json, written by make_erf_table.py with
 * mpmath at 50 digits and rounded once to the nearest double (an independent high-precision
 * source). Errors are counted in ulps of the reference value. Measured: erf ≤ 2 ulp on
 * [−6, 6]; erfc ≤ 4 ulp (≤ 6.4e-16 relative) on [−6, 26.5]; erfcx ≤ 5 ulp.
 */
interface Table {
  source: string;
  columns: string[];
  points: [number, number, number, number | null][];
}
const table: Table = JSON.parse(
  readFileSync(new URL("../../fixtures/special/erf_table.json", import.meta.url), "utf8"),
);

/** The spacing of doubles at |v| (the subnormal spacing below the normal range). */
function ulp(v: number): number {
  const a = Math.abs(v);
  if (a < 2 ** -1022) return 2 ** -1074;
  return 2 ** (Math.floor(Math.log2(a)) - 52);
}

function worstUlps(f: (x: number) => number, column: 1 | 2 | 3, keep: (x: number) => boolean) {
  let worst = 0;
  let at = Number.NaN;
  for (const row of table.points) {
    const x = row[0];
    const ref = row[column];
    if (ref === null || !keep(x) || !Number.isFinite(ref)) continue;
    const e = Math.abs(f(x) - ref) / ulp(ref);
    if (e > worst) {
      worst = e;
      at = x;
    }
  }
  return { worst, at };
}

describe("erf", () => {
  it("erf(x) is within 2 ulp of the correctly rounded value on [−6, 6]", () => {
    expect(table.points.length).toBeGreaterThan(1000);
    const { worst, at } = worstUlps(erf, 1, (x) => Math.abs(x) <= 6);
    expect(worst, `at x = ${at}`).toBeLessThanOrEqual(2);
  });

  it("erf(x) is odd, exact at 0, ±1 in the tails and NaN for NaN", () => {
    for (const x of [1e-300, 0.1, 0.46875, 0.5, 1.7, 3.9, 4.1, 5.5]) expect(erf(-x)).toBe(-erf(x));
    expect(erf(0)).toBe(0);
    expect(Object.is(erf(-0), -0)).toBe(true);
    expect(erf(6)).toBe(1);
    expect(erf(40)).toBe(1);
    expect(erf(Number.POSITIVE_INFINITY)).toBe(1);
    expect(erf(Number.NEGATIVE_INFINITY)).toBe(-1);
    expect(erf(Number.NaN)).toBeNaN();
  });

  it("erf(x) is the double nearest 2/√π times x for tiny x (subnormals included)", () => {
    // 2/√π = 1.1283791670955125738961589…, nearest double 1.1283791670955126
    for (const x of [1e-300, 1e-20, 1e-17, -3e-17]) expect(erf(x)).toBe(1.1283791670955126 * x);
    expect(erf(5e-324)).toBe(5e-324);
  });
});

describe("erfc", () => {
  it("erfc(x) is within 4 ulp (relative, into the tail) on [−6, 26.5]", () => {
    const { worst, at } = worstUlps(erfc, 2, (x) => x >= -6 && x <= 26.5);
    expect(worst, `at x = ${at}`).toBeLessThanOrEqual(4);
  });

  it("erfc(x) keeps full relative accuracy deep in the tail", () => {
    const rel = (x: number, ref: number) => Math.abs(erfc(x) - ref) / ref;
    expect(rel(10, 2.088487583762545e-45)).toBeLessThan(5e-16);
    expect(rel(26, 5.663192408856143e-296)).toBeLessThan(5e-16);
  });

  it("erfc(x) is 1 − erf(x) where that has no cancellation, and 2 − erfc(−x)", () => {
    for (let x = -3; x <= 0.5; x += 0.0625) expect(erfc(x)).toBeCloseTo(1 - erf(x), 15);
    for (const x of [0.3, 1, 2.5, 5]) expect(erfc(-x)).toBe(2 - erfc(x));
  });

  it("erfc(x) underflows to 0 only past the double range and handles ±∞ and NaN", () => {
    expect(erfc(27)).toBeGreaterThan(0); // ≈ 5.2e-319, a subnormal
    expect(erfc(28)).toBe(0);
    expect(erfc(Number.POSITIVE_INFINITY)).toBe(0);
    expect(erfc(Number.NEGATIVE_INFINITY)).toBe(2);
    expect(erfc(Number.NaN)).toBeNaN();
  });
});

describe("erfcx", () => {
  it("erfcx(x) = e^(x²)·erfc(x) is within 5 ulp on (−26.5, 26.5]", () => {
    const { worst, at } = worstUlps(erfcx, 3, (x) => x > -26.5);
    expect(worst, `at x = ${at}`).toBeLessThanOrEqual(5);
  });

  it("erfcx(x) approaches 1/(x√π) for large x and 0 at +∞", () => {
    const x = 1e8;
    expect(erfcx(x)).toBeCloseTo(1 / (x * Math.sqrt(Math.PI)), 20);
    expect(erfcx(Number.POSITIVE_INFINITY)).toBe(0);
    expect(erfcx(-30)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("erfScaled", () => {
  it("erfScaled(z) is erf(z/√2) = 2Φ(z) − 1", () => {
    // Φ(1) − Φ(−1) = 0.682689492137085897… (the 68% of the normal law)
    // 2 ulp: the rounding of 1·(1/√2) adds up to one ulp to erf's own
    expect(Math.abs(erfScaled(1) - 0.6826894921370859)).toBeLessThanOrEqual(2 * 2 ** -53);
    expect(erfScaled(-2)).toBe(-erf(2 * Math.SQRT1_2));
  });
});
