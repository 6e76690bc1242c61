/**
 * WebAssembly kernels (AssemblyScript, compiled with SIMD by scripts/build-wasm.mjs into
 * src/core/wasm/kernels.wasm.ts). They are the inner loops of src/core: the same formulas as
 * the TypeScript code they stand in for, which stays the fallback where WebAssembly SIMD is
 * missing; tests compare the two to 1e-12 (test/core/wasm.test.ts).
 *
 * Memory: the host lays out its arrays itself; all addresses are byte offsets into this
 * module's memory, which holds no static data of its own.
 */

/** y = P·x for an n×n row-major P (QuadraticMomentLoss, losses/quadraticMoments.ts). */
export function matVec(n: i32, P: usize, x: usize, y: usize): void {
  for (let i = 0; i < n; i++) {
    const row = P + ((<usize>(i * n)) << 3);
    let acc0 = f64x2.splat(0);
    let acc1 = f64x2.splat(0);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const o = (<usize>j) << 3;
      acc0 = f64x2.add(acc0, f64x2.mul(v128.load(row + o), v128.load(x + o)));
      acc1 = f64x2.add(acc1, f64x2.mul(v128.load(row + o + 16), v128.load(x + o + 16)));
    }
    let s =
      f64x2.extract_lane(acc0, 0) +
      f64x2.extract_lane(acc0, 1) +
      (f64x2.extract_lane(acc1, 0) + f64x2.extract_lane(acc1, 1));
    for (; j < n; j++) s += load<f64>(row + ((<usize>j) << 3)) * load<f64>(x + ((<usize>j) << 3));
    store<f64>(y + ((<usize>i) << 3), s);
  }
}

// ---- Angular population loss: AngularPopulationLoss.evaluate (losses/population/angular.ts) ----
// g(θ) = sin θ − θ cos θ below θ = 1 by the same ten-term series, cₖ = (−1)^(k+1)·2k/(2k+1)!
const G1 = 0.3333333333333333;
const G2 = -0.03333333333333333;
const G3 = 0.0011904761904761906;
const G4 = -2.2045855379188714e-5;
const G5 = 2.505210838544172e-7;
const G6 = -1.9270852604185937e-9;
const G7 = 1.0706029224547743e-11;
const G8 = -4.498331606952833e-14;
const G9 = 1.4797143443923793e-16;
const G10 = -3.9145882126782523e-19;

// ---- float64 atan, two lanes at a time (Cephes atan.c: S. L. Moshier) ----
// |x| > tan 3π/8: atan x = π/2 + atan(−1/x); |x| > 0.66: π/4 + atan((x − 1)/(x + 1)); then
// t + t·z·P(z)/Q(z), z = t², on |t| ≤ 0.66, with π/2 and π/4 carried as a double plus the bits
// below it. Branch-free (both reductions are one division by a selected denominator), so two
// arguments cost one pass; ≤ 2 ulp over the whole range (test/core/atan.test.ts, against mpmath).
const ATAN_T3P8 = 2.414213562373095;
const ATAN_PIO2 = 1.5707963267948966;
const ATAN_PIO4 = 0.7853981633974483;
const ATAN_MOREBITS = 6.123233995736766e-17;
const ATAN_P0 = -8.750608600031904e-1;
const ATAN_P1 = -1.6157537187333652e1;
const ATAN_P2 = -7.500855792314705e1;
const ATAN_P3 = -1.2288666844901361e2;
const ATAN_P4 = -6.485021904942025e1;
const ATAN_Q0 = 2.4858464901423062e1;
const ATAN_Q1 = 1.6502700983169885e2;
const ATAN_Q2 = 4.328810604912903e2;
const ATAN_Q3 = 4.853903996359137e2;
const ATAN_Q4 = 1.9455065714826139e2;

@inline function splat(x: f64): v128 {
  return f64x2.splat(x);
}

@inline function atanV(x: v128): v128 {
  const sign = v128.and(x, splat(-0.0));
  const a = f64x2.abs(x);
  const big = f64x2.gt(a, splat(ATAN_T3P8));
  const mid = v128.andnot(f64x2.gt(a, splat(0.66)), big);
  const one = splat(1);
  const num = v128.bitselect(splat(-1), v128.bitselect(f64x2.sub(a, one), a, mid), big);
  const den = v128.bitselect(a, v128.bitselect(f64x2.add(a, one), one, mid), big);
  const t = f64x2.div(num, den);
  const base = v128.bitselect(splat(ATAN_PIO2), v128.and(splat(ATAN_PIO4), mid), big);
  const more = v128.bitselect(splat(ATAN_MOREBITS), v128.and(splat(0.5 * ATAN_MOREBITS), mid), big);
  const z = f64x2.mul(t, t);
  let p = f64x2.add(f64x2.mul(splat(ATAN_P0), z), splat(ATAN_P1));
  p = f64x2.add(f64x2.mul(p, z), splat(ATAN_P2));
  p = f64x2.add(f64x2.mul(p, z), splat(ATAN_P3));
  p = f64x2.add(f64x2.mul(p, z), splat(ATAN_P4));
  let q = f64x2.add(z, splat(ATAN_Q0));
  q = f64x2.add(f64x2.mul(q, z), splat(ATAN_Q1));
  q = f64x2.add(f64x2.mul(q, z), splat(ATAN_Q2));
  q = f64x2.add(f64x2.mul(q, z), splat(ATAN_Q3));
  q = f64x2.add(f64x2.mul(q, z), splat(ATAN_Q4));
  const r = f64x2.div(f64x2.mul(z, p), q);
  const y = f64x2.add(base, f64x2.add(f64x2.add(f64x2.mul(t, r), t), more));
  return v128.xor(y, sign);
}

/** y[k] = atan x[k] for k < n (the vector atan of the angular kernel, exported for its tests). */
export function atanArray(n: i32, x: usize, y: usize): void {
  let k = 0;
  for (; k + 2 <= n; k += 2) {
    const o = (<usize>k) << 3;
    v128.store(y + o, atanV(v128.load(x + o)));
  }
  if (k < n) {
    const o = (<usize>k) << 3;
    store<f64>(y + o, f64x2.extract_lane(atanV(v128.load64_splat(x + o)), 0));
  }
}

// pairAngles reads its constants from a table in the caller's scratch: V8 materialises a v128
// constant afresh inside every loop that uses it (a 64-bit immediate move, a move into the
// vector register and a shuffle: 3 instructions, 26 constants a pass), while a splatting load
// from memory is one instruction. The table is written before each pass over the pairs.
const K_066 = 0;
const K_P = 1; // ATAN_P0..P4
const K_Q = 6; // ATAN_Q0..Q4
const K_ONE = 11;
const K_PIO4 = 12;
const K_HALF_MOREBITS = 13;
const K_PIO2 = 14;
const K_MOREBITS = 15;
const K_G = 16; // G1..G10
const K_COUNT = 26;

