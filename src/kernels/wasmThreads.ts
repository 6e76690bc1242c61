/**
 * The threaded WebAssembly GEMM in Node: helper threads are worker_threads running
 * gemmThread.js, unref()'ed so that they never keep a process alive.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import {
  createThreadedWasmGemm,
  type GemmThread,
  type SpawnGemmThread,
  type ThreadedGemm,
  type ThreadedGemmOptions,
} from "../core/linalg/threadedGemm.js";

/**
 * The helper script: next to this module once built (dist/kernels/). When this module runs
 * from its TypeScript source (vitest), the built one in dist/ (`npm test` builds first): a
 * worker thread cannot load TypeScript.
 */
export function gemmThreadScript(): URL {
  const here = new URL(import.meta.url);
  if (!fileURLToPath(here).endsWith(".ts")) return new URL("./gemmThread.js", here);
  const built = new URL("../../dist/kernels/gemmThread.js", here);
  if (!existsSync(fileURLToPath(built)))
    throw new Error(`${fileURLToPath(built)} is missing: run npm run build`);
  return built;
}

/** Starts helper threads running `script` (default gemmThreadScript()). */
export function nodeGemmSpawner(script?: URL): SpawnGemmThread {
  return (index) => {
    const worker = new Worker(script ?? gemmThreadScript(), {
      name: `overparam gemm ${index}`,
      // not the process's flags: under `node -e` they hold the script, which the helper would
      // run instead of its own; it needs none of them
      execArgv: [],
    });
    worker.unref();
    let failed = false;
    const thread: GemmThread = {
      postMessage: (message) => worker.postMessage(message),
      onMessage: (listener) => {
        worker.on("message", listener);
        // a 'message' listener refs the worker's port again (Node's port referencing): unref
        // after it, or the helper keeps the process alive
        worker.unref();
      },
      onFailure: (listener) => {
        worker.on("error", (e) => {
          failed = true;
          listener(e.message);
        });
        worker.on("exit", (code) => {
          if (!failed) listener(`exited with code ${code}`);
        });
      },
      terminate: () => {
        void worker.terminate();
      },
    };
    return thread;
  };
}

/** The threaded GEMM on `threads` threads (default: one per core) with Node worker threads. */
export function createNodeThreadedGemm(options: Partial<ThreadedGemmOptions> = {}): ThreadedGemm {
  return createThreadedWasmGemm({
    ...options,
    threads: options.threads ?? availableParallelism(),
    spawn: options.spawn ?? nodeGemmSpawner(),
  });
}
