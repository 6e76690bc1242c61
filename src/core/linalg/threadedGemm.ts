import { kernelModule } from "../wasm/kernels.js";
import { checkGemmShapes, type MatrixKernels } from "./gemm.js";
import { createWasmGemm, type WasmGemm } from "./wasmGemm.js";

/**
 * The WebAssembly SIMD GEMM on several threads (issue 11): the calling thread and helper
 * threads (Node worker threads, browser Web Workers) each compute a block of C with their own
 * instance of the same kernel. gemm() stays synchronous, as the engine's loop is: the caller
 * stages the operands in a SharedArrayBuffer, wakes the helpers through Atomics.notify,
 * computes its own block straight from its arrays, then waits (Atomics.wait, always with a
 * timeout) for the helpers' blocks and copies them into C.
 *
 * Every entry of C is the kernel's sum over k in the same order whichever block and thread
 * computes it (wasmGemm.ts `region`), so the numbers are bit for bit those of the one-thread
 * kernel for any thread count: a run's results do not depend on the machine's cores.
 *
 * This file is browser-safe (no Node import): the environment supplies `spawn`, which starts a
 * thread running a script that calls serveGemmThread (src/kernels/gemmThread.ts in Node,
 * lab/src/gemmWorker.ts in the lab).
 */

/** A helper thread as its environment made it (a Node Worker or a browser Worker, wrapped). */
export interface GemmThread {
  postMessage(message: unknown): void;
  /** Calls `listener` with each message the thread posts. */
  onMessage(listener: (message: unknown) => void): void;
  /** Calls `listener` when the thread fails to load, throws, or exits. */
  onFailure(listener: (reason: string) => void): void;
  terminate(): void;
}

/** Starts helper thread number `index` (1, 2, …; the caller is thread 0). May throw. */
export type SpawnGemmThread = (index: number) => GemmThread;

