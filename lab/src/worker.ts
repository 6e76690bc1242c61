/**
 * One run in a Web Worker: compiles the WebAssembly kernels, validates the spec and pulls rows
 * from the engine's stream, posting them to the page in batches (at most every 40 ms, so a
 * fast run does not flood the main thread with messages). Pause = stop pulling; resume = pull
 * again; stop = abort (the run ends "interrupted" with what it recorded). After "done" the
 * worker takes the next "start".
 */
import {
  createThreadedWasmGemm,
  loadWasmKernels,
  type MatrixKernels,
  type Row,
  type SimulationStream,
  type Spec,
  simulateStream,
  type ThreadedGemm,
  teacherOf,
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
/** The matrix products' kernel, kept for the next run (its helper workers cost a start). */
let gemm: ThreadedGemm | null = null;
/** The current run's (undefined: the engine's TypeScript kernel, WebAssembly being absent). */
let runKernels: MatrixKernels | undefined;

/**
 * The threaded WebAssembly GEMM on `threads` threads: helper Web Workers where the page is
 * cross-origin isolated (SharedArrayBuffer exists), else this thread alone, the name saying
 * why. Awaited before the run: a helper does not start while this worker is blocked in a
 * product.
 */
async function matrixKernels(threads: number): Promise<ThreadedGemm> {
  if (gemm && gemm.threads === threads) return gemm;
  gemm?.close();
  gemm = createThreadedWasmGemm({
    threads,
    // (without cross-origin isolation there is no SharedArrayBuffer: the GEMM never calls this)
    spawn: () => {
      const w = new Worker(new URL("./gemm-worker.js", import.meta.url), { type: "module" });
      return {
        postMessage: (message) => w.postMessage(message),
        onMessage: (listener) => {
          w.onmessage = (event) => listener(event.data);
        },
        onFailure: (listener) => {
          w.onerror = (event) => listener(event.message || "the worker failed to load");
        },
        terminate: () => w.terminate(),
      };
    },
  });
  await gemm.ready();
  return gemm;
}

/**
 * Metrics the views use (the neuron view, XD's angles, WA's components), added to the run when
 * they apply and the spec does not record them already. Their columns are marked "extra": the
 * page charts them but leaves them out of metrics.csv, which stays the CLI's.
 */
const viewMetrics: Record<string, string[]> = {
  weights: ["w", "a"],
  xd_angles: ["xd_angle", "xd_pair_angle"],
  wa_components: ["wa_A", "wa_B", "wa_C", "wa_D", "wa_B_over_A", "wa_D_over_C"],
};

function withViewMetrics(spec: Spec): { spec: Spec; added: string[] } {
  const added: string[] = [];
  let current = spec;
  for (const name of Object.keys(viewMetrics)) {
    if ((current.metrics as string[]).includes(name)) continue;
    const v = validateSpec({ ...current, metrics: [...current.metrics, name] });
    if (v.ok) {
      current = v.spec;
      added.push(name);
    }
  }
  return { spec: current, added };
}

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
          kernels: runKernels?.name ?? "portable",
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
    runKernels = webAssembly ? await matrixKernels(Math.max(1, msg.threads)) : undefined;
    post({ type: "ready", webAssembly });
    const v = validateSpec(msg.doc);
    if (!v.ok) {
      post({ type: "error", message: v.problems.map((p) => `${p.path}: ${p.message}`).join("\n") });
      return;
    }
    const { spec, added } = withViewMetrics(v.spec);
    const extraBases = new Set(added.flatMap((name) => viewMetrics[name]));
    let teacher: { r: number; V: number[] } | null = null;
    try {
      const t = teacherOf(v.spec);
      if (t) teacher = { r: t.r, V: Array.from(t.V) };
    } catch {
      teacher = null; // e.g. neurons from a .npy file the page does not have
    }
    started = performance.now();
    stream = simulateStream(spec, {
      signal: controller.signal,
      webAssembly,
      matrixKernels: runKernels,
      // a turn for pause/stop messages every 100 ms: a worker clamps the stream's setTimeout(0)
      // to 4 ms, which cost a fifth of the speed at the default 20 ms (measured by bench --only lab)
      yieldEveryMs: 100,
      onProgress: (p) => {
        const now = performance.now();
        if (now - lastProgress < 100) return;
        lastProgress = now;
        post({ type: "progress", ...p });
      },
    });
    stream.columns.then(
      (columns) =>
        post({
          type: "columns",
          columns,
          extra: columns.filter((c) => extraBases.has(c.replace(/\[.*$/, ""))),
          m: spec.student.width,
          d: spec.dimension,
          teacher,
        }),
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