function writePairAngleConstants(K: usize): void {
  store<f64>(K, 0.66, K_066 << 3);
  store<f64>(K, ATAN_P0, (K_P + 0) << 3);
  store<f64>(K, ATAN_P1, (K_P + 1) << 3);
  store<f64>(K, ATAN_P2, (K_P + 2) << 3);
  store<f64>(K, ATAN_P3, (K_P + 3) << 3);
  store<f64>(K, ATAN_P4, (K_P + 4) << 3);
  store<f64>(K, ATAN_Q0, (K_Q + 0) << 3);
  store<f64>(K, ATAN_Q1, (K_Q + 1) << 3);
  store<f64>(K, ATAN_Q2, (K_Q + 2) << 3);
  store<f64>(K, ATAN_Q3, (K_Q + 3) << 3);
  store<f64>(K, ATAN_Q4, (K_Q + 4) << 3);
  store<f64>(K, 1, K_ONE << 3);
  store<f64>(K, ATAN_PIO4, K_PIO4 << 3);
  store<f64>(K, 0.5 * ATAN_MOREBITS, K_HALF_MOREBITS << 3);
  store<f64>(K, ATAN_PIO2, K_PIO2 << 3);
  store<f64>(K, ATAN_MOREBITS, K_MOREBITS << 3);
  store<f64>(K, G1, (K_G + 0) << 3);
  store<f64>(K, G2, (K_G + 1) << 3);
  store<f64>(K, G3, (K_G + 2) << 3);
  store<f64>(K, G4, (K_G + 3) << 3);
  store<f64>(K, G5, (K_G + 4) << 3);
  store<f64>(K, G6, (K_G + 5) << 3);
  store<f64>(K, G7, (K_G + 6) << 3);
  store<f64>(K, G8, (K_G + 7) << 3);
  store<f64>(K, G9, (K_G + 8) << 3);
  store<f64>(K, G10, (K_G + 9) << 3);
}

@inline function kc(K: usize, i: i32): v128 {
  return v128.load64_splat(K + (<usize>i << 3));
}

// g(θ) by the series (Estrin's scheme), constants from the table K
@inline function gSeriesV(theta: v128, K: usize): v128 {
  const t2 = f64x2.mul(theta, theta);
  const t4 = f64x2.mul(t2, t2);
  const t8 = f64x2.mul(t4, t4);
  const lo = f64x2.add(
    f64x2.add(kc(K, K_G), f64x2.mul(kc(K, K_G + 1), t2)),
    f64x2.mul(t4, f64x2.add(kc(K, K_G + 2), f64x2.mul(kc(K, K_G + 3), t2))),
  );
  const hi = f64x2.add(
    f64x2.add(
      f64x2.add(kc(K, K_G + 4), f64x2.mul(kc(K, K_G + 5), t2)),
      f64x2.mul(t4, f64x2.add(kc(K, K_G + 6), f64x2.mul(kc(K, K_G + 7), t2))),
    ),
    f64x2.mul(t8, f64x2.add(kc(K, K_G + 8), f64x2.mul(kc(K, K_G + 9), t2))),
  );
  return f64x2.mul(f64x2.mul(theta, t2), f64x2.add(lo, f64x2.mul(t8, hi)));
}

