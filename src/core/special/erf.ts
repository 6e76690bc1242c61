/**
 * erf and erfc to near full double precision (JavaScript has no Math.erf).
 *
 * |x| < 1: erf by its Maclaurin series erf x = (2/√π) Σ (−1)ⁿ x^(2n+1)/(n!(2n+1)).
 * |x| ≥ 1: erfc by the continued fraction (Abramowitz & Stegun 7.1.14, evaluated with the
 * modified Lentz algorithm) erfc x = e^(−x²)/√π · 1/(x + ½/(x + 1/(x + 3/2/(x + …)))),
 * which converges quickly for x ≥ 1 and keeps relative accuracy deep in the tail
 * (erfc(26) ≈ 5.6e-296). erf = 1 − erfc there, erfc(−x) = 2 − erfc(x).
 */
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 60; n++) {
    term *= -x2 / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
  }
  return TWO_OVER_SQRT_PI * sum;
}

/** erfc(x) for x ≥ 1 by Lentz's continued fraction x + (1/2)/(x + 1/(x + (3/2)/(x + …))). */
function erfcContinuedFraction(x: number): number {
  const tiny = 1e-300;
  let f = x;
  let C = x;
  let D = 0;
  for (let n = 1; n < 500; n++) {
    const a = n / 2;
    D = x + a * D;
    D = D === 0 ? tiny : 1 / D;
    C = x + a / C;
    if (C === 0) C = tiny;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  // e^(−x²) with x² split as xh² + (x − xh)(x + xh), xh = x rounded to 1/16 (so xh² is exact):
  // a rounded x² would cost x²·ε of relative accuracy (3e-15 at x = 6).
  const xh = Math.round(x * 16) / 16;
  return (Math.exp(-xh * xh) * Math.exp(-(x - xh) * (x + xh))) / (Math.sqrt(Math.PI) * f);
}

export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x < 1) {
    if (x > -1) return 1 - erfSeries(x);
    return 2 - erfc(-x);
  }
  if (x > 27.3) return 0;
  return erfcContinuedFraction(x);
}

export function erf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (Math.abs(x) < 1) return erfSeries(x);
  if (x > 6) return 1;
  if (x < -6) return -1;
  return x > 0 ? 1 - erfcContinuedFraction(x) : erfcContinuedFraction(-x) - 1;
}
