import { describe, expect, it } from "vitest";
import { checkGemmShapes, portableKernels } from "../../../src/core/linalg/gemm.js";
import { Rng } from "../../../src/core/random/rng.js";
import { GEMM_SHAPES, naiveGemm, relativeError } from "../../helpers.js";

describe("portable gemm", () => {
  const rng = new Rng(21);
  for (const [M, N, K] of GEMM_SHAPES)
    for (const transA of [false, true])
      for (const transB of [false, true])
        it(`matches the triple loop: ${M}×${N}×${K}, transA ${transA}, transB ${transB}`, () => {
          const A = rng.fillNormal(new Float64Array(M * K), 1);
          const B = rng.fillNormal(new Float64Array(K * N), 1);
          const C = new Float64Array(M * N).fill(Number.NaN); // overwritten, not accumulated
          portableKernels.gemm(transA, transB, M, N, K, A, B, C);
          expect(relativeError(C, naiveGemm(transA, transB, M, N, K, A, B))).toBeLessThan(1e-14);
        });

  it("handles empty products and rejects buffers too small for the shapes", () => {
    const C = new Float64Array(6).fill(7);
    portableKernels.gemm(false, false, 2, 3, 0, new Float64Array(0), new Float64Array(0), C);
    expect([...C]).toEqual([0, 0, 0, 0, 0, 0]);
    expect(() =>
      checkGemmShapes(2, 2, 2, new Float64Array(3), new Float64Array(4), new Float64Array(4)),
    ).toThrow(/A has 3 entries, needs 4/);
    expect(() =>
      checkGemmShapes(2, 2, 2.5, new Float64Array(9), new Float64Array(9), new Float64Array(9)),
    ).toThrow(/K = 2.5 is not a size/);
  });
});