// From D = ‖x − y‖² and S = ‖x + y‖² of n pairs of unit rows: θ into D, sin θ into S, g(θ) into
// G; K the constants' table (writePairAngleConstants). θ = 2·atan τ with τ = √(D/S)
// (docs/model.md §5) is reduced to ν = min(τ, 1/τ) = R/max(D, S), R = √(DS)
// (atan τ = π/2 − atan ν when D > S), and atan ν is atanV's Cephes rational function with
// both of its divisions (t = num/den and z·P(z)/Q(z), z = t²) cleared: P and Q are evaluated
// homogeneously in a = num², b = den², so atan ν = num·(Q̃ + a·P̃)/(den·Q̃). sin θ = 2R/(D + S)
// and cos θ = (S − D)/(D + S), and that denominator joins the same single division, so two
// pairs cost one sqrt and one division instead of one sqrt and five. den ≥ max(D, S) ≥
// (D + S)/2 ≈ 2, so nothing over- or underflows; S = 0 (opposite rows) gives θ = π, sin θ = 0,
// g = π. Against mpmath (test/core/atan.test.ts: 1034 angles from 1e-150 to π) θ is within
// 2.3 ulp, sin θ 2.3 and g 7.6 (three times θ's error where the series takes g ∝ θ³); with the
// five divisions they were 1.4, 1.9 and 4.8.
//
// The chain from D, S to g is ~130 cycles of latency per f64x2, more than the CPU can overlap
// between consecutive iterations, so the loop is bound by latency, not by its ~100 vector
// instructions. Hence two independent f64x2 chains (four pairs; n rounded up to a multiple of
// 4: the arrays have room) written interleaved, statement by statement, in the first loop,
// and the series for g(θ) split off into a second loop; measured 1.01 → 0.89 µs per step of
// the m = 8, r = 1, d = 9 kernel (the straight two-pair loop → this).
function pairAngles(n: i32, D: usize, S: usize, G: usize, K: usize): void {
  for (let p = 0; p < n; p += 4) {
    const o0 = <usize>p << 3;
    const o1 = o0 + 16;
    const dd0 = v128.load(D + o0);
    const dd1 = v128.load(D + o1);
    const ss0 = v128.load(S + o0);
    const ss1 = v128.load(S + o1);
    const R0 = f64x2.sqrt(f64x2.mul(dd0, ss0));
    const R1 = f64x2.sqrt(f64x2.mul(dd1, ss1));
    const flip0 = f64x2.gt(dd0, ss0);
    const flip1 = f64x2.gt(dd1, ss1);
    const mx0 = v128.bitselect(dd0, ss0, flip0);
    const mx1 = v128.bitselect(dd1, ss1, flip1);
    // ν > 0.66: atan ν = π/4 + atan((ν − 1)/(ν + 1))
    const mid0 = f64x2.gt(R0, f64x2.mul(kc(K, K_066), mx0));
    const mid1 = f64x2.gt(R1, f64x2.mul(kc(K, K_066), mx1));
    const num0 = v128.bitselect(f64x2.sub(R0, mx0), R0, mid0);
    const num1 = v128.bitselect(f64x2.sub(R1, mx1), R1, mid1);
    const den0 = v128.bitselect(f64x2.add(R0, mx0), mx0, mid0);
    const den1 = v128.bitselect(f64x2.add(R1, mx1), mx1, mid1);
    const a0 = f64x2.mul(num0, num0);
    const a1 = f64x2.mul(num1, num1);
    const b0 = f64x2.mul(den0, den0);
    const b1 = f64x2.mul(den1, den1);
    const b20 = f64x2.mul(b0, b0);
    const b21 = f64x2.mul(b1, b1);
    const b30 = f64x2.mul(b20, b0);
    const b31 = f64x2.mul(b21, b1);
    const b40 = f64x2.mul(b20, b20);
    const b41 = f64x2.mul(b21, b21);
    // P̃ = Σ Pₖ a^(4−k) bᵏ and Q̃ = a⁵ + Σ Qₖ a^(4−k) b^(k+1), by Horner in a
    let p0 = f64x2.add(f64x2.mul(kc(K, K_P), a0), f64x2.mul(kc(K, K_P + 1), b0));
    let p1 = f64x2.add(f64x2.mul(kc(K, K_P), a1), f64x2.mul(kc(K, K_P + 1), b1));
    let q0 = f64x2.add(a0, f64x2.mul(kc(K, K_Q), b0));
    let q1 = f64x2.add(a1, f64x2.mul(kc(K, K_Q), b1));
    p0 = f64x2.add(f64x2.mul(p0, a0), f64x2.mul(kc(K, K_P + 2), b20));
    p1 = f64x2.add(f64x2.mul(p1, a1), f64x2.mul(kc(K, K_P + 2), b21));
    q0 = f64x2.add(f64x2.mul(q0, a0), f64x2.mul(kc(K, K_Q + 1), b20));
    q1 = f64x2.add(f64x2.mul(q1, a1), f64x2.mul(kc(K, K_Q + 1), b21));
    p0 = f64x2.add(f64x2.mul(p0, a0), f64x2.mul(kc(K, K_P + 3), b30));
    p1 = f64x2.add(f64x2.mul(p1, a1), f64x2.mul(kc(K, K_P + 3), b31));
    q0 = f64x2.add(f64x2.mul(q0, a0), f64x2.mul(kc(K, K_Q + 2), b30));
    q1 = f64x2.add(f64x2.mul(q1, a1), f64x2.mul(kc(K, K_Q + 2), b31));
    p0 = f64x2.add(f64x2.mul(p0, a0), f64x2.mul(kc(K, K_P + 4), b40));
    p1 = f64x2.add(f64x2.mul(p1, a1), f64x2.mul(kc(K, K_P + 4), b41));
    q0 = f64x2.add(f64x2.mul(q0, a0), f64x2.mul(kc(K, K_Q + 3), b40));
    q1 = f64x2.add(f64x2.mul(q1, a1), f64x2.mul(kc(K, K_Q + 3), b41));
    q0 = f64x2.add(f64x2.mul(q0, a0), f64x2.mul(kc(K, K_Q + 4), f64x2.mul(b40, b0)));
    q1 = f64x2.add(f64x2.mul(q1, a1), f64x2.mul(kc(K, K_Q + 4), f64x2.mul(b41, b1)));
    const e0 = f64x2.add(dd0, ss0);
    const e1 = f64x2.add(dd1, ss1);
    const dq0 = f64x2.mul(den0, q0);
    const dq1 = f64x2.mul(den1, q1);
    // the one division: w = 1/((D + S)·den·Q̃)
    const w0 = f64x2.div(kc(K, K_ONE), f64x2.mul(e0, dq0));
    const w1 = f64x2.div(kc(K, K_ONE), f64x2.mul(e1, dq1));
    const t0 = f64x2.mul(f64x2.mul(num0, f64x2.add(q0, f64x2.mul(a0, p0))), f64x2.mul(e0, w0));
    const t1 = f64x2.mul(f64x2.mul(num1, f64x2.add(q1, f64x2.mul(a1, p1))), f64x2.mul(e1, w1));
    const nu0 = f64x2.add(v128.and(kc(K, K_PIO4), mid0), f64x2.add(t0, v128.and(kc(K, K_HALF_MOREBITS), mid0)));
    const nu1 = f64x2.add(v128.and(kc(K, K_PIO4), mid1), f64x2.add(t1, v128.and(kc(K, K_HALF_MOREBITS), mid1)));
    const half0 = v128.bitselect(f64x2.add(f64x2.sub(kc(K, K_PIO2), nu0), kc(K, K_MOREBITS)), nu0, flip0);
    const half1 = v128.bitselect(f64x2.add(f64x2.sub(kc(K, K_PIO2), nu1), kc(K, K_MOREBITS)), nu1, flip1);
    const theta0 = f64x2.add(half0, half0);
    const theta1 = f64x2.add(half1, half1);
    const ie0 = f64x2.mul(dq0, w0); // 1/(D + S)
    const ie1 = f64x2.mul(dq1, w1);
    const st0 = f64x2.mul(f64x2.add(R0, R0), ie0);
    const st1 = f64x2.mul(f64x2.add(R1, R1), ie1);
    v128.store(D + o0, theta0);
    v128.store(D + o1, theta1);
    v128.store(S + o0, st0);
    v128.store(S + o1, st1);
    // g = sin θ − θ cos θ, which the series below replaces where θ < 1
    v128.store(G + o0, f64x2.sub(st0, f64x2.mul(theta0, f64x2.mul(f64x2.sub(ss0, dd0), ie0))));
    v128.store(G + o1, f64x2.sub(st1, f64x2.mul(theta1, f64x2.mul(f64x2.sub(ss1, dd1), ie1))));
  }
  for (let p = 0; p < n; p += 2) {
    const o = <usize>p << 3;
    const theta = v128.load(D + o);
    v128.store(G + o, v128.bitselect(gSeriesV(theta, K), v128.load(G + o), f64x2.lt(theta, kc(K, K_ONE))));
  }
}

// pairs i < q: m(m − 1)/2 + m·r, rounded up to a multiple of 4 for pairAngles
/**
 * θ, sin θ and g(θ) of n pairs of unit rows from their D = ‖x − y‖² (in place into θ) and
 * S = ‖x + y‖² (in place into sin θ), g into G: pairAngles, exported for its tests. D, S and
 * G need room for n rounded up to a multiple of 4 (the extra entries are overwritten); K is
 * 26 doubles of scratch for the constants.
 */
export function pairAnglesArray(n: i32, D: usize, S: usize, G: usize, K: usize): void {
  for (let k = n; k < ((n + 3) & ~3); k++) {
    store<f64>(D + (<usize>k << 3), 0);
    store<f64>(S + (<usize>k << 3), 1);
  }
  writePairAngleConstants(K);
  pairAngles(n, D, S, G, K);
}

@inline function angularPairCapacity(m: i32, r: i32): i32 {
  return (((m * (m - 1)) >> 1) + m * r + 3) & ~3;
}

/**
 * Row stride (doubles) of angularEvaluate's `units` block: d rounded up to even, so that every
 * row is whole f64x2 lanes. The pad lane is 0 in every row, so it adds nothing to a pair's
 * ‖ū − v̄‖², ‖ū + v̄‖² or to a product with the rows.
 */
export function angularStride(d: i32): i32 {
  return (d + 1) & ~1;
}

/**
 * Doubles of the `scratch` block that angularEvaluate needs for m students and r teachers:
 * pairAngles' constants, three arrays of one entry per pair (angularPairCapacity), the signed
 * norms s and f·s of the m + r rows, and the m × (m + r + 1) coefficient matrix.
 */
export function angularScratchDoubles(m: i32, r: i32): i32 {
  return K_COUNT + 3 * angularPairCapacity(m, r) + 2 * (m + r) + m * (m + r + 1);
}

