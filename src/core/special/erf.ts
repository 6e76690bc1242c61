/**
 * The error function and its complements in double precision (JavaScript has no Math.erf).
 *
 * Algorithm: W. J. Cody, "Rational Chebyshev approximations for the error function",
 * Math. Comp. 23 (1969) 631–637, in the three-interval arrangement of his SPECFUN routine
 * CALERF (Argonne, 1990). The coefficients below are the published constants; their
 * approximation error (relative, in exact arithmetic) is below 1e-18 on every interval, so
 * what is left is the rounding of a few multiply–adds: measured against 50-digit mpmath values
 * (test/fixtures/special/erf_table.json), erf is within 2 ulp on [−6, 6] and erfc within 4 ulp
 * (relative) on [−6, 26.5] — the relative accuracy of erfc holds deep in the tail
 * (erfc(10) ≈ 2.088487583762545e-45, erfc(26) ≈ 5.663192408856143e-296).
 *
 *   |x| ≤ 0.46875:    erf x  = x·R₁(x²)                   (R₁ of degree (4, 4))
 *   0.46875 < |x| ≤ 4: erfc x = e^(−x²)·R₂(x)               (R₂ of degree (8, 8))
 *   |x| > 4:          erfc x = e^(−x²)/x·(1/√π + R₃(1/x²)/x²) (R₃ of degree (5, 5))
 *
 * and the other function of each pair by 1 − (·), which never cancels badly there because the
 * function subtracted is at most ½ (erf x ≤ erf 0.46875 ≈ 0.49; erfc x ≤ erfc 0.46875 ≈ 0.51).
 */

// 1/√π
const ONE_OVER_SQRT_PI = 0.5641895835477563;
// Below this |x|, erf x = (2/√π)·x·(1 − x²/3) is (2/√π)·x to the last bit.
const X_SMALL = 1.11e-16;
const TWO_OVER_SQRT_PI = 1.1283791670955126;
// Beyond this, erfc x < 2^−1075 rounds to 0 (and 1 − erfc x to 1 even earlier, at x ≈ 5.9).
const X_BIG_ERFC = 27.3;
// erf x rounds to ±1 for |x| ≥ 6 (erfc 6 ≈ 2.2e-17 < ½ ulp(1)).
const X_ERF_ONE = 6;
// erfcx(x) = e^(x²)·erfc(x) ≈ 1/(x√π)·(1 − 1/(2x²) + …): beyond this the correction is < ε.
const X_HUGE_ERFCX = 6.71e7;

// Cody's published 18-digit coefficients, each written as the nearest double (so the literal
// is exact and the linter's precision check holds).
// erf on [0, 0.46875]: x·(A₃ + A₂t + A₁t² + A₀t³ + A₄t⁴)/(B₃ + B₂t + B₁t² + B₀t³ + t⁴), t = x².
const A = [
  3.1611237438705655, 113.86415415105016, 377.485237685302, 3209.3775891384694, 0.18577770618460315,
];
const B = [23.601290952344122, 244.02463793444417, 1282.6165260773723, 2844.236833439171];
// e^(x²)·erfc x on [0.46875, 4], numerator and denominator in x (Horner as in CALERF).
const C = [
  0.5641884969886701, 8.883149794388377, 66.11919063714163, 298.6351381974001, 881.952221241769,
  1712.0476126340707, 2051.0783778260716, 1230.3393547979972, 2.1531153547440383e-8,
];
const D = [
  15.744926110709835, 117.6939508913125, 537.1811018620099, 1621.3895745666903, 3290.7992357334597,
  4362.619090143247, 3439.3676741437216, 1230.3393548037495,
];
// x·e^(x²)·erfc x = 1/√π − t·R₃(t), t = 1/x², on (4, ∞).
const P = [
  0.30532663496123236, 0.36034489994980445, 0.12578172611122926, 0.016083785148742275,
  0.0006587491615298378, 0.016315387137302097,
];
const Q = [
  2.568520192289822, 1.8729528499234604, 0.5279051029514285, 0.06051834131244132,
  0.0023352049762686918,
];

/** erf(y) for 0 ≤ y ≤ 0.46875 (sign restored by the caller through x). */
function erfSmall(x: number, y: number): number {
  // One rounding instead of Cody's x·A₃/B₃ (two), and no underflow in x² for tiny x.
  if (y < X_SMALL) return x * TWO_OVER_SQRT_PI;
  const t = y * y;
  let num = A[4] * t;
  let den = t;
  for (let i = 0; i < 3; i++) {
    num = (num + A[i]) * t;
    den = (den + B[i]) * t;
  }
  return (x * (num + A[3])) / (den + B[3]);
}

