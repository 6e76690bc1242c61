/**
 * One run in a Web Worker: compiles the WebAssembly kernels, validates the spec and pulls rows
 * from the engine's stream, posting them to the page in batches (at most every 40 ms, so a
 * fast run does not flood the main thread with messages). Pause = stop pulling; resume = pull
 * again; stop = abort (the run ends "interrupted" with what it recorded). After "done" the
 * worker takes the next "start".
 */
import {
  loadWasmKernels,
  type Row,
  type SimulationStream,
  simulateStream,
  validateSpec,
} from "./engine.js";
import type { FromWorker, ToWorker } from "./protocol.js";

interface WorkerScope {
  postMessage(message: FromWorker): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
}
const scope = self as unknown as WorkerScope;
const post = (m: FromWorker) => scope.postMessage(m);

let stream: SimulationStream | null = null;
let paused = false;
let pumping = false;
let started = 0;
let controller = new AbortController();
let pending: Row[] = [];
let lastFlush = 0;
let lastProgress = 0;

function flush(force = false): void {
  const now = performance.now();
  if (!pending.length || (!force && now - lastFlush < 40)) return;
  post({ type: "rows", rows: pending });
  pending = [];
  lastFlush = now;
}

async function pump(): Promise<void> {
  if (!stream || pumping) return;
  pumping = true;
  try {
    while (!paused) {
      const r = await stream.next();
      if (r.done) {
        flush(true);
        const result = await stream.result;
        post({
          type: "done",
          status: result.status,
          reason: result.reason,
          finalLoss: result.finalLoss,
          summary: result.summary,
          seconds: (performance.now() - started) / 1000,
        });
        stream = null;
        return;
      }
      pending.push(r.value);
      flush();
    }
    flush(true);
  } catch (e) {
    post({ type: "error", message: (e as Error).message ?? String(e) });
    stream = null;
  } finally {
    pumping = false;
  }
}

scope.onmessage = async (event) => {
  const msg = event.data;
  if (msg.type === "start") {
    // a worker runs one spec at a time and is reused for the next (creating workers costs the page)
    if (stream) {
      post({ type: "error", message: "this worker is still running" });
      return;
    }
    paused = false;
    pending = [];
    controller = new AbortController();
    const webAssembly = await loadWasmKernels().catch(() => false);
    post({ type: "ready", webAssembly });
    const v = validateSpec(msg.doc);
    if (!v.ok) {
      post({ type: "error", message: v.problems.map((p) => `${p.path}: ${p.message}`).join("\n") });
      return;
    }
    started = performance.now();
    stream = simulateStream(v.spec, {
      signal: controller.signal,
      webAssembly,
      yieldEveryMs: 20,
      onProgress: (p) => {
        const now = performance.now();
        if (now - lastProgress < 100) return;
        lastProgress = now;
        post({ type: "progress", ...p });
      },
    });
    stream.columns.then(
      (columns) => post({ type: "columns", columns }),
      () => {}, // a setup error ends the stream too, and pump() reports it
    );
    void pump();
  } else if (msg.type === "pause") {
    paused = true;
    post({ type: "paused" });
  } else if (msg.type === "resume") {
    paused = false;
    post({ type: "resumed" });
    void pump();
  } else if (msg.type === "stop") {
    controller.abort();
    // a paused run must be pulled to its end to learn its final status
    paused = false;
    void pump();
  }
};
