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

@inline function gSeries(theta: f64): f64 {
  const t2 = theta * theta;
  const t4 = t2 * t2;
  const t8 = t4 * t4;
  const p = (G1 + G2 * t2) + t4 * (G3 + G4 * t2) + t8 * ((G5 + G6 * t2) + t4 * (G7 + G8 * t2) + t8 * (G9 + G10 * t2));
  return theta * t2 * p;
}

let pairTheta: f64 = 0;
let pairSin: f64 = 0;

// g(θ) between unit rows at byte addresses x, y (length d); sets pairTheta, pairSin
@inline function unitPairG(x: usize, y: usize, d: i32): f64 {
  let dv = f64x2.splat(0);
  let sv = f64x2.splat(0);
  let k = 0;
  for (; k + 2 <= d; k += 2) {
    const o = <usize>k << 3;
    const a = v128.load(x + o);
    const b = v128.load(y + o);
    const df = f64x2.sub(a, b);
    const sm = f64x2.add(a, b);
    dv = f64x2.add(dv, f64x2.mul(df, df));
    sv = f64x2.add(sv, f64x2.mul(sm, sm));
  }
  let diff = f64x2.extract_lane(dv, 0) + f64x2.extract_lane(dv, 1);
  let sum = f64x2.extract_lane(sv, 0) + f64x2.extract_lane(sv, 1);
  if (k < d) {
    const o = <usize>k << 3;
    const a = load<f64>(x + o);
    const b = load<f64>(y + o);
    diff += (a - b) * (a - b);
    sum += (a + b) * (a + b);
  }
  let theta = Math.PI;
  let st: f64 = 0;
  let g = Math.PI;
  if (sum > 0) {
    const tau2 = diff / sum;
    const tau = Math.sqrt(tau2);
    theta = 2 * Math.atan(tau);
    st = (2 * tau) / (1 + tau2);
    g = theta < 1 ? gSeries(theta) : st - (theta * (1 - tau2)) / (1 + tau2);
  }
  pairTheta = theta;
  pairSin = st;
  return g;
}

// gU[row x] += c1 * units[x] + c2 * units[y]
@inline function axpy2(g: usize, x: usize, y: usize, c1: f64, c2: f64, d: i32): void {
  const v1 = f64x2.splat(c1);
  const v2 = f64x2.splat(c2);
  let k = 0;
  for (; k + 2 <= d; k += 2) {
    const o = <usize>k << 3;
    v128.store(g + o, f64x2.add(v128.load(g + o), f64x2.add(f64x2.mul(v1, v128.load(x + o)), f64x2.mul(v2, v128.load(y + o)))));
  }
  if (k < d) {
    const o = <usize>k << 3;
    store<f64>(g + o, load<f64>(g + o) + c1 * load<f64>(x + o) + c2 * load<f64>(y + o));
  }
}

/**
 * L(U, A) and, when asked, ∂L/∂U into gU and ∂L/∂A into gA. `units` holds (m + r)×d rows: the
 * student unit vectors (written here) then the teacher's (written once by the host); vNorms,
 * b, V the teacher; uNorms, rho scratch.
 */