/** What the helper script sees of its own thread (`parentPort` in Node, `self` in a Worker). */
export interface GemmThreadScope {
  postMessage(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
}

export interface ThreadedGemmOptions {
  /** Threads in all, the caller included (1: no helpers, the one-thread kernel). */
  threads: number;
  /** Starts a helper; required when threads > 1. */
  spawn?: SpawnGemmThread;
  /**
   * Products with M·N·K below this run on the calling thread alone (waking helpers and
   * staging operands costs tens of microseconds; default 2²¹, about 0.25 ms of kernel time).
   */
  minWork?: number;
  /** How long helpers may take to start before the products go on without them (default 10 s). */
  readyTimeoutMs?: number;
  /**
   * How long the caller waits for a helper's block after finishing its own before computing it
   * itself (default: the larger of 10 s and 20 times the caller's own block).
   */
  jobTimeoutMs?: number;
  /** Most bytes of shared memory for staged operands and product (default 1 GiB). */
  maxSharedBytes?: number;
  /** Each thread's WebAssembly memory budget (as createWasmGemm's). */
  budgetBytes?: number;
}

export interface ThreadedGemm extends MatrixKernels {
  /** Threads the products use now, the caller included (fewer after a helper failed). */
  readonly threads: number;
  /**
   * Starts the helpers and resolves once each is ready or has failed (or the start timeout
   * passed). A browser worker must await this before its first product: a Web Worker does not
   * start while its creator is blocked. In Node the first large product starts them and waits.
   */
  ready(): Promise<void>;
  /** Ends the helper threads; later products run on the calling thread. */
  close(): void;
}

// Control words (Int32Array over a SharedArrayBuffer). The header describes the current job;
// each helper has a slot with its state, the job it last finished, its block of C, and the
// text of its failure (so the caller can name it without receiving a message).
const SEQ = 0; // job number; helpers wait for it to change
const STOP = 1; // non-zero: helpers leave their loop
const TRANS_A = 2;
const TRANS_B = 3;
const DIM_M = 4;
const DIM_N = 5;
const DIM_K = 6;
const OFF_A = 7; // operands and product in the data buffer, in doubles
const OFF_B = 8;
const OFF_C = 9;
const HEADER = 16;
const STATE = 0;
const DONE = 1;
const R0 = 2;
const R1 = 3;
const C0 = 4;
const C1 = 5;
const TEXT_LEN = 6;
const TEXT = 8;
const SLOT = 128; // ints per helper: TEXT..SLOT holds up to 120 characters
const STARTING = 0;
const READY = 1;
const FAILED = 2;

interface InitMessage {
  type: "gemm-thread-init";
  index: number;
  module: WebAssembly.Module;
  control: SharedArrayBuffer;
  data: SharedArrayBuffer;
  budgetBytes?: number;
}

const slotOf = (index: number) => HEADER + (index - 1) * SLOT;

function writeText(ctl: Int32Array, slot: number, text: string): void {
  const n = Math.min(text.length, SLOT - TEXT);
  for (let i = 0; i < n; i++) ctl[slot + TEXT + i] = text.charCodeAt(i);
  Atomics.store(ctl, slot + TEXT_LEN, n);
}

function readText(ctl: Int32Array, slot: number): string {
  const n = Atomics.load(ctl, slot + TEXT_LEN);
  let s = "";
  for (let i = 0; i < n; i++) s += String.fromCharCode(ctl[slot + TEXT + i]);
  return s;
}

/** Marks a helper failed with its reason and wakes a caller waiting on it. */
function markFailed(ctl: Int32Array, slot: number, reason: string): void {
  if (Atomics.load(ctl, slot + STATE) === FAILED) return;
  writeText(ctl, slot, reason);
  Atomics.store(ctl, slot + STATE, FAILED);
  Atomics.notify(ctl, slot + STATE);
  Atomics.notify(ctl, slot + DONE);
}

/** A growable SharedArrayBuffer (ES2024; Node 20, Chrome 111, Firefox 119, Safari 16.4), or null. */
function growableShared(maxBytes: number): SharedArrayBuffer | null {
  try {
    const Shared = SharedArrayBuffer as unknown as new (
      bytes: number,
      options: { maxByteLength: number },
    ) => SharedArrayBuffer & { growable?: boolean };
    const buffer = new Shared(0, { maxByteLength: maxBytes });
    return buffer.growable === true ? buffer : null;
  } catch {
    return null;
  }
}

/** Atomics.wait; false where this thread may not block (a page's main thread). */
function block(ctl: Int32Array, index: number, value: number, ms: number): boolean {
  try {
    Atomics.wait(ctl, index, value, ms);
    return true;
  } catch {
    return false;
  }
}

/** Blocks of [0, n) for `parts` threads, cut at multiples of 4 (the kernel's register tile). */
function blocks(n: number, parts: number): [number, number][] {
  const step = Math.ceil(n / parts / 4) * 4;
  const out: [number, number][] = [];
  for (let p = 0; p < parts; p++) out.push([Math.min(n, p * step), Math.min(n, (p + 1) * step)]);
  return out;
}

/**
 * Listens to a helper: a failure marks its slot (waking a caller blocked on it), any message
 * wakes ready(). Made here, not inside createThreadedWasmGemm, so that the listeners, which the
 * thread holds, do not hold the GEMM (see finalizer).
 */
function watch(thread: GemmThread, ctl: Int32Array, slot: number, wakers: (() => void)[]): void {
  thread.onFailure((reason) => markFailed(ctl, slot, reason));
  thread.onMessage(() => {
    for (const wake of wakers.splice(0)) wake();
  });
}

/** What a threaded GEMM holds outside itself: its control words and the threads it started. */
interface Resources {
  control: Int32Array | null;
  threads: GemmThread[];
}

/** Asks every helper to leave its loop and terminates it. */
function release(res: Resources): void {
  if (res.control) {
    Atomics.store(res.control, STOP, 1);
    Atomics.add(res.control, SEQ, 1);
    Atomics.notify(res.control, SEQ);
  }
  for (const thread of res.threads.splice(0))
    try {
      thread.terminate();
    } catch {
      // already gone
    }
}

/**
 * A GEMM dropped without close() ends its threads when it is garbage-collected (an engine
 * abandoned mid-run). The held Resources never point back at the GEMM, or it would never go.
 */
const finalizer =
  typeof FinalizationRegistry === "undefined" ? null : new FinalizationRegistry(release);

const now = () => (typeof performance !== "undefined" ? performance.now() : Date.now());

/**
 * The threaded GEMM. Nothing starts at creation: the helpers are spawned by ready() or by the
 * first product of at least `minWork`, and handed the compiled kernel module and the shared
 * buffers. Where threads cannot exist (threads ≤ 1, no spawn, no SharedArrayBuffer or
 * Atomics, no WebAssembly SIMD) every product runs on the calling thread and `name` says why.
 */
export function createThreadedWasmGemm(options: ThreadedGemmOptions): ThreadedGemm {
  if (!(options.threads >= 1))
    throw new RangeError(`threads: ${options.threads} is not a thread count (1 or more)`);
  const wanted = Math.floor(options.threads);
  const minWork = options.minWork ?? 2 ** 21;
  const readyTimeout = options.readyTimeoutMs ?? 10_000;
  const maxShared = options.maxSharedBytes ?? 2 ** 30;
  const local = createWasmGemm({ budgetBytes: options.budgetBytes });

  let why = ""; // why fewer threads than wanted, in words
  if (wanted > 1) {
    if (typeof SharedArrayBuffer === "undefined" || typeof Atomics === "undefined")
      why = "no SharedArrayBuffer: the page is not cross-origin isolated";
    else if (!options.spawn) why = "no way to start threads here";
  }
  const res: Resources = { control: null, threads: [] };
  let control: Int32Array | null = null;
  let data: SharedArrayBuffer | null = null;
  let dataView: Float64Array<ArrayBufferLike> = new Float64Array(0);
  /** Helper indices in use (1-based), and every thread started with its index. */
  let live: number[] = [];
  const started: { index: number; thread: GemmThread }[] = [];
  let phase: "idle" | "starting" | "running" | "closed" = wanted > 1 && !why ? "idle" : "closed";
  let readyPromise: Promise<void> | null = null;
  /** ready()'s pending wake-ups, resolved by any helper message. */
  const wakers: (() => void)[] = [];
  let startedAt = 0;

  const drop = (index: number, reason: string) => {
    if (!live.includes(index)) return;
    live = live.filter((i) => i !== index);
    why = why ? `${why}; ${reason}` : reason;
    const entry = started.find((s) => s.index === index);
    try {
      entry?.thread.terminate();
    } catch {
      // already gone
    }
  };

  /** Ends every helper (after a failure mid-product, or close()): one thread from then on. */
  const stopAll = (reason: string) => {
    release(res);
    live = [];
    if (reason) why = why ? `${why}; ${reason}` : reason;
    phase = "closed";
  };

  const start = () => {
    if (phase !== "idle") return;
    phase = "starting";
    const module = kernelModule();
    if (!module) {
      why = "WebAssembly SIMD is unavailable";
      phase = "closed";
      return;
    }
    data = growableShared(maxShared);
    if (!data) {
      why = "SharedArrayBuffer cannot grow here";
      phase = "closed";
      return;
    }
    control = new Int32Array(new SharedArrayBuffer((HEADER + (wanted - 1) * SLOT) * 4));
    res.control = control;
    const ctl = control;
    startedAt = now();
    for (let index = 1; index < wanted; index++) {
      const slot = slotOf(index);
      let thread: GemmThread;
      try {
        thread = (options.spawn as SpawnGemmThread)(index);
      } catch (e) {
        why = why ? `${why}; ` : "";
        why += `thread ${index} could not start (${(e as Error).message})`;
        continue;
      }
      started.push({ index, thread });
      res.threads.push(thread);
      live.push(index);
      watch(thread, ctl, slot, wakers);
      const init: InitMessage = {
        type: "gemm-thread-init",
        index,
        module,
        control: ctl.buffer as SharedArrayBuffer,
        data,
        budgetBytes: options.budgetBytes,
      };
      try {
        thread.postMessage(init);
      } catch (e) {
        markFailed(ctl, slot, `no start message (${(e as Error).message})`);
      }
    }
    if (live.length === 0) stopAll("");
  };
  /** Drops helpers that failed or did not start in time; `wait`: wait for them (Node). */
  const settle = (wait: boolean) => {
    if (phase !== "starting" || !control) return;
    const ctl = control;
    for (const index of [...live]) {
      const slot = slotOf(index);
      for (;;) {
        const state = Atomics.load(ctl, slot + STATE);
        if (state === READY) break;
        if (state === FAILED) {
          drop(index, `thread ${index} failed to start: ${readText(ctl, slot)}`);
          break;
        }
        const left = startedAt + readyTimeout - now();
        if (left <= 0) {
          drop(index, `thread ${index} did not start within ${readyTimeout / 1000} s`);
          break;
        }
        if (!wait) return; // still starting: ready() waits for a message
        if (!block(ctl, slot + STATE, STARTING, left)) {
          stopAll("this thread may not wait (a page's main thread)");
          return;
        }
      }
    }
    if (live.length === 0) stopAll("");
    else phase = "running";
  };

  let seq = 0;
  /** The product on all threads; false when it could not be shared out (the caller then runs it alone). */
  const product = (
    ...[transA, transB, M, N, K, A, B, C]: Parameters<MatrixKernels["gemm"]>
  ): boolean => {
    const ctl = control as Int32Array;
    // the longer side of C is cut, so each thread copies the whole of the shorter operand
    const byRows = M >= N;
    const parts = blocks(byRows ? M : N, live.length + 1).filter(([a, b]) => b > a);
    if (parts.length < 2) return false;
    const need = (M * K + K * N + M * N) * 8;
    const buffer = data as unknown as { byteLength: number; grow(bytes: number): void };
    if (buffer.byteLength < need) {
      try {
        if (need > maxShared) throw new Error(`over the ${maxShared}-byte limit`);
        buffer.grow(Math.min(maxShared, Math.ceil(need / 2 ** 20) * 2 ** 20));
      } catch (e) {
        const note = `products over ${need} bytes on one thread (shared memory: ${(e as Error).message})`;
        if (!why.includes("products over")) why = why ? `${why}; ${note}` : note;
        return false;
      }
    }
    if (dataView.byteLength !== buffer.byteLength)
      dataView = new Float64Array(data as SharedArrayBuffer);
    const offB = M * K;
    const offC = offB + K * N;
    // Only what the helpers read: the whole of the operand that is not cut, and of the cut one
    // the helpers' rows (op(A) rows of a stored M×K A) or columns (op(B) columns of a stored
    // N×K B) where those are contiguous, at their usual offsets; else all of it.
    const first = parts[1][0]; // where the helpers' blocks begin
    const fromA = byRows && !transA ? first * K : 0;
    const fromB = !byRows && transB ? first * K : 0;
    dataView.set(A.subarray(fromA, M * K), fromA);
    dataView.set(B.subarray(fromB, K * N), offB + fromB);
    ctl[TRANS_A] = transA ? 1 : 0;
    ctl[TRANS_B] = transB ? 1 : 0;
    ctl[DIM_M] = M;
    ctl[DIM_N] = N;
    ctl[DIM_K] = K;
    ctl[OFF_A] = 0;
    ctl[OFF_B] = offB;
    ctl[OFF_C] = offC;
    // Every live helper takes part in every job, some with an empty block: the caller waits
    // for all of them, so none can still be reading this job's words when the next is written.
    const helpers = live.slice();
    helpers.forEach((index, h) => {
      const slot = slotOf(index);
      const [a, b] = parts[h + 1] ?? [0, 0];
      ctl[slot + R0] = byRows ? a : 0;
      ctl[slot + R1] = byRows ? b : M;
      ctl[slot + C0] = byRows ? 0 : a;
      ctl[slot + C1] = byRows ? N : b;
    });
    seq = Atomics.add(ctl, SEQ, 1) + 1; // publishes the writes above
    Atomics.notify(ctl, SEQ);
    const t0 = now();
    const [a0, b0] = parts[0];
    try {
      if (byRows) local.region(transA, transB, M, N, K, A, B, C, a0, b0, 0, N);
      else local.region(transA, transB, M, N, K, A, B, C, 0, M, a0, b0);
    } catch (e) {
      // the helpers are still at this job: end them before anything else is staged
      stopAll(`a product failed: ${(e as Error).message}`);
      throw e;
    }
    const timeout = options.jobTimeoutMs ?? Math.max(10_000, 20 * (now() - t0));
    const deadline = now() + timeout;
    let failure = "";
    helpers.forEach((index, h) => {
      const slot = slotOf(index);
      const [a, b] = parts[h + 1] ?? [0, 0];
      let ok = false;
      for (;;) {
        const done = Atomics.load(ctl, slot + DONE);
        if (done === seq) {
          ok = true;
          break;
        }
        if (Atomics.load(ctl, slot + STATE) === FAILED) {
          failure ||= `thread ${index} failed: ${readText(ctl, slot)}`;
          break;
        }
        const left = deadline - now();
        if (left <= 0) {
          failure ||= `thread ${index} took over ${(timeout / 1000).toFixed(1)} s`;
          break;
        }
        if (!block(ctl, slot + DONE, done, left)) {
          failure ||= "this thread may not wait (a page's main thread)";
          break;
        }
      }
      const r0 = byRows ? a : 0;
      const r1 = byRows ? b : M;
      const c0 = byRows ? 0 : a;
      const c1 = byRows ? N : b;
      if (b <= a) return;
      if (!ok) {
        // the same kernel on this thread: the same numbers, only later
        local.region(transA, transB, M, N, K, A, B, C, r0, r1, c0, c1);
        return;
      }
      if (byRows) C.set(dataView.subarray(offC + r0 * N, offC + r1 * N), r0 * N);
      else
        for (let r = 0; r < M; r++)
          C.set(dataView.subarray(offC + r * N + c0, offC + r * N + c1), r * N + c0);
    });
    // a helper that failed or hung may still write into the shared buffer: end them all
    if (failure) stopAll(`${failure}; one thread since`);
    return true;
  };

  const gemm: ThreadedGemm = {
    get name() {
      const n = gemm.threads;
      const base = `wasm ${n} thread${n === 1 ? "" : "s"}`;
      const inner = local.name === "wasm" ? "" : ` [${local.name}]`;
      return `${base}${inner}${why && wanted > 1 ? ` (${why})` : ""}`;
    },
    get threads() {
      if (phase === "idle") return wanted; // not started yet: what it will use
      return phase === "closed" ? 1 : 1 + live.length;
    },
    gemm(transA, transB, M, N, K, A, B, C) {
      checkGemmShapes(M, N, K, A, B, C);
      if (M === 0 || N === 0) return;
      if (phase !== "closed" && M * N * K >= minWork) {
        start();
        settle(true);
        if (phase === "running" && product(transA, transB, M, N, K, A, B, C)) return;
      }
      local.region(transA, transB, M, N, K, A, B, C, 0, M, 0, N);
    },
    ready() {
      readyPromise ??= (async () => {
        start();
        const deadline = now() + readyTimeout;
        while (phase === "starting") {
          settle(false);
          if (phase !== "starting") break;
          const left = deadline - now();
          if (left <= 0) {
            settle(true); // past the deadline: drops the stragglers without waiting
            break;
          }
          // woken by a helper's message, or by a short poll (a failure may have no message)
          await new Promise<void>((resolve) => {
            wakers.push(resolve);
            setTimeout(resolve, Math.min(left, 50));
          });
          wakers.length = 0;
        }
      })();
      return readyPromise;
    },
    close() {
      if (phase !== "closed" || res.threads.length > 0) stopAll("");
      finalizer?.unregister(gemm);
    },
  };
  finalizer?.register(gemm, res, gemm);
  return gemm;
}

/**
 * The helper thread's side: waits for its start message, instantiates the kernel module it was
 * given, reports ready, then loops (blocking this thread, which only serves products): wait for
 * a new job number, compute its block of C from the staged operands into the shared product,
 * store the job number as done. A failure is written into its control slot, where the caller
 * finds it without a message, and the thread stops serving.
 */
export function serveGemmThread(scope: GemmThreadScope): void {
  let begun = false;
  scope.onMessage((message) => {
    const init = message as InitMessage;
    if (begun || init?.type !== "gemm-thread-init") return;
    begun = true;
    const ctl = new Int32Array(init.control);
    const slot = slotOf(init.index);
    let kernel: WasmGemm;
    try {
      kernel = createWasmGemm({ module: init.module, budgetBytes: init.budgetBytes });
      // instantiate now, so that a thread that cannot run the kernel says so at start
      kernel.gemm(
        false,
        false,
        1,
        1,
        1,
        new Float64Array(1),
        new Float64Array(1),
        new Float64Array(1),
      );
      if (kernel.name !== "wasm") throw new Error(kernel.name);
    } catch (e) {
      markFailed(ctl, slot, (e as Error).message);
      scope.postMessage({ type: "failed" });
      return;
    }
    // the job number before saying ready: the caller's first job, posted once it sees READY,
    // then always differs from it (read after, it could already be that job, and be missed)
    let seen = Atomics.load(ctl, SEQ);
    Atomics.store(ctl, slot + STATE, READY);
    Atomics.notify(ctl, slot + STATE);
    scope.postMessage({ type: "ready" });
    for (;;) {
      Atomics.wait(ctl, SEQ, seen);
      seen = Atomics.load(ctl, SEQ);
      if (Atomics.load(ctl, STOP) !== 0) return;
      const r0 = ctl[slot + R0];
      const r1 = ctl[slot + R1];
      const c0 = ctl[slot + C0];
      const c1 = ctl[slot + C1];
      if (r1 > r0 && c1 > c0) {
        const M = ctl[DIM_M];
        const N = ctl[DIM_N];
        const K = ctl[DIM_K];
        const all = new Float64Array(init.data);
        const A = all.subarray(ctl[OFF_A], ctl[OFF_A] + M * K);
        const B = all.subarray(ctl[OFF_B], ctl[OFF_B] + K * N);
        const C = all.subarray(ctl[OFF_C], ctl[OFF_C] + M * N);
        try {
          kernel.region(ctl[TRANS_A] === 1, ctl[TRANS_B] === 1, M, N, K, A, B, C, r0, r1, c0, c1);
          // the portable fallback would round differently from the caller's kernel
          if (kernel.name !== "wasm") throw new Error(kernel.name);
        } catch (e) {
          markFailed(ctl, slot, (e as Error).message);
          return;
        }
      }
      Atomics.store(ctl, slot + DONE, seen);
      Atomics.notify(ctl, slot + DONE);
    }
  });
}
