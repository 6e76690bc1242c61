import { describe, expect, it } from "vitest";
import { quadratureActivation } from "../../../src/core/activations/quadrature.js";
import { activationNames, getActivation } from "../../../src/core/activations/registry.js";
import { EmpiricalLoss } from "../../../src/core/losses/empirical.js";
import { populationLoss } from "../../../src/core/losses/population/index.js";
import type { Teacher } from "../../../src/core/model/teacher.js";
import { Rng } from "../../../src/core/random/rng.js";
import { randomArray, relativeError } from "../../helpers.js";

const d = 5;
const m = 3;
const r = 2;

function problem(seed: number) {
  const rng = new Rng(seed);
  const teacher: Teacher = {
    r,
    d,
    V: randomArray(rng, r * d, 0.7),
    b: new Float64Array([1, -0.6]),
  };
  const U = randomArray(rng, m * d, 0.6);
  const A = new Float64Array([1, 0.5, -0.8]);
  return { rng, teacher, U, A };
}

/** Monte-Carlo estimate of c·E[(f − f*)²] with its standard error. */
function monteCarlo(
  activationName: string,
  teacher: Teacher,
  U: Float64Array,
  A: Float64Array,
  n: number,
  rng: Rng,
) {
  const act = getActivation(activationName);
  let sum = 0;
  let sumSq = 0;
  const x = new Float64Array(d);
  for (let k = 0; k < n; k++) {
    rng.fillNormal(x);
    let f = 0;
    for (let i = 0; i < m; i++) {
      let z = 0;
      for (let q = 0; q < d; q++) z += U[i * d + q] * x[q];
      f += A[i] * act.value(z);
    }
    for (let t = 0; t < teacher.r; t++) {
      let z = 0;
      for (let q = 0; q < d; q++) z += teacher.V[t * d + q] * x[q];
      f -= teacher.b[t] * act.value(z);
    }
    const e = 0.5 * f * f;
    sum += e;
    sumSq += e * e;
  }
  const mean = sum / n;
  return { mean, stderr: Math.sqrt((sumSq / n - mean * mean) / n) };
}

