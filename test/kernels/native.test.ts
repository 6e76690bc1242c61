import { describe, expect, it } from "vitest";
import { getActivation } from "../../src/core/activations/registry.js";
import { runExperiment } from "../../src/core/experiment/run.js";
import { setupRun } from "../../src/core/experiment/setup.js";
import { axpyLoop, type MatrixKernels, portableKernels } from "../../src/core/linalg/gemm.js";
import { EmpiricalLoss, GEMM_MIN_WORK } from "../../src/core/losses/empirical.js";
import { Rng } from "../../src/core/random/rng.js";
import { kernelInstance } from "../../src/core/wasm/kernels.js";
import { loadBlasKernels } from "../../src/kernels/blas.js";
import { parseKernelChoice, selectKernels, unavailableReason } from "../../src/kernels/index.js";
import { AXPY_MIN_LENGTH } from "../../src/kernels/native.js";
import { loadOnnxKernels } from "../../src/kernels/onnxRuntime.js";
import { validateSpec } from "../../src/spec/validate.js";
import { GEMM_SHAPES, naiveGemm, relativeError } from "../helpers.js";

// onnxruntime-node is installed by `npm ci` (dev dependency, CPU binaries in the package), koffi
// too (optional dependency, prebuilt binaries from the registry), and OpenBLAS by `npm test`'s
// scripts/ensure-test-deps.mjs (Debian's libopenblas0-pthread): these tests fail, rather than
// skip, when either backend cannot be loaded.
const backends = [
  ["ONNX Runtime", loadOnnxKernels({ threads: 2, minWork: 0 }), /^onnxruntime 2 threads$/],
  ["BLAS", loadBlasKernels({ threads: 2, minWork: 0 }), /^libopenblas 2 threads$/],
] as const;

describe.each(backends)("%s kernels", (_, { kernels: native, reason }, name) => {
  it("load and pass their self-check", () => {
    expect(reason).toBe("");
    expect(native?.name).toMatch(name);
  });

  const rng = new Rng(5);
  const shapes: [number, number, number][] = [...GEMM_SHAPES, [127, 129, 131], [200, 3, 301]];
  for (const [M, N, K] of shapes)
    for (const transA of [false, true])
      for (const transB of [false, true])
        it(`match the portable kernel: ${M}×${N}×${K}, transA ${transA}, transB ${transB}`, () => {
          const A = rng.fillNormal(new Float64Array(M * K + 3), 1).subarray(3); // offset view
          const B = rng.fillNormal(new Float64Array(K * N), 1);
          const ours = new Float64Array(M * N).fill(Number.NaN);
          const reference = new Float64Array(M * N);
          native!.gemm(transA, transB, M, N, K, A, B, ours);
          portableKernels.gemm(transA, transB, M, N, K, A, B, reference);
          expect(relativeError(ours, reference)).toBeLessThan(1e-12);
          expect(relativeError(ours, naiveGemm(transA, transB, M, N, K, A, B))).toBeLessThan(1e-12);
        });

  it("write into a C longer than M·N without touching the rest", () => {
    const A = Float64Array.from([1, 2, 3, 4]);
    const B = Float64Array.from([5, 6, 7, 8]);
    const C = new Float64Array(6).fill(-1);
    native!.gemm(false, false, 2, 2, 2, A, B, C);
    expect([...C]).toEqual([19, 22, 43, 50, -1, -1]);
  });

  for (const name of ["relu", "abs", "erf", "quadratic"])
    for (const reduction of ["mean", "sum"] as const)
      it(`give the empirical loss and its gradients of the sample loop (${name}, ${reduction})`, () => {
        // n·m·d above GEMM_MIN_WORK, so evaluate takes the matrix-product path
        const [n, m, d] = [61, 67, 71];
        expect(n * m * d).toBeGreaterThanOrEqual(GEMM_MIN_WORK);
        const X = rng.fillNormal(new Float64Array(n * d), 1 / Math.sqrt(d));
        const y = rng.fillNormal(new Float64Array(n), 1);
        const U = rng.fillNormal(new Float64Array(m * d), 1);
        const A = rng.fillNormal(new Float64Array(m), 1 / Math.sqrt(m));
        const act = getActivation(name);
        // reference: the formulas of EmpiricalLoss written out per sample
        const s = reduction === "mean" ? 0.5 / n : 0.5;
        const gRef = new Float64Array(m * d);
        const aRef = new Float64Array(m);
        let ref = 0;
        for (let k = 0; k < n; k++) {
          const z = new Float64Array(m);
          let f = 0;
          for (let i = 0; i < m; i++) {
            for (let q = 0; q < d; q++) z[i] += U[i * d + q] * X[k * d + q];
            f += A[i] * act.value(z[i]);
          }
          const e = f - y[k];
          ref += s * e * e;
          for (let i = 0; i < m; i++) {
            aRef[i] += 2 * s * e * act.value(z[i]);
            for (let q = 0; q < d; q++)
              gRef[i * d + q] += 2 * s * e * A[i] * act.derivative(z[i]) * X[k * d + q];
          }
        }
        for (const kernels of [portableKernels, native!]) {
          const loss = new EmpiricalLoss(m, { n, d, X, y }, act, 0.5, reduction, kernels);
          const gU = new Float64Array(m * d);
          const gA = new Float64Array(m);
          const value = loss.evaluate(U, A, gU, gA);
          expect(Math.abs(value / ref - 1)).toBeLessThan(1e-12);
          expect(relativeError(gU, gRef)).toBeLessThan(1e-12);
          expect(relativeError(gA, aRef)).toBeLessThan(1e-12);
        }
      });
});