/**
 * L(U, A) and, when asked, ∂L/∂U into gU and ∂L/∂A into gA (AngularPopulationLoss.evaluate's
 * formulas). `units` is (m + r + 1) rows of angularStride(d) doubles: the student unit vectors
 * ūᵢ (written here), the teacher's v̄ₙ (written once by the host) and ρ (written here), with e₁
 * standing for the direction of a zero row; vNorms, b, V the teacher; uNorms and scratch
 * (angularScratchDoubles(m, r)) are scratch.
 *
 * The gradient is formed as one small matrix product. With sₖ = aₖ‖uₖ‖ for a student row and
 * sₖ = −bₙ‖vₙ‖ for a teacher row, every pair term of L is 2βc·sᵢsₖ·g(θᵢₖ), and since
 * ∇ᵤψ(u, v) = ‖v‖(sin θ ū − θ v̄) (XD eq. 4) its gradient in uᵢ is f·aᵢsₖ(sin θᵢₖ ūᵢ − θᵢₖ ūₖ)
 * with f = 2βc, so
 *   ∂L/∂uᵢ = aᵢ·( Σₖ Cᵢₖ ūₖ + 2αc·ρ ),  Cᵢₖ = −f·sₖθᵢₖ (k ≠ i),  Cᵢᵢ = Σₖ f·sₖ sin θᵢₖ,
 * over every row k other than i (students and teachers). The pair pass only fills C; the
 * product C·[ū; v̄; ρ] then runs over whole rows with the accumulators in registers, instead of
 * two read-modify-write updates of a gradient row per pair.
 */
