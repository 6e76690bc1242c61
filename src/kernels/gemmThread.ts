/**
 * A helper thread of the threaded WebAssembly GEMM in Node (src/core/linalg/threadedGemm.ts):
 * started by wasmThreads.ts, it serves products until its creator stops or terminates it.
 */
import { parentPort } from "node:worker_threads";
import { serveGemmThread } from "../core/linalg/threadedGemm.js";

if (!parentPort) throw new Error("gemmThread.js runs as a worker thread only");
const port = parentPort;
serveGemmThread({
  postMessage: (message) => port.postMessage(message),
  onMessage: (listener) => port.on("message", listener),
});