describe("kernel selection", () => {
  const rng = new Rng(7);
  it("are chosen by selectKernels, and a bad choice is one clear error", () => {
    expect(selectKernels({ choice: "portable" }).describeRun()).toBe("portable");
    // the portable kernel itself, with Node's huge-page hint for the engine's large arrays
    const portable = selectKernels({ choice: "portable" }).kernels;
    expect(portable.gemm).toBe(portableKernels.gemm);
    expect(portable.adviseLargeArray).toBeTypeOf("function");
    const wasm = selectKernels({ choice: "wasm", threads: 2 });
    wasm.kernels.gemm(
      false,
      false,
      1,
      1,
      1,
      Float64Array.of(2),
      Float64Array.of(3),
      new Float64Array(1),
    );
    expect(wasm.describeRun()).toBe("wasm 2 threads");
    wasm.close();
    expect(selectKernels({ choice: "wasm", threads: 1 }).describeRun()).toBe("wasm 1 thread");
    expect(selectKernels({ choice: "onnx", threads: 1 }).describeRun()).toBe(
      "onnxruntime 1 thread",
    );
    expect(selectKernels({ choice: "blas", threads: 1 }).describeRun()).toBe(
      "libopenblas 1 thread",
    );
    // auto loads the system BLAS (before ONNX Runtime) at the first product large enough for
    // it, and says so per run
    const auto = selectKernels({ choice: "auto", threads: 2 });
    const small = [2, 2, 2] as const;
    auto.kernels.gemm(
      false,
      false,
      ...small,
      new Float64Array(4),
      new Float64Array(4),
      new Float64Array(4),
    );
    expect(auto.describeRun()).toBe("wasm 2 threads (no product large enough for native kernels)");
    const n = 64; // n³ = 2^18 multiply-adds: ONNX_MIN_WORK
    const A = rng.fillNormal(new Float64Array(n * n), 1);
    const C = new Float64Array(n * n);
    auto.kernels.gemm(false, false, n, n, n, A, A, C);
    expect(auto.describeRun()).toBe("libopenblas 2 threads");
    auto.startRun(); // a later run in the same thread that multiplies nothing large
    expect(auto.describeRun()).toBe("wasm 2 threads (no product large enough for native kernels)");
    auto.close();
    expect(relativeError(C, naiveGemm(false, false, n, n, n, A, A))).toBeLessThan(1e-12);
    expect(() => parseKernelChoice("cuda")).toThrow(
      '--kernels: "cuda" is not a kernel backend; use one of auto, portable, blas, onnx, wasm',
    );
  });
});