export function angularEvaluate(m: i32, r: i32, d: i32, wantGU: i32, wantGA: i32, alpha: f64, beta: f64, scale: f64, teacherPairSum: f64,
  U: usize, A: usize, units: usize, vNorms: usize, b: usize, V: usize, uNorms: usize, gU: usize, gA: usize, scratch: usize): f64 {
  const kp = angularStride(d);
  const rowBytes = <usize>d << 3; // rows of U, V, gU
  const unitBytes = <usize>kp << 3; // rows of units
  const n = m + r; // unit rows; ρ is row n
  const rho = units + <usize>n * unitBytes;
  for (let k = 0; k < kp; k += 2) v128.store(rho + (<usize>k << 3), splat(0));
  for (let i = 0; i < m; i++) {
    const ai = load<f64>(A + (<usize>i << 3));
    const av = splat(ai);
    const u = U + <usize>i * rowBytes;
    const un = units + <usize>i * unitBytes;
    let sv = splat(0);
    let k = 0;
    for (; k + 2 <= d; k += 2) {
      const o = <usize>k << 3;
      const x = v128.load(u + o);
      sv = f64x2.add(sv, f64x2.mul(x, x));
      v128.store(rho + o, f64x2.add(v128.load(rho + o), f64x2.mul(av, x)));
    }
    let s = f64x2.extract_lane(sv, 0) + f64x2.extract_lane(sv, 1);
    if (k < d) {
      const o = <usize>k << 3;
      const x = load<f64>(u + o);
      s += x * x;
      store<f64>(rho + o, load<f64>(rho + o) + ai * x);
    }
    const nrm = Math.sqrt(s);
    store<f64>(uNorms + (<usize>i << 3), nrm);
    const inv = nrm > 0 ? 1 / nrm : 0;
    const iv = splat(inv);
    for (k = 0; k + 2 <= d; k += 2) {
      const o = <usize>k << 3;
      v128.store(un + o, f64x2.mul(v128.load(u + o), iv));
    }
    if (k < d) {
      const o = <usize>k << 3;
      v128.store(un + o, f64x2.replace_lane(splat(0), 0, load<f64>(u + o) * inv)); // and the pad lane
    }
    // A zero row's direction is arbitrary: e₁ keeps its pair angles finite (two zero rows would
    // give D = S = 0), and its s = aᵢ·0 = 0 removes every term it enters.
    if (nrm == 0) store<f64>(un, 1);
  }
  for (let nn = 0; nn < r; nn++) {
    const bn = load<f64>(b + (<usize>nn << 3));
    const bv = splat(bn);
    const v = V + <usize>nn * rowBytes;
    let k = 0;
    for (; k + 2 <= d; k += 2) {
      const o = <usize>k << 3;
      v128.store(rho + o, f64x2.sub(v128.load(rho + o), f64x2.mul(bv, v128.load(v + o))));
    }
    if (k < d) {
      const o = <usize>k << 3;
      store<f64>(rho + o, load<f64>(rho + o) - bn * load<f64>(v + o));
    }
  }
  let r2 = splat(0);
  for (let k = 0; k < kp; k += 2) {
    const x = v128.load(rho + (<usize>k << 3));
    r2 = f64x2.add(r2, f64x2.mul(x, x));
  }
  const rho2 = f64x2.extract_lane(r2, 0) + f64x2.extract_lane(r2, 1);
  if (wantGA) {
    for (let i = 0; i < m; i++) {
      const u = U + <usize>i * rowBytes;
      let s: f64 = 0;
      for (let k = 0; k < d; k++) s += load<f64>(u + (<usize>k << 3)) * load<f64>(rho + (<usize>k << 3));
      store<f64>(gA + (<usize>i << 3), 2 * alpha * scale * s);
    }
  }
  const cap = angularPairCapacity(m, r);
  const K = scratch; // pairAngles' constants
  const PD = K + (<usize>K_COUNT << 3);
  const PS = PD + (<usize>cap << 3);
  const PG = PS + (<usize>cap << 3);
  const SW = PG + (<usize>cap << 3); // sₖ
  const FSW = SW + (<usize>n << 3); // f·sₖ
  const C = FSW + (<usize>n << 3); // m rows of n + 1
  const cBytes = <usize>(n + 1) << 3;
  let pairSum = teacherPairSum;
  if (beta == 0) {
    // no pair terms (the linear activation): ∂L/∂uᵢ = 2αc·aᵢρ directly, no product
    if (wantGU)
      for (let i = 0; i < m; i++) {
        const fa = splat(2 * alpha * load<f64>(A + (<usize>i << 3)) * scale);
        const g = gU + <usize>i * rowBytes;
        let k = 0;
        for (; k + 2 <= d; k += 2) v128.store(g + (<usize>k << 3), f64x2.mul(fa, v128.load(rho + (<usize>k << 3))));
        if (k < d) store<f64>(g + (<usize>k << 3), f64x2.extract_lane(fa, 0) * load<f64>(rho + (<usize>k << 3)));
      }
    return scale * (alpha * rho2 + 2 * beta * pairSum);
  } else {
    const f = 2 * beta * scale;
    for (let i = 0; i < m; i++) {
      const s = load<f64>(A + (<usize>i << 3)) * load<f64>(uNorms + (<usize>i << 3));
      store<f64>(SW + (<usize>i << 3), s);
      store<f64>(FSW + (<usize>i << 3), f * s);
    }
    for (let nn = 0; nn < r; nn++) {
      const s = -load<f64>(b + (<usize>nn << 3)) * load<f64>(vNorms + (<usize>nn << 3));
      store<f64>(SW + (<usize>(m + nn) << 3), s);
      store<f64>(FSW + (<usize>(m + nn) << 3), f * s);
    }
    // ‖ū − v̄‖² and ‖ū + v̄‖² of every pair i < q in order, two partners q at a time (their
    // lane sums by one shuffle and add). A zero row has s = 0 (its unit row is e₁, see above),
    // so its terms vanish without a branch here.
    let np = 0;
    for (let i = 0; i < m; i++) {
      const ui = units + <usize>i * unitBytes;
      let q = i + 1;
      for (; q + 2 <= n; q += 2) {
        const u0 = units + <usize>q * unitBytes;
        const u1 = u0 + unitBytes;
        let d0 = splat(0);
        let s0 = splat(0);
        let d1 = splat(0);
        let s1 = splat(0);
        for (let k = 0; k < kp; k += 2) {
          const o = <usize>k << 3;
          const x = v128.load(ui + o);
          const y0 = v128.load(u0 + o);
          const y1 = v128.load(u1 + o);
          const df0 = f64x2.sub(x, y0);
          const sm0 = f64x2.add(x, y0);
          const df1 = f64x2.sub(x, y1);
          const sm1 = f64x2.add(x, y1);
          d0 = f64x2.add(d0, f64x2.mul(df0, df0));
          s0 = f64x2.add(s0, f64x2.mul(sm0, sm0));
          d1 = f64x2.add(d1, f64x2.mul(df1, df1));
          s1 = f64x2.add(s1, f64x2.mul(sm1, sm1));
        }
        const o = <usize>np << 3;
        v128.store(PD + o, f64x2.add(v128.shuffle<f64>(d0, d1, 0, 2), v128.shuffle<f64>(d0, d1, 1, 3)));
        v128.store(PS + o, f64x2.add(v128.shuffle<f64>(s0, s1, 0, 2), v128.shuffle<f64>(s0, s1, 1, 3)));
        np += 2;
      }
      if (q < n) {
        const uq = units + <usize>q * unitBytes;
        let dv = splat(0);
        let sv = splat(0);
        for (let k = 0; k < kp; k += 2) {
          const o = <usize>k << 3;
          const x = v128.load(ui + o);
          const y = v128.load(uq + o);
          const df = f64x2.sub(x, y);
          const sm = f64x2.add(x, y);
          dv = f64x2.add(dv, f64x2.mul(df, df));
          sv = f64x2.add(sv, f64x2.mul(sm, sm));
        }
        store<f64>(PD + (<usize>np << 3), f64x2.extract_lane(dv, 0) + f64x2.extract_lane(dv, 1));
        store<f64>(PS + (<usize>np << 3), f64x2.extract_lane(sv, 0) + f64x2.extract_lane(sv, 1));
        np++;
      }
    }
    // every pair's angle at once: the vector atan's passes are independent of each other
    for (let k = np; k < ((np + 3) & ~3); k++) {
      store<f64>(PD + (<usize>k << 3), 0); // a harmless pair (θ = 0) for the last pass
      store<f64>(PS + (<usize>k << 3), 1);
    }
    writePairAngleConstants(K);
    pairAngles(np, PD, PS, PG, K);
    // The loss terms sᵢsₖ·g, and C (and ∂L/∂aᵢ) from θ, sin θ, g. Row i's partners q > i are
    // consecutive pairs, so its own row of C (−f·s_q·θ), its diagonal (Σ f·s_q sin θ) and its
    // loss terms (sᵢ·Σ s_q·g) are taken two partners at a time; the pair's entries in a student
    // partner's row (C[q][i] and C[q][q]) are scattered one at a time. Every entry of C off the
    // diagonal is written here.
    if (wantGU)
      for (let i = 0; i < m; i++) {
        const ci = C + <usize>i * cBytes;
        store<f64>(ci + (<usize>i << 3), 0);
        store<f64>(ci + (<usize>n << 3), 2 * alpha * scale);
      }
    let p = 0;
    for (let i = 0; i < m; i++) {
      const si = load<f64>(SW + (<usize>i << 3));
      const fsi = load<f64>(FSW + (<usize>i << 3));
      const ci = C + <usize>i * cBytes;
      const p0 = p;
      let lossV = splat(0);
      let diagV = splat(0);
      let q = i + 1;
      for (; q + 2 <= n; q += 2) {
        const o = <usize>p << 3;
        const qo = <usize>q << 3;
        const fsq = v128.load(FSW + qo);
        lossV = f64x2.add(lossV, f64x2.mul(v128.load(SW + qo), v128.load(PG + o)));
        if (wantGU) {
          v128.store(ci + qo, f64x2.neg(f64x2.mul(fsq, v128.load(PD + o))));
          diagV = f64x2.add(diagV, f64x2.mul(fsq, v128.load(PS + o)));
        }
        p += 2;
      }
      let rowLoss = f64x2.extract_lane(lossV, 0) + f64x2.extract_lane(lossV, 1);
      let diag = f64x2.extract_lane(diagV, 0) + f64x2.extract_lane(diagV, 1);
      if (q < n) {
        const o = <usize>p << 3;
        const qo = <usize>q << 3;
        const fsq = load<f64>(FSW + qo);
        rowLoss += load<f64>(SW + qo) * load<f64>(PG + o);
        if (wantGU) {
          store<f64>(ci + qo, -fsq * load<f64>(PD + o));
          diag += fsq * load<f64>(PS + o);
        }
        p++;
      }
      pairSum += si * rowLoss;
      if (wantGU) {
        store<f64>(ci + (<usize>i << 3), load<f64>(ci + (<usize>i << 3)) + diag);
        for (let k = i + 1, pk = p0; k < m; k++, pk++) {
          const ck = C + <usize>k * cBytes;
          store<f64>(ck + (<usize>i << 3), -fsi * load<f64>(PD + (<usize>pk << 3)));
          store<f64>(ck + (<usize>k << 3), load<f64>(ck + (<usize>k << 3)) + fsi * load<f64>(PS + (<usize>pk << 3)));
        }
      }
      if (wantGA) {
        // ∂/∂aᵢ of 2βc·sᵢs_q·g is f·‖uᵢ‖s_q·g, and f·‖u_q‖sᵢ·g for a student partner
        const ni = load<f64>(uNorms + (<usize>i << 3));
        for (let k = i + 1, pk = p0; k < n; k++, pk++) {
          const g = load<f64>(PG + (<usize>pk << 3));
          store<f64>(gA + (<usize>i << 3), load<f64>(gA + (<usize>i << 3)) + ni * load<f64>(FSW + (<usize>k << 3)) * g);
          if (k < m) store<f64>(gA + (<usize>k << 3), load<f64>(gA + (<usize>k << 3)) + load<f64>(uNorms + (<usize>k << 3)) * fsi * g);
        }
      }
    }
    // a zero student row has no gradient from the pairs (ψ is not differentiable there; the
    // straightforward path skips it): its row of C is the ρ column alone
    if (wantGU)
      for (let i = 0; i < m; i++) {
        if (load<f64>(uNorms + (<usize>i << 3)) != 0) continue;
        const ci = C + <usize>i * cBytes;
        for (let q = 0; q < n; q++) store<f64>(ci + (<usize>q << 3), 0);
      }
  }
  if (wantGU) angularGradientProduct(m, n + 1, d, kp, C, units, A, gU);
  return scale * (alpha * rho2 + 2 * beta * pairSum);
}

