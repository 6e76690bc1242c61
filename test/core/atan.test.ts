/**
 * The two-lane float64 atan of the angular population kernel (assembly/kernels.ts, atanV via
 * the exported atanArray) against mpmath: reference values in test/fixtures/special/
 * atan_table.json (make_atan_table.py) as double-doubles, so errors are measured in ulps of
 * the exact value, over the whole double range and near 0, 0.66, 1, tan(3π/8) and ∞.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { kernelInstance } from "../../src/core/wasm/kernels.js";

const table = JSON.parse(
  readFileSync(new URL("../fixtures/special/atan_table.json", import.meta.url), "utf8"),
) as [number, number, number][];

/** The spacing of doubles at |x| (the ulp of a result of that size). */
function ulp(x: number): number {
  const a = Math.abs(x);
  if (a < 2 ** -1022) return 2 ** -1074;
  return 2 ** (Math.floor(Math.log2(a)) - 52) * (2 ** Math.floor(Math.log2(a)) > a ? 0.5 : 1);
}

function atanAll(xs: readonly number[]): Float64Array {
  const n = xs.length;
  const instance = kernelInstance(2 * n + 2);
  if (!instance) throw new Error("WebAssembly SIMD unavailable");
  instance.f64.set(xs, 0);
  instance.exports.atanArray(n, 0, 8 * n);
  return instance.f64.slice(n, 2 * n);
}

describe("two-lane float64 atan", () => {
  it("is within 2 ulp of mpmath over the whole range", () => {
    const y = atanAll(table.map((r) => r[0]));
    let worst = 0;
    let worstAt = 0;
    for (let k = 0; k < table.length; k++) {
      const [x, hi, lo] = table[k];
      const err = Math.abs(y[k] - hi - lo) / ulp(hi);
      if (err > worst) {
        worst = err;
        worstAt = x;
      }
    }
    expect(table.length).toBeGreaterThan(1500);
    expect(worst, `worst at x = ${worstAt}`).toBeLessThanOrEqual(2);
  });

  it("keeps the sign of zero, gives ±π/2 at ±∞ and NaN at NaN, for an odd count", () => {
    const y = atanAll([0, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN]);
    expect(Object.is(y[0], 0)).toBe(true);
    expect(Object.is(y[1], -0)).toBe(true);
    expect(y[2]).toBe(Math.PI / 2);
    expect(y[3]).toBe(-Math.PI / 2);
    expect(y[4]).toBeNaN();
  });

  it("is odd and increasing across the reduction boundaries", () => {
    const xs: number[] = [];
    for (const c of [0.66, 2.414213562373095])
      for (let k = -50; k <= 50; k++) xs.push(c + k * 2 ** -50);
    const y = atanAll(xs);
    const yn = atanAll(xs.map((x) => -x));
    for (let k = 0; k < xs.length; k++) expect(yn[k]).toBe(-y[k]);
    for (let k = 1; k < 101; k++) expect(y[k]).toBeGreaterThanOrEqual(y[k - 1]);
    for (let k = 102; k < xs.length; k++) expect(y[k]).toBeGreaterThanOrEqual(y[k - 1]);
  });
});

/**
 * The angular kernel's pair angles (pairAngles via the exported pairAnglesArray: θ = 2·atan τ
 * with atan's divisions cleared, sin θ and g = sin θ − θ cos θ) against mpmath: reference
 * values in test/fixtures/special/pair_angle_table.json (make_pair_angle_table.py) as
 * double-doubles, for D = ‖x − y‖², S = ‖x + y‖² of unit vectors at angles from 1e-150 to π,
 * densely near g's series switch (θ = 1), the atan reduction (ν = 0.66), π/2 and π.
 */
const pairTable = JSON.parse(
  readFileSync(new URL("../fixtures/special/pair_angle_table.json", import.meta.url), "utf8"),
) as number[][];

describe("the angular kernel's pair angles", () => {
  it("give θ, sin θ and g(θ) within a few ulp of mpmath", () => {
    const n = pairTable.length;
    const room = (n + 3) & ~3;
    const instance = kernelInstance(3 * room + 26);
    if (!instance) throw new Error("WebAssembly SIMD unavailable");
    const { f64 } = instance;
    f64.set(
      pairTable.map((r) => r[0]),
      0,
    );
    f64.set(
      pairTable.map((r) => r[1]),
      room,
    );
    instance.exports.pairAnglesArray(n, 0, 8 * room, 16 * room, 24 * room);
    const worst = [0, 0, 0];
    const at = [0, 0, 0];
    for (let k = 0; k < n; k++) {
      const row = pairTable[k];
      const got = [f64[k], f64[room + k], f64[2 * room + k]];
      for (let j = 0; j < 3; j++) {
        const [hi, lo] = [row[2 + 2 * j], row[3 + 2 * j]];
        const err = hi === 0 ? Math.abs(got[j]) : Math.abs(got[j] - hi - lo) / ulp(hi);
        if (err > worst[j]) {
          worst[j] = err;
          at[j] = k;
        }
      }
    }
    expect(n).toBeGreaterThan(1000);
    const where = (j: number) => `at D = ${pairTable[at[j]][0]}, S = ${pairTable[at[j]][1]}`;
    expect(worst[0], `θ ${where(0)}`).toBeLessThanOrEqual(3);
    expect(worst[1], `sin θ ${where(1)}`).toBeLessThanOrEqual(3);
    // g ∝ θ³ below θ = 1 (its series): three times θ's relative error
    expect(worst[2], `g ${where(2)}`).toBeLessThanOrEqual(8);
  });
});