/** e^(y²)·erfc(y) for y > 0.46875 (not defined at y = ∞: the caller handles that). */
function erfcxPositive(y: number): number {
  if (y <= 4) {
    let num = C[8] * y;
    let den = y;
    for (let i = 0; i < 7; i++) {
      num = (num + C[i]) * y;
      den = (den + D[i]) * y;
    }
    return (num + C[7]) / (den + D[7]);
  }
  if (y >= X_HUGE_ERFCX) return ONE_OVER_SQRT_PI / y;
  const t = 1 / (y * y);
  let num = P[5] * t;
  let den = t;
  for (let i = 0; i < 4; i++) {
    num = (num + P[i]) * t;
    den = (den + Q[i]) * t;
  }
  return (ONE_OVER_SQRT_PI - (t * (num + P[4])) / (den + Q[4])) / y;
}

/**
 * e^(−y²) without the rounding of y²: a rounded y² carries an absolute error up to y²·2⁻⁵³,
 * which e^(−y²) turns into a relative error of that size (≈ 8e-14 at y = 26). Split
 * y = h + r with h = y rounded down to a multiple of 1/16, so h² is exact (≤ 14 significant
 * bits squared) and y² − h² = r·(y + h) is small and accurate — Cody's device in CALERF.
 */
function expMinusSquare(y: number): number {
  const h = Math.trunc(y * 16) / 16;
  return Math.exp(-h * h) * Math.exp(-(y - h) * (y + h));
}

/** erfc(y) for y > 0.46875. */
function erfcPositive(y: number): number {
  if (y >= X_BIG_ERFC) return 0;
  return expMinusSquare(y) * erfcxPositive(y);
}

/**
 * The error function erf x = (2/√π)∫₀ˣ e^(−t²) dt, to within 2 ulp over the whole real line
 * (Cody 1969; see the file header). Odd; erf(±∞) = ±1, erf(NaN) = NaN.
 */
export function erf(x: number): number {
  const y = Math.abs(x);
  if (y <= 0.46875) return erfSmall(x, y);
  if (y >= X_ERF_ONE) return x > 0 ? 1 : x < 0 ? -1 : Number.NaN;
  // erfc y ≤ 0.51 here, so 1 − erfc y loses at most one bit.
  const r = 0.5 - erfcPositive(y) + 0.5;
  return x < 0 ? -r : r;
}

/**
 * The complementary error function erfc x = 1 − erf x = (2/√π)∫ₓ^∞ e^(−t²) dt with relative
 * accuracy (a few ulp) over the whole real line, including the tail where 1 − erf x would be
 * all rounding: erfc(10) = 2.088487583762545e-45; it underflows to 0 only beyond x ≈ 27.2.
 * Cody 1969 (see the file header); erfc(−x) = 2 − erfc(x).
 */
export function erfc(x: number): number {
  const y = Math.abs(x);
  if (y <= 0.46875) return 1 - erfSmall(x, y);
  if (Number.isNaN(x)) return Number.NaN;
  const r = erfcPositive(y);
  return x < 0 ? 2 - r : r;
}

/**
 * The scaled complementary error function erfcx x = e^(x²)·erfc x, which stays O(1/x) where
 * erfc itself underflows (for x > 0 it is ≈ 1/(x√π)); overflows to +∞ for x below ≈ −26.6.
 * Cody 1969 (CALERF's third mode); within 5 ulp of 50-digit values on (−26.5, 26.5].
 */
export function erfcx(x: number): number {
  const y = Math.abs(x);
  if (y <= 0.46875) return Math.exp(x * x) * (1 - erfSmall(x, y));
  if (Number.isNaN(x)) return Number.NaN;
  if (x > 0) return x === Number.POSITIVE_INFINITY ? 0 : erfcxPositive(y);
  // e^(x²)·(2 − erfc|x|) = 2e^(x²) − erfcx|x|; 2e^(x²) by the same exact-square split.
  if (y >= 26.7) return Number.POSITIVE_INFINITY;
  const h = Math.trunc(y * 16) / 16;
  const e2 = 2 * Math.exp(h * h) * Math.exp((y - h) * (y + h));
  return e2 - erfcxPositive(y);
}

/**
 * erf(z/√2) = 2Φ(z) − 1 = P(|Z| < z)·sign z for a standard normal Z — the soft-committee
 * activation. The product z·(1/√2) is rounded once, which moves the result by at most about
 * one more ulp.
 */
export function erfScaled(z: number): number {
  return erf(z * Math.SQRT1_2);
}