// gU row i = aᵢ·Σ_q C[i][q]·X[q] for the L = n + 1 rows X of `units` (stride kp) and gU rows of
// d: four f64x2 column blocks at a time while they fit in d, then one, then d's odd last entry
function angularGradientProduct(m: i32, L: i32, d: i32, kp: i32, C: usize, X: usize, A: usize, gU: usize): void {
  const xBytes = <usize>kp << 3;
  const cBytes = <usize>L << 3;
  for (let i = 0; i < m; i++) {
    const ci = C + <usize>i * cBytes;
    const av = v128.load64_splat(A + (<usize>i << 3));
    const g = gU + <usize>i * (<usize>d << 3);
    let k = 0;
    for (; k + 8 <= d; k += 8) {
      let a0 = splat(0);
      let a1 = splat(0);
      let a2 = splat(0);
      let a3 = splat(0);
      let x = X + (<usize>k << 3);
      for (let q = 0; q < L; q++) {
        const c = v128.load64_splat(ci + (<usize>q << 3));
        a0 = f64x2.add(a0, f64x2.mul(c, v128.load(x)));
        a1 = f64x2.add(a1, f64x2.mul(c, v128.load(x + 16)));
        a2 = f64x2.add(a2, f64x2.mul(c, v128.load(x + 32)));
        a3 = f64x2.add(a3, f64x2.mul(c, v128.load(x + 48)));
        x += xBytes;
      }
      const o = <usize>k << 3;
      v128.store(g + o, f64x2.mul(av, a0));
      v128.store(g + o + 16, f64x2.mul(av, a1));
      v128.store(g + o + 32, f64x2.mul(av, a2));
      v128.store(g + o + 48, f64x2.mul(av, a3));
    }
    for (; k < d; k += 2) {
      let a0 = splat(0);
      let x = X + (<usize>k << 3);
      for (let q = 0; q < L; q++) {
        a0 = f64x2.add(a0, f64x2.mul(v128.load64_splat(ci + (<usize>q << 3)), v128.load(x)));
        x += xBytes;
      }
      const o = <usize>k << 3;
      const gv = f64x2.mul(av, a0);
      if (k + 2 <= d) v128.store(g + o, gv);
      else store<f64>(g + o, f64x2.extract_lane(gv, 0));
    }
  }
}

// ---- Quadratic empirical loss through the sample's moments: QuadraticMomentLoss.evaluate ----

/** x[0..n) += c·y[0..n) */
@inline function axpy(x: usize, y: usize, c: f64, n: i32): void {
  const cv = f64x2.splat(c);
  let k = 0;
  for (; k + 2 <= n; k += 2) {
    const o = (<usize>k) << 3;
    v128.store(x + o, f64x2.add(v128.load(x + o), f64x2.mul(cv, v128.load(y + o))));
  }
  if (k < n) {
    const o = (<usize>k) << 3;
    store<f64>(x + o, load<f64>(x + o) + c * load<f64>(y + o));
  }
}

/**
 * L(U, A) = s·(δᵀPδ + 2Bᵀδ + Σε²) with δ = packed(M − M*) (off-diagonals doubled),
 * M = Σ aᵢuᵢuᵢᵀ; when asked, ∂L/∂uᵢ = 2aᵢGuᵢ into gU and ∂L/∂aᵢ = uᵢᵀGuᵢ into gA, with
 * G = 2s·unpack(Pδ + B). MstarPacked is M*'s upper triangle row by row (p = d(d + 1)/2);
 * delta, Pd (p), G (d×d) and Gu (d) are scratch.
 */
export function quadraticMomentEvaluate(
  m: i32,
  d: i32,
  U: usize,
  A: usize,
  MstarPacked: usize,
  P: usize,
  B: usize,
  delta: usize,
  Pd: usize,
  G: usize,
  Gu: usize,
  gU: usize,
  gA: usize,
  wantGU: i32,
  wantGA: i32,
  factor: f64,
  epsSq: f64,
): f64 {
  const p = (d * (d + 1)) >> 1;
  const rowBytes = (<usize>d) << 3;
  for (let k = 0; k < p; k++) store<f64>(delta + ((<usize>k) << 3), -load<f64>(MstarPacked + ((<usize>k) << 3)));
  for (let i = 0; i < m; i++) {
    const ai = load<f64>(A + ((<usize>i) << 3));
    const u = U + <usize>i * rowBytes;
    let idx = 0;
    for (let a = 0; a < d; a++) {
      const ua = ai * load<f64>(u + ((<usize>a) << 3));
      axpy(delta + ((<usize>idx) << 3), u + ((<usize>a) << 3), ua, d - a);
      idx += d - a;
    }
  }
  let idx = 0;
  for (let a = 0; a < d; a++) {
    idx++;
    for (let b = a + 1; b < d; b++) {
      const o = delta + ((<usize>idx) << 3);
      store<f64>(o, 2 * load<f64>(o));
      idx++;
    }
  }
  matVec(p, P, delta, Pd);
  let quad: f64 = 0;
  let lin: f64 = 0;
  for (let k = 0; k < p; k++) {
    const o = (<usize>k) << 3;
    const dk = load<f64>(delta + o);
    quad += dk * load<f64>(Pd + o);
    lin += load<f64>(B + o) * dk;
  }
  const loss = factor * (quad + 2 * lin + epsSq);
  if (wantGU || wantGA) {
    const s2 = 2 * factor;
    idx = 0;
    for (let a = 0; a < d; a++) {
      for (let b = a; b < d; b++) {
        const o = (<usize>idx) << 3;
        const g = s2 * (load<f64>(Pd + o) + load<f64>(B + o));
        store<f64>(G + ((<usize>(a * d + b)) << 3), g);
        store<f64>(G + ((<usize>(b * d + a)) << 3), g);
        idx++;
      }
    }
    for (let i = 0; i < m; i++) {
      const u = U + <usize>i * rowBytes;
      for (let a = 0; a < d; a++) store<f64>(Gu + ((<usize>a) << 3), 0);
      for (let b = 0; b < d; b++) axpy(Gu, G + <usize>b * rowBytes, load<f64>(u + ((<usize>b) << 3)), d);
      const ai2 = 2 * load<f64>(A + ((<usize>i) << 3));
      let uGu: f64 = 0;
      for (let a = 0; a < d; a++) {
        const o = (<usize>a) << 3;
        const gua = load<f64>(Gu + o);
        uGu += load<f64>(u + o) * gua;
        if (wantGU) store<f64>(gU + <usize>i * rowBytes + o, ai2 * gua);
      }
      if (wantGA) store<f64>(gA + ((<usize>i) << 3), uGu);
    }
  }
  // the quadratic form can round to a tiny negative value at an exact optimum
  return loss < 0 ? 0 : loss; // (NaN stays NaN: divergence is detected from it)
}

/**
 * Up to `steps` gradient-descent steps U ← U − η∇ᵤL on the angular population loss, in place,
 * with the arithmetic of the engine's own loop (θ[k] −= η·g[k]) so the result is the same to
 * the bit. Stops before updating at a step whose loss is not ≤ stopAbove (divergence, NaN) or
 * is ≤ stopAtOrBelow (early stop), and returns the number of completed steps; the host then
 * takes that step itself. Arguments after `stopAtOrBelow` are those of angularEvaluate.
 */