export function angularEvaluate(m: i32, r: i32, d: i32, wantGU: i32, wantGA: i32, alpha: f64, beta: f64, scale: f64, teacherPairSum: f64,
  U: usize, A: usize, units: usize, vNorms: usize, b: usize, V: usize, uNorms: usize, rho: usize, gU: usize, gA: usize): f64 {
  const rowBytes = <usize>d << 3;
  for (let k = 0; k < d; k++) store<f64>(rho + (<usize>k << 3), 0);
  for (let i = 0; i < m; i++) {
    const ai = load<f64>(A + (<usize>i << 3));
    const u = U + <usize>i * rowBytes;
    const un = units + <usize>i * rowBytes;
    let s: f64 = 0;
    for (let k = 0; k < d; k++) {
      const x = load<f64>(u + (<usize>k << 3));
      s += x * x;
      store<f64>(rho + (<usize>k << 3), load<f64>(rho + (<usize>k << 3)) + ai * x);
    }
    const n = Math.sqrt(s);
    store<f64>(uNorms + (<usize>i << 3), n);
    const inv = n > 0 ? 1 / n : 0;
    for (let k = 0; k < d; k++) store<f64>(un + (<usize>k << 3), load<f64>(u + (<usize>k << 3)) * inv);
  }
  for (let nn = 0; nn < r; nn++) {
    const bn = load<f64>(b + (<usize>nn << 3));
    const v = V + <usize>nn * rowBytes;
    for (let k = 0; k < d; k++) store<f64>(rho + (<usize>k << 3), load<f64>(rho + (<usize>k << 3)) - bn * load<f64>(v + (<usize>k << 3)));
  }
  let rho2: f64 = 0;
  for (let k = 0; k < d; k++) { const x = load<f64>(rho + (<usize>k << 3)); rho2 += x * x; }
  if (wantGA) {
    for (let i = 0; i < m; i++) {
      const u = U + <usize>i * rowBytes;
      let s: f64 = 0;
      for (let k = 0; k < d; k++) s += load<f64>(u + (<usize>k << 3)) * load<f64>(rho + (<usize>k << 3));
      store<f64>(gA + (<usize>i << 3), 2 * alpha * scale * s);
    }
  }
  if (wantGU) {
    for (let i = 0; i < m; i++) {
      const fa = 2 * alpha * load<f64>(A + (<usize>i << 3)) * scale;
      const g = gU + <usize>i * rowBytes;
      for (let k = 0; k < d; k++) store<f64>(g + (<usize>k << 3), fa * load<f64>(rho + (<usize>k << 3)));
    }
  }
  let pairSum = teacherPairSum;
  if (beta != 0) {
    const f = 2 * beta * scale;
    for (let i = 0; i < m; i++) {
      const ni = load<f64>(uNorms + (<usize>i << 3));
      if (ni == 0) continue;
      const ai = load<f64>(A + (<usize>i << 3));
      const ui = units + <usize>i * rowBytes;
      const gi = gU + <usize>i * rowBytes;
      for (let j = i + 1; j < m; j++) {
        const nj = load<f64>(uNorms + (<usize>j << 3));
        if (nj == 0) continue;
        const uj = units + <usize>j * rowBytes;
        const psi = ni * nj * unitPairG(ui, uj, d);
        const aj = load<f64>(A + (<usize>j << 3));
        const aa = ai * aj;
        pairSum += aa * psi;
        if (wantGU) {
          const fi = f * aa * nj;
          const fj = f * aa * ni;
          axpy2(gi, ui, uj, fi * pairSin, -fi * pairTheta, d);
          axpy2(gU + <usize>j * rowBytes, uj, ui, fj * pairSin, -fj * pairTheta, d);
        }
        if (wantGA) {
          store<f64>(gA + (<usize>i << 3), load<f64>(gA + (<usize>i << 3)) + f * aj * psi);
          store<f64>(gA + (<usize>j << 3), load<f64>(gA + (<usize>j << 3)) + f * ai * psi);
        }
      }
      for (let nn = 0; nn < r; nn++) {
        const vn = load<f64>(vNorms + (<usize>nn << 3));
        if (vn == 0) continue;
        const vu = units + <usize>(m + nn) * rowBytes;
        const psi = ni * vn * unitPairG(ui, vu, d);
        const bn = load<f64>(b + (<usize>nn << 3));
        const ab = -ai * bn;
        pairSum += ab * psi;
        if (wantGU) {
          const fi = f * ab * vn;
          axpy2(gi, ui, vu, fi * pairSin, -fi * pairTheta, d);
        }
        if (wantGA) store<f64>(gA + (<usize>i << 3), load<f64>(gA + (<usize>i << 3)) - f * bn * psi);
      }
    }
  }
  return scale * (alpha * rho2 + 2 * beta * pairSum);
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
  rho: usize,
  gU: usize,
): i32 {
  const n = m * d;
  const etaV = f64x2.splat(eta);
  for (let s = 0; s < steps; s++) {
    const L = angularEvaluate(m, r, d, 1, 0, alpha, beta, scale, teacherPairSum, U, A, units, vNorms, b, V, uNorms, rho, gU, 0);
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
