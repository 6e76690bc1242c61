/**
 * The threaded WebAssembly GEMM (src/core/linalg/threadedGemm.ts) with Node worker threads
 * (src/kernels/wasmThreads.ts; the helpers run the built dist/kernels/gemmThread.js, so
 * `npm run build` first, as `npm test` does). Products are forced onto the threads (minWork 0)
 * and compared with the TypeScript kernel, and bit for bit with the one-thread WebAssembly
 * kernel; then helpers that fail to start, cannot run the kernel, or die.
 */
import { spawnSync } from "node:child_process";
import { Worker } from "node:worker_threads";
import { afterAll, describe, expect, it } from "vitest";
import { portableKernels } from "../../src/core/linalg/gemm.js";
import {
  createThreadedWasmGemm,
  type GemmThread,
  type SpawnGemmThread,
  type ThreadedGemm,
} from "../../src/core/linalg/threadedGemm.js";
import { createWasmGemm } from "../../src/core/linalg/wasmGemm.js";
import { Rng } from "../../src/core/random/rng.js";
import { createNodeThreadedGemm, nodeGemmSpawner } from "../../src/kernels/wasmThreads.js";
import { relativeError } from "../helpers.js";

// Odd shapes: 1×1, primes, tall and skinny both ways (row and column splits), K = 1, blocks
// that are not whole 4×4 tiles, more threads than rows or columns, K across a KC = 256 slice.
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [2, 3, 5],
  [3, 1, 7],
  [1, 11, 4],
  [7, 13, 1],
  [31, 37, 41],
  [97, 5, 300],
  [5, 97, 257],
  [129, 131, 1],
  [1, 1031, 2],
  [1031, 1, 3],
  [61, 67, 513],
];

const rng = new Rng(97);
const open: ThreadedGemm[] = [];
function threaded(
  threads: number,
  extra: Partial<Parameters<typeof createThreadedWasmGemm>[0]> = {},
) {
  const g = createNodeThreadedGemm({ threads, minWork: 0, ...extra });
  open.push(g);
  return g;
}
afterAll(() => {
  for (const g of open) g.close();
});

function operands(M: number, N: number, K: number) {
  return {
    A: rng.fillNormal(new Float64Array(M * K), 1),
    B: rng.fillNormal(new Float64Array(K * N), 1),
  };
}

const sameBits = (x: Float64Array, y: Float64Array) =>
  x.length === y.length && x.every((v, k) => Object.is(v, y[k]));