export function angularGradientDescent(
  steps: i32,
  eta: f64,
  stopAbove: f64,
  stopAtOrBelow: f64,
  m: i32,
  r: i32,
  d: i32,
  alpha: f64,
  beta: f64,
  scale: f64,
  teacherPairSum: f64,
  U: usize,
  A: usize,
  units: usize,
  vNorms: usize,
  b: usize,
  V: usize,
  uNorms: usize,
  gU: usize,
  scratch: usize,
): i32 {
  const n = m * d;
  const etaV = f64x2.splat(eta);
  for (let s = 0; s < steps; s++) {
    const L = angularEvaluate(m, r, d, 1, 0, alpha, beta, scale, teacherPairSum, U, A, units, vNorms, b, V, uNorms, gU, 0, scratch);
    if (!(L <= stopAbove) || L <= stopAtOrBelow) return s;
    let k = 0;
    for (; k + 2 <= n; k += 2) {
      const o = (<usize>k) << 3;
      v128.store(U + o, f64x2.sub(v128.load(U + o), f64x2.mul(etaV, v128.load(gU + o))));
    }
    if (k < n) {
      const o = (<usize>k) << 3;
      store<f64>(U + o, load<f64>(U + o) - eta * load<f64>(gU + o));
    }
  }
  return steps;
}

// ---- Dense matrix product C = op(A)·op(B): WasmGemm (src/core/linalg/wasmGemm.ts) ----
// BLIS-style: C is computed in KC-deep slices; for each slice a GEMM_NC-wide block of op(B) is
// packed into GEMM_NR-column micro-panels (k-major, GEMM_NR values per k) and a GEMM_MC-tall
// block of op(A) into GEMM_MR-row micro-panels, both zero-padded to whole panels; a register
// micro-kernel then multiplies one A micro-panel by one B micro-panel (a GEMM_MR×GEMM_NR tile
// of C held in f64x2 accumulators). The B micro-panel (KC·NR doubles) stays in L1 across the
// MC/MR micro-kernels that use it, the packed A block in L2, the packed B block in L3.
// WebAssembly SIMD has no fused multiply-add, so each k costs a mul and an add per f64x2.

const GEMM_MR = 4;
const GEMM_NR = 4;
const GEMM_KC = 256;
const GEMM_MC = 64;
const GEMM_NC = 1024;

/** Bytes of scratch (packed blocks and one edge tile) that gemm needs at `work`. */
export function gemmWorkBytes(): i32 {
  return (GEMM_MC * GEMM_KC + GEMM_KC * GEMM_NC + GEMM_MR * GEMM_NR) << 3;
}

// A[i, k] of op(A) is at A + (i·rs + k·cs)·8: rows i0..i0+mc, depth k0..k0+kc, into micro-panels
function gemmPackA(A: usize, rs: i32, cs: i32, i0: i32, mc: i32, k0: i32, kc: i32, dst: usize): void {
  for (let p = 0; p < mc; p += GEMM_MR) {
    const rows = min(GEMM_MR, mc - p);
    const base = dst + (<usize>(p * kc) << 3);
    for (let r = 0; r < GEMM_MR; r++) {
      const out = base + (<usize>r << 3);
      if (r < rows) {
        let src = A + (<usize>((i0 + p + r) * rs + k0 * cs) << 3);
        const step = <usize>cs << 3;
        for (let k = 0; k < kc; k++) {
          store<f64>(out + (<usize>(k * GEMM_MR) << 3), load<f64>(src));
          src += step;
        }
      } else {
        for (let k = 0; k < kc; k++) store<f64>(out + (<usize>(k * GEMM_MR) << 3), 0);
      }
    }
  }
}

// B[k, j] of op(B) is at B + (k·rs + j·cs)·8: depth k0..k0+kc, columns j0..j0+nc
function gemmPackB(B: usize, rs: i32, cs: i32, k0: i32, kc: i32, j0: i32, nc: i32, dst: usize): void {
  for (let p = 0; p < nc; p += GEMM_NR) {
    const cols = min(GEMM_NR, nc - p);
    const base = dst + (<usize>(p * kc) << 3);
    if (cols == GEMM_NR && cs == 1) {
      let src = B + (<usize>(k0 * rs + j0 + p) << 3);
      const step = <usize>rs << 3;
      for (let k = 0; k < kc; k++) {
        const out = base + (<usize>(k * GEMM_NR) << 3);
        v128.store(out, v128.load(src));
        v128.store(out, v128.load(src, 16), 16);
        src += step;
      }
      continue;
    }
    for (let c = 0; c < GEMM_NR; c++) {
      const out = base + (<usize>c << 3);
      if (c < cols) {
        let src = B + (<usize>(k0 * rs + (j0 + p + c) * cs) << 3);
        const step = <usize>rs << 3;
        for (let k = 0; k < kc; k++) {
          store<f64>(out + (<usize>(k * GEMM_NR) << 3), load<f64>(src));
          src += step;
        }
      } else {
        for (let k = 0; k < kc; k++) store<f64>(out + (<usize>(k * GEMM_NR) << 3), 0);
      }
    }
  }
}

// The 4×4 tile C[0..4, 0..4] (row stride ldc bytes) = (accumulate ? C : 0) + Ap·Bp over kc.
// Kept a separate function so that V8's optimizing tier replaces it early (a running
// baseline-compiled frame is never replaced, and gemm itself runs once per product).
function gemmMicro4x4(kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, accumulate: i32): void {
  let c00 = f64x2.splat(0);
  let c01 = f64x2.splat(0);
  let c10 = f64x2.splat(0);
  let c11 = f64x2.splat(0);
  let c20 = f64x2.splat(0);
  let c21 = f64x2.splat(0);
  let c30 = f64x2.splat(0);
  let c31 = f64x2.splat(0);
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    const a0 = v128.load64_splat(pa);
    c00 = f64x2.add(c00, f64x2.mul(a0, b0));
    c01 = f64x2.add(c01, f64x2.mul(a0, b1));
    const a1 = v128.load64_splat(pa, 8);
    c10 = f64x2.add(c10, f64x2.mul(a1, b0));
    c11 = f64x2.add(c11, f64x2.mul(a1, b1));
    const a2 = v128.load64_splat(pa, 16);
    c20 = f64x2.add(c20, f64x2.mul(a2, b0));
    c21 = f64x2.add(c21, f64x2.mul(a2, b1));
    const a3 = v128.load64_splat(pa, 24);
    c30 = f64x2.add(c30, f64x2.mul(a3, b0));
    c31 = f64x2.add(c31, f64x2.mul(a3, b1));
    pa += 32;
    pb += 32;
  }
  const r1 = c + ldc;
  const r2 = r1 + ldc;
  const r3 = r2 + ldc;
  if (accumulate) {
    c00 = f64x2.add(c00, v128.load(c));
    c01 = f64x2.add(c01, v128.load(c, 16));
    c10 = f64x2.add(c10, v128.load(r1));
    c11 = f64x2.add(c11, v128.load(r1, 16));
    c20 = f64x2.add(c20, v128.load(r2));
    c21 = f64x2.add(c21, v128.load(r2, 16));
    c30 = f64x2.add(c30, v128.load(r3));
    c31 = f64x2.add(c31, v128.load(r3, 16));
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(r1, c10);
  v128.store(r1, c11, 16);
  v128.store(r2, c20);
  v128.store(r2, c21, 16);
  v128.store(r3, c30);
  v128.store(r3, c31, 16);
}

/**
 * C (M×N, row-major, at C) = op(A)·op(B), overwriting C. op(A) is M×K: A stored M×K, or K×M
 * when transA; op(B) is K×N: B stored K×N, or N×K when transB. `work` points to
 * gemmWorkBytes() of scratch. Sums over k run in increasing k within each KC slice, slices
 * added in order: the rounding differs from a plain dot product only in that grouping.
 */
