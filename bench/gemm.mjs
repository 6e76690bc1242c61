#!/usr/bin/env node
/**
 * `node bench/gemm.mjs [M N K] [--repeats n]` (after `npm run build`): GFLOP/s of one float64
 * product C = A·Bᵀ (DU's Z = X·Wᵀ shape by default: 1000×4096×1000) and of Aᵀ-style and plain
 * layouts, for each available MatrixKernels backend, median of repeats after a warm-up; also
 * the share of the WebAssembly kernel's time spent copying operands in and out. Measures only.
 */
import { cpus, loadavg } from "node:os";
import { portableKernels } from "../dist/core/linalg/gemm.js";
import { createWasmGemm } from "../dist/core/linalg/wasmGemm.js";
import { Rng } from "../dist/core/random/rng.js";
import { loadOnnxKernels } from "../dist/kernels/onnxRuntime.js";

const argv = process.argv.slice(2);
const sizes = argv.filter((a) => /^\d+$/.test(a)).map(Number);
const [M, N, K] = sizes.length === 3 ? sizes : [1000, 4096, 1000];
const ri = argv.indexOf("--repeats");
const repeats = ri >= 0 ? Number(argv[ri + 1]) : 5;
const withPortable = argv.includes("--portable");

const rng = new Rng(3);
const A = rng.fillNormal(new Float64Array(M * K), 1);
const B = rng.fillNormal(new Float64Array(K * N), 1);
const C = new Float64Array(M * N);
const median = (xs) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1];

const backends = [["wasm", createWasmGemm()]];
const onnx = loadOnnxKernels({ minWork: 0 });
if (onnx.kernels) backends.push(["onnx", onnx.kernels]);
if (withPortable) backends.push(["portable", portableKernels]);

console.log(
  `${cpus()[0]?.model}, ${cpus().length} cores, load ${loadavg()[0].toFixed(1)}; ${M}×${N}×${K}, median of ${repeats}`,
);
for (const [transA, transB] of [
  [false, true],
  [true, false],
  [false, false],
]) {
  const row = [];
  for (const [name, kernels] of backends) {
    const reps = name === "portable" ? 1 : repeats;
    kernels.gemm(transA, transB, M, N, K, A, B, C);
    const times = [];
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      kernels.gemm(transA, transB, M, N, K, A, B, C);
      times.push((performance.now() - t0) / 1000);
    }
    row.push(`${name} ${((2 * M * N * K) / median(times) / 1e9).toFixed(2)} GFLOP/s`);
  }
  console.log(`transA ${transA ? 1 : 0} transB ${transB ? 1 : 0}: ${row.join(", ")}`);
}
// copies: the same calls with K = 0 work done by copies only are not representative; time
// the copies directly (what the wrapper does around the kernel call)
const inA = new Float64Array(M * K + K * N + M * N);
const t0 = performance.now();
for (let r = 0; r < repeats; r++) {
  inA.set(A, 0);
  inA.set(B, M * K);
  C.set(inA.subarray(0, M * N));
}
console.log(
  `copies in and out: ${(((performance.now() - t0) / repeats) * 1).toFixed(1)} ms per product`,
);