describe("population losses", () => {
  for (const name of activationNames) {
    it(`populationLoss(${name}) agrees with a Monte-Carlo estimate within 5 standard errors`, () => {
      for (const seed of [1, 2]) {
        const { rng, teacher, U, A } = problem(seed);
        const exact = populationLoss(getActivation(name), teacher, m, 0.5).evaluate(
          U,
          A,
          null,
          null,
        );
        const mc = monteCarlo(name, teacher, U, A, 200_000, rng.split("mc"));
        expect(Math.abs(exact - mc.mean)).toBeLessThan(5 * mc.stderr);
      }
    });

    it(`populationLoss(${name}) agrees with the Gauss–Hermite fallback`, () => {
      const { teacher, U, A } = problem(3);
      const act = getActivation(name);
      const exact = populationLoss(act, teacher, m, 0.5).evaluate(U, A, null, null);
      const quad = populationLoss(quadratureActivation(act, 96), teacher, m, 0.5).evaluate(
        U,
        A,
        null,
        null,
      );
      // polynomial and smooth σ: exact to rounding. Kinked σ (ReLU, |·|): a tensor Gauss–Hermite
      // rule converges only algebraically; measured here ≈ 0.8–1.1% relative at n = 96.
      const tol = name === "relu" || name === "abs" ? 2e-2 : 1e-11;
      expect(Math.abs(exact - quad) / Math.abs(exact)).toBeLessThan(tol);
    });

    it(`populationLoss(${name}) is invariant under a rotation of all vectors and a permutation of students`, () => {
      const { rng, teacher, U, A } = problem(4);
      const loss = populationLoss(getActivation(name), teacher, m, 0.5);
      const base = loss.evaluate(U, A, null, null);
      // random orthogonal Q by Gram–Schmidt
      const Q = randomArray(rng, d * d);
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < i; j++) {
          let c = 0;
          for (let k = 0; k < d; k++) c += Q[i * d + k] * Q[j * d + k];
          for (let k = 0; k < d; k++) Q[i * d + k] -= c * Q[j * d + k];
        }
        const n = Math.hypot(...Q.subarray(i * d, i * d + d));
        for (let k = 0; k < d; k++) Q[i * d + k] /= n;
      }
      const rotate = (X: Float64Array, rows: number) => {
        const out = new Float64Array(X.length);
        for (let i = 0; i < rows; i++)
          for (let p = 0; p < d; p++)
            for (let q = 0; q < d; q++) out[i * d + p] += Q[p * d + q] * X[i * d + q];
        return out;
      };
      const rotatedTeacher: Teacher = { ...teacher, V: rotate(teacher.V, r) };
      const rotated = populationLoss(getActivation(name), rotatedTeacher, m, 0.5).evaluate(
        rotate(U, m),
        A,
        null,
        null,
      );
      expect(Math.abs(rotated - base) / base).toBeLessThan(1e-12);
      const perm = [2, 0, 1];
      const Up = new Float64Array(m * d);
      const Ap = new Float64Array(m);
      perm.forEach((src, dst) => {
        Up.set(U.subarray(src * d, src * d + d), dst * d);
        Ap[dst] = A[src];
      });
      expect(Math.abs(loss.evaluate(Up, Ap, null, null) - base) / base).toBeLessThan(1e-13);
    });
  }

  it("populationLoss(quadratic) with c = ¼ is WA's F(W) = ¼(2‖WWᵀ − w*w*ᵀ‖²_F + (tr WWᵀ − ‖w*‖²)²) and its gradient is WA eq. (6)", () => {
    const rng = new Rng(7);
    const K = 4;
    const dd = 6;
    const wStar = randomArray(rng, dd);
    const W = randomArray(rng, K * dd, 0.5); // rows are the neurons w^(k)
    const loss = populationLoss(
      getActivation("quadratic"),
      { r: 1, d: dd, V: wStar, b: new Float64Array([1]) },
      K,
      0.25,
    );
    const g = new Float64Array(K * dd);
    const value = loss.evaluate(W, new Float64Array(K).fill(1), g, null);
    // F(W) written out as in the paper
    let fro = 0;
    let tr = 0;
    let ww = 0;
    for (let p = 0; p < dd; p++) {
      ww += wStar[p] ** 2;
      for (let q = 0; q < dd; q++) {
        let s = -wStar[p] * wStar[q];
        for (let k = 0; k < K; k++) s += W[k * dd + p] * W[k * dd + q];
        fro += s * s;
      }
    }
    for (let k = 0; k < K * dd; k++) tr += W[k] ** 2;
    expect(relativeError([value], [0.25 * (2 * fro + (tr - ww) ** 2)])).toBeLessThan(1e-13);
    // eq. (6): (3‖w_k‖² − ‖w*‖²)w_k − 2(w*ᵀw_k)w* + Σ_{j≠k} 2(w_jᵀw_k)w_j + ‖w_j‖²w_k
    const expected = new Float64Array(K * dd);
    const dot = (a: number, b: number) => {
      let s = 0;
      for (let p = 0; p < dd; p++) s += W[a * dd + p] * W[b * dd + p];
      return s;
    };
    for (let k = 0; k < K; k++) {
      let ws = 0;
      for (let p = 0; p < dd; p++) ws += wStar[p] * W[k * dd + p];
      for (let p = 0; p < dd; p++) {
        let v = (3 * dot(k, k) - ww) * W[k * dd + p] - 2 * ws * wStar[p];
        for (let j = 0; j < K; j++)
          if (j !== k) v += 2 * dot(j, k) * W[j * dd + p] + dot(j, j) * W[k * dd + p];
        expected[k * dd + p] = v;
      }
    }
    expect(relativeError(g, expected)).toBeLessThan(1e-13);
  });

  it("populationLoss(relu) with c = ½ is XD eq. (23) and its gradient is XD eq. (4)", () => {
    const rng = new Rng(8);
    const n = 4;
    const dd = 5;
    const v = randomArray(rng, dd);
    const W = randomArray(rng, n * dd, 0.4);
    const loss = populationLoss(
      getActivation("relu"),
      { r: 1, d: dd, V: v, b: new Float64Array([1]) },
      n,
      0.5,
    );
    const g = new Float64Array(n * dd);
    const value = loss.evaluate(W, new Float64Array(n).fill(1), g, null);
    const norm = (x: ArrayLike<number>) => Math.hypot(...Array.from(x));
    const row = (i: number) => W.subarray(i * dd, i * dd + dd);
    const ang = (a: ArrayLike<number>, b: ArrayLike<number>) => {
      let c = 0;
      for (let p = 0; p < dd; p++) c += a[p] * b[p];
      return Math.acos(c / (norm(a) * norm(b)));
    };
    const res = new Float64Array(v).map((x) => -x);
    for (let i = 0; i < n; i++) for (let p = 0; p < dd; p++) res[p] += W[i * dd + p];
    let pairs = 0;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const t = ang(row(i), row(j));
        pairs += (Math.sin(t) - t * Math.cos(t)) * norm(row(i)) * norm(row(j));
      }
      const t = ang(row(i), v);
      pairs -= (Math.sin(t) - t * Math.cos(t)) * norm(row(i)) * norm(v);
    }
    expect(relativeError([value], [0.25 * norm(res) ** 2 + pairs / (2 * Math.PI)])).toBeLessThan(
      1e-12,
    );
    // eq. (4)
    const expected = new Float64Array(n * dd);
    for (let i = 0; i < n; i++) {
      let coef = -norm(v) * Math.sin(ang(row(i), v));
      for (let j = 0; j < n; j++) if (j !== i) coef += norm(row(j)) * Math.sin(ang(row(i), row(j)));
      for (let p = 0; p < dd; p++) {
        let s =
          0.5 * res[p] +
          (coef * W[i * dd + p]) / norm(row(i)) / (2 * Math.PI) +
          (ang(row(i), v) * v[p]) / (2 * Math.PI);
        for (let j = 0; j < n; j++)
          if (j !== i) s -= (ang(row(i), row(j)) * W[j * dd + p]) / (2 * Math.PI);
        expected[i * dd + p] = s;
      }
    }
    expect(relativeError(g, expected)).toBeLessThan(1e-12);
  });

  it("populationLoss(relu) keeps full relative precision when students align with the teacher (θ down to 1e-6)", () => {
    const loss = populationLoss(
      getActivation("relu"),
      { r: 1, d: 2, V: new Float64Array([1, 0]), b: new Float64Array([1]) },
      2,
      0.5,
    );
    for (const theta of [1e-2, 1e-3, 1e-4, 1e-5, 1e-6]) {
      // two students at ±θ whose sum is exactly the teacher: the residual term vanishes and the
      // loss is (1/2π)[g(2θ)‖w‖² − 2g(θ)‖w‖], g(θ) = sin θ − θ cos θ, ‖w‖ = 1/(2 cos θ)
      const t = Math.tan(theta);
      const U = new Float64Array([0.5, 0.5 * t, 0.5, -0.5 * t]);
      const value = loss.evaluate(U, new Float64Array([1, 1]), null, null);
      // reference from Taylor series (independent of the code): g(x) = x³/3 − x⁵/30 + x⁷/840
      const g = (x: number) => x ** 3 / 3 - x ** 5 / 30 + x ** 7 / 840;
      const w = 1 / (2 * Math.cos(theta));
      const reference = (g(2 * theta) * w * w - 2 * g(theta) * w) / (2 * Math.PI);
      expect(Math.abs(value - reference) / reference).toBeLessThan(1e-9);
      // the naive difference of kernel sums would have lost all digits at θ = 1e-6
      expect(reference).toBeGreaterThan(0);
    }
  });

  it("EmpiricalLoss approaches the population loss as N grows (finite-sample vs closed form)", () => {
    const { rng, teacher, U, A } = problem(9);
    for (const name of activationNames) {
      const act = getActivation(name);
      const exact = populationLoss(act, teacher, m, 0.5).evaluate(U, A, null, null);
      const n = 100_000;
      const X = randomArray(rng, n * d);
      const y = new Float64Array(n);
      for (let k = 0; k < n; k++) {
        for (let t = 0; t < r; t++) {
          let z = 0;
          for (let q = 0; q < d; q++) z += teacher.V[t * d + q] * X[k * d + q];
          y[k] += teacher.b[t] * act.value(z);
        }
      }
      const emp = new EmpiricalLoss(m, { n, d, X, y }, act, 0.5, "mean").evaluate(U, A, null, null);
      // relative spread of a squared Gaussian-like error ~ √(2/N)·(a few): 5% is > 10 standard errors
      expect(Math.abs(emp - exact) / exact).toBeLessThan(0.05);
    }
  });
});