describe("the GD update through BLAS (axpy)", () => {
  const { kernels: blas } = loadBlasKernels({ threads: 2 });
  const rng = new Rng(9);

  it("is daxpy within an ulp of the loop above AXPY_MIN_LENGTH entries, the loop itself below", () => {
    expect(blas?.axpy).toBeTypeOf("function");
    for (const n of [AXPY_MIN_LENGTH - 1, AXPY_MIN_LENGTH, 4_000_037]) {
      const x = rng.fillNormal(new Float64Array(n + 1), 1).subarray(1); // offset view
      const y = rng.fillNormal(new Float64Array(n), 1);
      const ours = y.slice();
      const reference = y.slice();
      blas!.axpy!(-0.37, x, ours);
      axpyLoop(-0.37, x, reference);
      let differ = 0;
      let worst = 0;
      for (let k = 0; k < n; k++) {
        if (ours[k] !== reference[k]) differ++;
        // one rounding fewer: apart by at most an ulp of the terms' size
        const size = Math.abs(y[k]) + Math.abs(0.37 * x[k]);
        worst = Math.max(worst, Math.abs(ours[k] - reference[k]) / size);
      }
      expect(worst).toBeLessThanOrEqual(2 ** -52);
      // below the threshold the loop's own numbers; above it daxpy's fused multiply-adds,
      // which round differently in a fraction of the entries (a loop in disguise would not)
      if (n < AXPY_MIN_LENGTH) expect(differ).toBe(0);
      else expect(differ).toBeGreaterThan(0);
    }
    expect(() => blas!.axpy!(1, new Float64Array(3), new Float64Array(4))).toThrow(
      "axpy: x has 3 entries, y 4",
    );
  });

  it("is chosen by `auto` from the vector's length alone, before any product loaded BLAS", () => {
    const auto = selectKernels({ choice: "auto", threads: 2 });
    const n = AXPY_MIN_LENGTH;
    const x = rng.fillNormal(new Float64Array(n), 1);
    const y = rng.fillNormal(new Float64Array(n), 1);
    const viaAuto = y.slice();
    const viaBlas = y.slice();
    auto.kernels.axpy!(0.5, x, viaAuto);
    blas!.axpy!(0.5, x, viaBlas);
    expect(viaAuto).toEqual(viaBlas);
    auto.close();
  });

  it("makes a run's GD updates when θ is that long, giving the portable run's trajectory", () => {
    // m·d = 76 800 parameters: the update goes through the kernels' axpy
    const doc = {
      dimension: 600,
      seed: 3,
      activation: "relu",
      teacher: { kind: "random", neurons: 2 },
      student: { width: 128, init: { kind: "gaussian", scale: 0.05 } },
      loss: { kind: "empirical", trainSize: 40 },
      optimizer: { kind: "gd", lr: 1e-4, steps: 6 },
      record: { pointsPerDecade: 1 },
      metrics: ["loss"],
    };
    const v = validateSpec(doc);
    if (!v.ok) throw new Error(v.problems.join("; "));
    let updates = 0;
    const hinted: number[] = [];
    const counted: MatrixKernels = {
      name: blas!.name,
      adviseLargeArray: (array) => hinted.push(array.length),
      gemm: (...args) => blas!.gemm(...args),
      axpy(alpha, x, y) {
        updates++;
        blas!.axpy!(alpha, x, y);
      },
    };
    const viaBlas = runExperiment(setupRun(v.spec, {}, { matrixKernels: counted }), { onRow() {} });
    const portable = runExperiment(setupRun(v.spec, {}, { matrixKernels: portableKernels }), {
      onRow() {},
    });
    expect([viaBlas.status, portable.status]).toEqual(["completed", "completed"]);
    expect(updates).toBe(6);
    // θ, its gradient and Z (N×m) are handed to the backend before their first write
    expect(hinted.filter((n) => n === 76_800)).toHaveLength(2);
    expect(hinted).toContain(40 * 128);
    expect(relativeError(viaBlas.finalTheta, portable.finalTheta)).toBeLessThan(1e-12);
    expect(viaBlas.finalTheta).not.toEqual(portable.finalTheta); // fused multiply-adds
  });
});