describe("threaded WebAssembly gemm", () => {
  const one = createWasmGemm();
  const two = threaded(2);
  const three = threaded(3);

  it("starts its helper threads and names the thread count", async () => {
    expect(three.name).toBe("wasm 3 threads");
    await three.ready();
    await two.ready();
    expect(three.threads).toBe(3);
    expect(three.name).toBe("wasm 3 threads");
    expect(two.name).toBe("wasm 2 threads");
  });

  for (const [M, N, K] of SHAPES)
    it(`matches the TypeScript kernel and, bit for bit, one thread: ${M}×${N}×${K}`, () => {
      const { A, B } = operands(M, N, K);
      for (const transA of [false, true])
        for (const transB of [false, true]) {
          const reference = new Float64Array(M * N);
          portableKernels.gemm(transA, transB, M, N, K, A, B, reference);
          const single = new Float64Array(M * N);
          one.gemm(transA, transB, M, N, K, A, B, single);
          for (const g of [two, three]) {
            const C = new Float64Array(M * N + 2).fill(Number.NaN); // overwritten, and no more
            g.gemm(transA, transB, M, N, K, A, B, C);
            const c = C.subarray(0, M * N);
            expect(
              relativeError(c, reference),
              `${g.name} transA ${transA} transB ${transB}`,
            ).toBeLessThan(1e-13);
            expect(sameBits(c, single), `${g.name} transA ${transA} transB ${transB}`).toBe(true);
            expect(Number.isNaN(C[M * N]) && Number.isNaN(C[M * N + 1])).toBe(true);
          }
        }
      expect(three.threads).toBe(3);
    });

  it("gives one thread's bits on a DU-shaped product (1, 2 and 3 threads, row and column splits)", () => {
    const one1 = threaded(1);
    for (const [M, N, K] of [
      [200, 600, 300],
      [600, 200, 300],
    ] as const) {
      const { A, B } = operands(M, N, K);
      const results = [one1, two, three].map((g) => {
        const C = new Float64Array(M * N);
        g.gemm(false, true, M, N, K, A, B, C);
        return C;
      });
      const single = new Float64Array(M * N);
      one.gemm(false, true, M, N, K, A, B, single);
      for (const C of results) expect(sameBits(C, single)).toBe(true);
    }
    expect(one1.name).toBe("wasm 1 thread");
    expect([two.threads, three.threads]).toEqual([2, 3]);
  });

  it("keeps small products on the calling thread: no helper starts below minWork", () => {
    let spawned = 0;
    const spawn = nodeGemmSpawner();
    const g = createThreadedWasmGemm({
      threads: 2,
      minWork: 1000,
      spawn: (i) => {
        spawned++;
        return spawn(i);
      },
    });
    open.push(g);
    const { A, B } = operands(9, 9, 9); // 729 < 1000
    const C = new Float64Array(81);
    g.gemm(false, false, 9, 9, 9, A, B, C);
    expect(spawned).toBe(0);
    const { A: A2, B: B2 } = operands(10, 10, 10);
    g.gemm(false, false, 10, 10, 10, A2, B2, new Float64Array(100));
    expect(spawned).toBe(1);
    expect(g.name).toBe("wasm 2 threads");
  });

  it("handles empty products and rejects buffers too small for the shapes", () => {
    const C = new Float64Array(6).fill(7);
    three.gemm(false, false, 2, 3, 0, new Float64Array(0), new Float64Array(0), C);
    expect([...C]).toEqual([0, 0, 0, 0, 0, 0]);
    expect(() =>
      three.gemm(false, false, 2, 2, 2, new Float64Array(3), new Float64Array(4), C),
    ).toThrow(/A has 3 entries, needs 4/);
  });
});

