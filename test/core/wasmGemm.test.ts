import { describe, expect, it } from "vitest";
import { createEngine } from "../../src/core/engine.js";
import { portableKernels } from "../../src/core/linalg/gemm.js";
import { createWasmGemm } from "../../src/core/linalg/wasmGemm.js";
import { Rng } from "../../src/core/random/rng.js";
import { GEMM_SHAPES, naiveGemm, relativeError } from "../helpers.js";

// Shapes that cross the kernel's blocks: 4×4 register tiles, MC = 64 rows, KC = 256 deep,
// NC = 1024 wide (partial tiles at every edge), plus tall/skinny and K = 1 products.
const SHAPES: [number, number, number][] = [
  ...GEMM_SHAPES,
  [2, 2, 1],
  [4, 4, 4],
  [13, 11, 257],
  [67, 5, 300],
  [1, 1031, 2],
  [131, 3, 1],
  [300, 1, 17],
  [70, 1030, 513],
];

describe("WebAssembly SIMD gemm", () => {
  const rng = new Rng(31);
  const wasm = createWasmGemm();
  for (const [M, N, K] of SHAPES)
    for (const transA of [false, true])
      for (const transB of [false, true])
        it(`matches the TypeScript kernel: ${M}×${N}×${K}, transA ${transA}, transB ${transB}`, () => {
          const A = rng.fillNormal(new Float64Array(M * K + 3), 1).subarray(3); // offset view
          const B = rng.fillNormal(new Float64Array(K * N), 1);
          const C = new Float64Array(M * N).fill(Number.NaN); // overwritten, not accumulated
          const reference = new Float64Array(M * N);
          wasm.gemm(transA, transB, M, N, K, A, B, C);
          portableKernels.gemm(transA, transB, M, N, K, A, B, reference);
          expect(relativeError(C, reference)).toBeLessThan(1e-13);
          if (M * N * K < 1e5)
            expect(relativeError(C, naiveGemm(transA, transB, M, N, K, A, B))).toBeLessThan(1e-13);
        });

  it("is exact on small integers and writes only the first M·N entries of C", () => {
    const A = Float64Array.from([1, 2, 3, 4]);
    const B = Float64Array.from([5, 6, 7, 8]);
    const C = new Float64Array(6).fill(-1);
    wasm.gemm(false, false, 2, 2, 2, A, B, C);
    expect([...C]).toEqual([19, 22, 43, 50, -1, -1]);
    wasm.gemm(true, true, 2, 2, 2, A, B, C);
    expect([...C]).toEqual([23, 31, 34, 46, -1, -1]);
  });

  it("handles empty products and rejects buffers too small for the shapes", () => {
    const C = new Float64Array(6).fill(7);
    wasm.gemm(false, false, 2, 3, 0, new Float64Array(0), new Float64Array(0), C);
    expect([...C]).toEqual([0, 0, 0, 0, 0, 0]);
    wasm.gemm(false, false, 0, 3, 2, new Float64Array(0), new Float64Array(6), C);
    expect(() =>
      wasm.gemm(false, false, 2, 2, 2, new Float64Array(3), new Float64Array(4), C),
    ).toThrow(/A has 3 entries, needs 4/);
  });

  it("runs products larger than its memory budget block by block, with the same numbers", () => {
    // 1 MiB: 131 072 doubles, less than these operands and product, so C is done in blocks
    const small = createWasmGemm({ budgetBytes: 1 << 20 });
    for (const [M, N, K] of [
      [300, 400, 150],
      [50, 2000, 60],
      [2000, 40, 70],
    ] as const)
      for (const transA of [false, true])
        for (const transB of [false, true]) {
          const A = rng.fillNormal(new Float64Array(M * K), 1);
          const B = rng.fillNormal(new Float64Array(K * N), 1);
          expect(M * K + K * N + M * N).toBeGreaterThan((1 << 20) / 8);
          const C1 = new Float64Array(M * N);
          const C2 = new Float64Array(M * N);
          small.gemm(transA, transB, M, N, K, A, B, C1);
          wasm.gemm(transA, transB, M, N, K, A, B, C2);
          // blocks of C do not change any sum's order: the same bits
          let same = true;
          for (let k = 0; k < C1.length; k++) if (!Object.is(C1[k], C2[k])) same = false;
          expect(same).toBe(true);
        }
    expect(small.name).toBe("wasm");
  });

  it("grows its memory from a small product to a large one and back", () => {
    const g = createWasmGemm();
    for (const n of [3, 200, 5]) {
      const A = rng.fillNormal(new Float64Array(n * n), 1);
      const C = new Float64Array(n * n);
      g.gemm(false, true, n, n, n, A, A, C);
      expect(relativeError(C, naiveGemm(false, true, n, n, n, A, A))).toBeLessThan(1e-13);
    }
  });

  it("is the engine's default, and TypeScript when WebAssembly is switched off", () => {
    expect(createEngine().matrixKernels.name).toBe("wasm");
    expect(createEngine({ webAssembly: false }).matrixKernels).toBe(portableKernels);
    // two engines never share an instance
    expect(createEngine().matrixKernels).not.toBe(createEngine().matrixKernels);
  });
});