describe("BLAS loading", () => {
  it("names the library it could not load and what to install", () => {
    const { kernels, reason } = loadBlasKernels({ library: "/nonexistent/libcblas.so" });
    expect(kernels).toBeNull();
    expect(reason).toMatch(
      /^BLAS is not available: no CBLAS library loaded \(\/nonexistent\/libcblas\.so: /,
    );
    expect(reason).toMatch(/\$OVERPARAM_BLAS = \/nonexistent\/libcblas\.so$/);
  });

  it("refuses a library without cblas_dgemm", () => {
    // libm loads but has no cblas_dgemm: the failure is a reason, never a crash
    const { kernels, reason } = loadBlasKernels({ library: "libm.so.6" });
    expect(kernels).toBeNull();
    expect(reason).toMatch(/libm\.so\.6/);
  });

  it("makes `--kernels blas` a promise that fails before a command runs", () => {
    expect(unavailableReason("blas")).toBe("");
    expect(unavailableReason("wasm")).toBe("");
  });
});

describe("the empirical loss's WebAssembly elementwise pass (Z in WebAssembly memory)", () => {
  const rng = new Rng(23);
  const wasmInstance = (doubles: number) => kernelInstance(doubles);
  for (const name of ["relu", "abs", "linear", "quadratic"])
    for (const m of [67, 68]) // odd m: the pass's scalar tail; even m: lanes only
      it(`gives the TypeScript pass's loss and gradients (${name}, m = ${m})`, () => {
        const [n, d] = [61, 71];
        expect(n * m * d).toBeGreaterThanOrEqual(GEMM_MIN_WORK);
        const act = getActivation(name);
        expect(act.elementwiseKernel).toBeTypeOf("number");
        const X = rng.fillNormal(new Float64Array(n * d), 1 / Math.sqrt(d));
        const y = rng.fillNormal(new Float64Array(n), 1);
        const U = rng.fillNormal(new Float64Array(m * d), 1);
        // a zero neuron has pre-activations of exactly 0 on every sample, so its gradient row
        // is Σₖ 2s·eₖaᵢσ′(0)xₖ: σ′(0) by each activation's convention must match
        U.fill(0, 0, d);
        const A = rng.fillNormal(new Float64Array(m), 1 / Math.sqrt(m));
        const sample = { n, d, X, y };
        const results = [() => null, wasmInstance].map((instance) => {
          const loss = new EmpiricalLoss(m, sample, act, 0.5, "mean", portableKernels, instance);
          const gU = new Float64Array(m * d);
          const gA = new Float64Array(m);
          const value = loss.evaluate(U, A, gU, gA);
          const valueOnly = loss.evaluate(U, A, null, null);
          return { value, valueOnly, gU, gA };
        });
        const [ts, wasm] = results;
        // fₖ is summed in two lanes in the kernel: the loss agrees to rounding, the gradients
        // (the same entries through the same products) to rounding of the residuals
        expect(Math.abs(wasm.value / ts.value - 1)).toBeLessThan(1e-13);
        expect(wasm.valueOnly).toBe(wasm.value);
        expect(relativeError(wasm.gU, ts.gU)).toBeLessThan(1e-12);
        expect(relativeError(wasm.gA, ts.gA)).toBeLessThan(1e-12);
      });

  it("is used only where the activation has a kernel form (erf runs the TypeScript pass)", () => {
    const [n, m, d] = [61, 67, 71];
    const X = rng.fillNormal(new Float64Array(n * d), 1 / Math.sqrt(d));
    const y = rng.fillNormal(new Float64Array(n), 1);
    const U = rng.fillNormal(new Float64Array(m * d), 1);
    const A = rng.fillNormal(new Float64Array(m), 1 / Math.sqrt(m));
    let asked = 0;
    const counting = (doubles: number) => {
      asked++;
      return kernelInstance(doubles);
    };
    const erf = new EmpiricalLoss(
      m,
      { n, d, X, y },
      getActivation("erf"),
      0.5,
      "sum",
      portableKernels,
      counting,
    );
    erf.evaluate(U, A, new Float64Array(m * d), null);
    expect(asked).toBe(0);
    const relu = new EmpiricalLoss(
      m,
      { n, d, X, y },
      getActivation("relu"),
      0.5,
      "sum",
      portableKernels,
      counting,
    );
    relu.evaluate(U, A, new Float64Array(m * d), null);
    relu.evaluate(U, A, new Float64Array(m * d), null);
    expect(asked).toBe(1); // one instance, made at the first product
  });
});