describe("threaded gemm when helpers fail", () => {
  const { A, B } = operands(70, 90, 40);
  const single = new Float64Array(70 * 90);
  createWasmGemm().gemm(false, true, 70, 90, 40, A, B, single);
  const run = (g: ThreadedGemm) => {
    const C = new Float64Array(70 * 90);
    g.gemm(false, true, 70, 90, 40, A, B, C);
    return C;
  };

  it("a helper that cannot be spawned: the product runs on the others, the name says so", () => {
    const spawn = nodeGemmSpawner();
    const g = threaded(3, {
      spawn: (i) => {
        if (i === 2) throw new Error("no more threads");
        return spawn(i);
      },
    });
    expect(sameBits(run(g), single)).toBe(true);
    expect(g.threads).toBe(2);
    expect(g.name).toBe("wasm 2 threads (thread 2 could not start (no more threads))");
  });

  it("a helper whose script fails to load: found at ready() or at the start timeout", async () => {
    const broken: SpawnGemmThread = () => {
      const w = new Worker('throw new Error("script broke")', { eval: true });
      w.unref();
      return {
        postMessage: (m) => w.postMessage(m),
        onMessage: (l) => {
          w.on("message", l);
          w.unref(); // a message listener refs the worker again
        },
        onFailure: (l) => {
          w.on("error", (e) => l(e.message));
        },
        terminate: () => void w.terminate(),
      };
    };
    const g = threaded(2, { spawn: broken });
    await g.ready();
    expect(g.name).toBe("wasm 1 thread (thread 1 failed to start: script broke)");
    expect(sameBits(run(g), single)).toBe(true);
    // without ready(), the first product waits for the start (synchronously) up to its timeout
    const h = threaded(2, { spawn: broken, readyTimeoutMs: 300 });
    expect(sameBits(run(h), single)).toBe(true);
    expect(h.name).toMatch(
      /^wasm 1 thread \(thread 1 (did not start within 0.3 s|failed to start)/,
    );
  });

  it("a helper that cannot instantiate the kernel reports it in its slot", async () => {
    const spawn = nodeGemmSpawner();
    const g = threaded(2, {
      spawn: (i) => {
        const t = spawn(i);
        // a start message whose module is not a WebAssembly.Module
        return { ...t, postMessage: (m) => t.postMessage({ ...(m as object), module: {} }) };
      },
    });
    expect(sameBits(run(g), single)).toBe(true);
    expect(g.name).toMatch(
      /^wasm 1 thread \(thread 1 failed to start: portable \(no WebAssembly instance/,
    );
  });

  it("a helper that dies: the product completes on the calling thread, one thread after", async () => {
    const threads: GemmThread[] = [];
    const spawn = nodeGemmSpawner();
    const g = threaded(3, {
      jobTimeoutMs: 500,
      spawn: (i) => {
        const t = spawn(i);
        threads.push(t);
        return t;
      },
    });
    await g.ready();
    expect(sameBits(run(g), single)).toBe(true);
    expect(g.threads).toBe(3);
    threads[1].terminate(); // thread 2 ends; its exit may or may not be seen before the product
    expect(sameBits(run(g), single)).toBe(true);
    expect(g.threads).toBe(1);
    expect(g.name).toMatch(
      /^wasm 1 thread \(thread 2 (took over 0.5 s|failed: exited).*; one thread since\)$/,
    );
    expect(sameBits(run(g), single)).toBe(true);
  });

  it("close() ends the helpers (their threads exit) and products go on, on one thread", async () => {
    const exits: Promise<number>[] = [];
    const script = new URL("../../dist/kernels/gemmThread.js", import.meta.url);
    const g = threaded(3, {
      spawn: () => {
        const w = new Worker(script);
        w.unref();
        exits.push(new Promise((resolve) => w.on("exit", resolve)));
        return {
          postMessage: (m) => w.postMessage(m),
          onMessage: (l) => {
            w.on("message", l);
            w.unref();
          },
          onFailure: () => {},
          terminate: () => void w.terminate(),
        };
      },
    });
    await g.ready();
    expect(sameBits(run(g), single)).toBe(true);
    g.close();
    await Promise.all(exits);
    expect(exits.length).toBe(2);
    expect(g.threads).toBe(1);
    expect(sameBits(run(g), single)).toBe(true);
  });

  it("a product over the shared-memory limit runs on the calling thread, and the name says so", async () => {
    const g = threaded(2, { maxSharedBytes: 2 ** 20 });
    await g.ready();
    const M = 200;
    const { A: A2, B: B2 } = operands(M, M, M); // 3·200² doubles = 960 000 bytes: fits
    const C = new Float64Array(M * M);
    g.gemm(false, false, M, M, M, A2, B2, C);
    expect(g.name).toBe("wasm 2 threads");
    const big = 300; // 2.16 MB: over 1 MiB
    const { A: A3, B: B3 } = operands(big, big, big);
    const C3 = new Float64Array(big * big);
    const single3 = new Float64Array(big * big);
    g.gemm(false, false, big, big, big, A3, B3, C3);
    createWasmGemm().gemm(false, false, big, big, big, A3, B3, single3);
    expect(sameBits(C3, single3)).toBe(true);
    expect(g.name).toMatch(/^wasm 2 threads \(products over 2160000 bytes on one thread/);
  });

  it("never keeps a process alive: a script that multiplies on 2 threads and does not close exits", () => {
    const script = `
      import { createNodeThreadedGemm } from ${JSON.stringify(new URL("../../dist/kernels/wasmThreads.js", import.meta.url).href)};
      const g = createNodeThreadedGemm({ threads: 2, minWork: 0 });
      const A = new Float64Array(64 * 64).fill(1);
      const C = new Float64Array(64 * 64);
      g.gemm(false, false, 64, 64, 64, A, A, C);
      console.log(g.name, C[0]);`;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(r.signal, "the process did not exit by itself").toBeNull();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe("wasm 2 threads 64");
  });

  it("one thread where there is no way to start threads; a thread count below 1 is an error", () => {
    const g = createThreadedWasmGemm({ threads: 4, minWork: 0 });
    expect(sameBits(run(g), single)).toBe(true);
    expect(g.name).toBe("wasm 1 thread (no way to start threads here)");
    expect(() => createThreadedWasmGemm({ threads: 0 })).toThrow(
      "threads: 0 is not a thread count (1 or more)",
    );
  });
});
