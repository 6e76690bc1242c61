#!/usr/bin/env node
/**
 * `node bench/gemm.mjs [M N K] [--repeats n]` (after `npm run build`): GFLOP/s of one float64
 * product C = A·Bᵀ (DU's Z = X·Wᵀ shape by default: 1000×4096×1000) and of Aᵀ-style and plain
 * layouts, for each available MatrixKernels backend (the WebAssembly kernel on one thread, the
 * threaded one on 1 and 2 threads, ONNX Runtime, the system BLAS), median of repeats after a warm-up, with the
 * CPU seconds per wall second (the whole process: on a shared machine, how many cores the
 * backend actually got) and the load average before and after; also the time spent copying
 * operands in and out. Measures only.
 */
import { cpus, loadavg } from "node:os";
import { portableKernels } from "../dist/core/linalg/gemm.js";
import { createWasmGemm } from "../dist/core/linalg/wasmGemm.js";
import { Rng } from "../dist/core/random/rng.js";
import { loadBlasKernels } from "../dist/kernels/blas.js";
import { loadOnnxKernels } from "../dist/kernels/onnxRuntime.js";
import { createNodeThreadedGemm } from "../dist/kernels/wasmThreads.js";

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

const threaded1 = createNodeThreadedGemm({ threads: 1 });
const threaded2 = createNodeThreadedGemm({ threads: 2 });
await threaded2.ready();
const backends = [
  ["wasm", createWasmGemm()],
  ["wasm 1 thread", threaded1],
  ["wasm 2 threads", threaded2],
];
const onnx = loadOnnxKernels({ minWork: 0 });
if (onnx.kernels) backends.push(["onnx", onnx.kernels]);
else console.log(`onnx: ${onnx.reason}`);
const blas = loadBlasKernels({ minWork: 0 });
if (blas.kernels) backends.push(["blas", blas.kernels]);
else console.log(`blas: ${blas.reason}`);
if (withPortable) backends.push(["portable", portableKernels]);

const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");
console.log(
  `${cpus()[0]?.model}, ${cpus().length} cores, load average ${load()}; ${M}×${N}×${K}, median of ${repeats}`,
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
    const cpu = [];
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      kernels.gemm(transA, transB, M, N, K, A, B, C);
      const c = process.cpuUsage(c0);
      const wall = (performance.now() - t0) / 1000;
      times.push(wall);
      cpu.push((c.user + c.system) / 1e6 / wall);
    }
    row.push(
      `  ${kernels.name.padEnd(22)} ${((2 * M * N * K) / median(times) / 1e9).toFixed(2).padStart(6)} GFLOP/s  ${(median(times) * 1000).toFixed(0).padStart(5)} ms  CPU/wall ${median(cpu).toFixed(2)}`,
    );
  }
  console.log(`transA ${transA ? 1 : 0} transB ${transB ? 1 : 0}:\n${row.join("\n")}`);
}
threaded2.close();
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
console.log(`load average at the end ${load()}`);