export function gemm(transA: i32, transB: i32, M: i32, N: i32, K: i32, A: usize, B: usize, C: usize, work: usize): void {
  const ldc = <usize>N << 3;
  if (K == 0) {
    for (let i = 0; i < M * N; i++) store<f64>(C + (<usize>i << 3), 0);
    return;
  }
  const rsA = transA ? 1 : K;
  const csA = transA ? M : 1;
  const rsB = transB ? 1 : N;
  const csB = transB ? K : 1;
  const packA = work;
  const packB = packA + (<usize>(GEMM_MC * GEMM_KC) << 3);
  const tile = packB + (<usize>(GEMM_KC * GEMM_NC) << 3);
  for (let j0 = 0; j0 < N; j0 += GEMM_NC) {
    const nc = min(GEMM_NC, N - j0);
    for (let k0 = 0; k0 < K; k0 += GEMM_KC) {
      const kc = min(GEMM_KC, K - k0);
      const acc = k0 > 0 ? 1 : 0;
      gemmPackB(B, rsB, csB, k0, kc, j0, nc, packB);
      for (let i0 = 0; i0 < M; i0 += GEMM_MC) {
        const mc = min(GEMM_MC, M - i0);
        gemmPackA(A, rsA, csA, i0, mc, k0, kc, packA);
        for (let jr = 0; jr < nc; jr += GEMM_NR) {
          const nr = min(GEMM_NR, nc - jr);
          const pb = packB + (<usize>(jr * kc) << 3);
          for (let ir = 0; ir < mc; ir += GEMM_MR) {
            const mr = min(GEMM_MR, mc - ir);
            const pa = packA + (<usize>(ir * kc) << 3);
            const c = C + <usize>(i0 + ir) * ldc + (<usize>(j0 + jr) << 3);
            if (mr == GEMM_MR && nr == GEMM_NR) {
              gemmMicro4x4(kc, pa, pb, c, ldc, acc);
            } else {
              gemmMicro4x4(kc, pa, pb, tile, GEMM_NR << 3, 0);
              for (let r = 0; r < mr; r++)
                for (let q = 0; q < nr; q++) {
                  const t = load<f64>(tile + (<usize>(r * GEMM_NR + q) << 3));
                  const o = c + <usize>r * ldc + (<usize>q << 3);
                  store<f64>(o, acc ? load<f64>(o) + t : t);
                }
            }
          }
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The empirical loss's elementwise pass (issue 11: DU at BLAS parity). Between its two matrix
// products (Z = X·Wᵀ, then ∇W = Cᵀ·X) the loss needs, per sample row k of Z (N × m, row-major):
// fₖ = Σᵢ aᵢσ(zₖᵢ), eₖ = fₖ − yₖ, the row's share of ∂L/∂aᵢ (2s·eₖσ(zₖᵢ)) and the gradient
// coefficients Cₖᵢ = 2s·eₖaᵢσ′(zₖᵢ) written over zₖᵢ. Z lives in this instance's memory, so the
// products read and write it in place and the pass runs two entries per instruction.
// Activation codes (Activation.elementwiseKernel): 0 ReLU, 1 |·|, 2 linear, 3 quadratic —
// the same σ and σ′ as src/core/activations/*.ts, entry for entry.

@inline
function rowValue2(kind: i32, z: v128): v128 {
  if (kind == 0) return f64x2.mul(f64x2.add(z, f64x2.abs(z)), f64x2.splat(0.5));
  if (kind == 1) return f64x2.abs(z);
  if (kind == 2) return z;
  return f64x2.mul(z, z);
}

@inline
function rowDerivative2(kind: i32, z: v128): v128 {
  const zero = f64x2.splat(0);
  if (kind == 0) return v128.and(f64x2.gt(z, zero), f64x2.splat(1));
  if (kind == 1)
    return v128.or(
      v128.and(f64x2.gt(z, zero), f64x2.splat(1)),
      v128.and(f64x2.lt(z, zero), f64x2.splat(-1)),
    );
  if (kind == 2) return f64x2.splat(1);
  return f64x2.mul(z, f64x2.splat(2));
}

@inline
function rowValue1(kind: i32, z: f64): f64 {
  if (kind == 0) return 0.5 * (z + Math.abs(z));
  if (kind == 1) return Math.abs(z);
  if (kind == 2) return z;
  return z * z;
}

@inline
function rowDerivative1(kind: i32, z: f64): f64 {
  if (kind == 0) return z > 0 ? 1 : 0;
  if (kind == 1) return z > 0 ? 1 : z < 0 ? -1 : 0;
  if (kind == 2) return 1;
  return 2 * z;
}

/**
 * The pass described above over rows 0..n of Z (byte offsets; A, gA: m doubles; y, residual:
 * n doubles). Writes residual[k] = eₖ; adds 2s·eₖσ(zₖᵢ) into gA when wantGA; overwrites Z with
 * C when wantCoef. Returns Σₖ eₖ². fₖ is summed in two lanes (even and odd i), then the tail.
 */
export function empiricalRowPass(
  kind: i32, n: i32, m: i32, Z: usize, A: usize, y: usize, residual: usize, twoS: f64,
  wantCoef: i32, wantGA: i32, gA: usize,
): f64 {
  let total: f64 = 0;
  const m2 = m & ~1;
  for (let k = 0; k < n; k++) {
    const row = Z + (<usize>k * <usize>m << 3);
    let acc = f64x2.splat(0);
    let i = 0;
    for (; i < m2; i += 2) {
      const o = <usize>i << 3;
      acc = f64x2.add(acc, f64x2.mul(v128.load(A + o), rowValue2(kind, v128.load(row + o))));
    }
    let f = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
    for (; i < m; i++) {
      const o = <usize>i << 3;
      f += load<f64>(A + o) * rowValue1(kind, load<f64>(row + o));
    }
    const e = f - load<f64>(y + (<usize>k << 3));
    store<f64>(residual + (<usize>k << 3), e);
    total += e * e;
    const e2 = twoS * e;
    const e2v = f64x2.splat(e2);
    if (wantGA) {
      i = 0;
      for (; i < m2; i += 2) {
        const o = <usize>i << 3;
        const g = v128.load(gA + o);
        v128.store(gA + o, f64x2.add(g, f64x2.mul(e2v, rowValue2(kind, v128.load(row + o)))));
      }
      for (; i < m; i++) {
        const o = <usize>i << 3;
        store<f64>(gA + o, load<f64>(gA + o) + e2 * rowValue1(kind, load<f64>(row + o)));
      }
    }
    if (wantCoef) {
      i = 0;
      for (; i < m2; i += 2) {
        const o = <usize>i << 3;
        const z = v128.load(row + o);
        v128.store(row + o, f64x2.mul(f64x2.mul(e2v, v128.load(A + o)), rowDerivative2(kind, z)));
      }
      for (; i < m; i++) {
        const o = <usize>i << 3;
        const z = load<f64>(row + o);
        store<f64>(row + o, e2 * load<f64>(A + o) * rowDerivative1(kind, z));
      }
    }
  }
  return total;
}
