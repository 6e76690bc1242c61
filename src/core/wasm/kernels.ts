import { KERNELS_WASM_BASE64 } from "./kernels.wasm.js";

/**
 * The WebAssembly SIMD kernels of assembly/kernels.ts (issue 4). Each user gets a private
 * instance with its own memory, sized once at creation (so views into it never detach and
 * the memory goes away with the object). Everything here is plain ECMAScript + WebAssembly:
 * it runs in Node and in a browser Web Worker. Where WebAssembly or its SIMD extension is
 * missing, or the engine's options switch them off, callers use their TypeScript loops instead.
 */
export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  matVec(n: number, P: number, x: number, y: number): void;
  angularEvaluate(
    m: number,
    r: number,
    d: number,
    wantGU: number,
    wantGA: number,
    alpha: number,
    beta: number,
    scale: number,
    teacherPairSum: number,
    U: number,
    A: number,
    units: number,
    vNorms: number,
    b: number,
    V: number,
    uNorms: number,
    gU: number,
    gA: number,
    scratch: number,
  ): number;
  angularGradientDescent(
    steps: number,
    eta: number,
    stopAbove: number,
    stopAtOrBelow: number,
    m: number,
    r: number,
    d: number,
    alpha: number,
    beta: number,
    scale: number,
    teacherPairSum: number,
    U: number,
    A: number,
    units: number,
    vNorms: number,
    b: number,
    V: number,
    uNorms: number,
    gU: number,
    scratch: number,
  ): number;
  /** Row stride (doubles) of angularEvaluate's units block for dimension d. */
  angularStride(d: number): number;
  /** Doubles of angularEvaluate's scratch block for m students and r teachers. */
  angularScratchDoubles(m: number, r: number): number;
  /**
   * θ, sin θ, g(θ) of n pairs from D = ‖x − y‖² and S = ‖x + y‖² (in place into D and S, g into
   * G; room for n rounded up to a multiple of 4; K: 26 doubles of scratch); byte offsets.
   */
  pairAnglesArray(n: number, D: number, S: number, G: number, K: number): void;
  /** y[k] = atan x[k] (k < n) by the two-lane atan of the angular kernel; byte offsets. */
  atanArray(n: number, x: number, y: number): void;
  quadraticMomentEvaluate(
    m: number,
    d: number,
    U: number,
    A: number,
    MstarPacked: number,
    P: number,
    B: number,
    delta: number,
    Pd: number,
    G: number,
    Gu: number,
    gU: number,
    gA: number,
    wantGU: number,
    wantGA: number,
    factor: number,
    epsSq: number,
  ): number;
  /** The large empirical loss's pass over Z between its two products (see assembly/kernels.ts). */
  empiricalRowPass(
    kind: number,
    n: number,
    m: number,
    Z: number,
    A: number,
    y: number,
    residual: number,
    twoS: number,
    wantCoef: number,
    wantGA: number,
    gA: number,
  ): number;
  /** Bytes of scratch that gemm needs at its `work` argument. */
  gemmWorkBytes(): number;
  gemm(
    transA: number,
    transB: number,
    M: number,
    N: number,
    K: number,
    A: number,
    B: number,
    C: number,
    work: number,
  ): void;
}

export interface KernelInstance {
  readonly exports: KernelExports;
  /** The whole memory as float64; array k of a layout starts at f64[offset]. */
  readonly f64: Float64Array;
}

let compiled: WebAssembly.Module | null | undefined;

function kernelBytes(): Uint8Array {
  const text = atob(KERNELS_WASM_BASE64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/**
 * The compiled kernel module, compiled synchronously at first use (allowed in Node and in a
 * Web Worker), or null where WebAssembly or its SIMD extension is missing. The cache holds an
 * immutable module: no option lives here (whether to use it is the engine's choice).
 */
export function kernelModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(kernelBytes());
    } catch {
      compiled = null; // no WebAssembly, or no SIMD: validation fails
    }
  }
  return compiled;
}

/**
 * Compiles the kernel module asynchronously (what a browser page should do once, in its
 * worker, before the first run); resolves to whether the kernels are available.
 */
export async function compileKernelModule(): Promise<boolean> {
  if (compiled !== undefined) return compiled !== null;
  try {
    compiled = await WebAssembly.compile(kernelBytes());
  } catch {
    compiled = null;
  }
  return compiled !== null;
}

/**
 * A private kernel instance with room for `doubles` float64 values, or null where the module
 * is unavailable. Throws when the instance or its memory cannot be allocated (the engine
 * catches that and falls back to the TypeScript loops).
 */
export function kernelInstance(doubles: number): KernelInstance | null {
  const module = kernelModule();
  if (!module) return null;
  const exports = new WebAssembly.Instance(module, {}).exports as unknown as KernelExports;
  const page = 65536;
  const needed = Math.ceil((doubles * 8) / page);
  const have = exports.memory.buffer.byteLength / page;
  if (needed > have) exports.memory.grow(needed - have);
  return { exports, f64: new Float64Array(exports.memory.buffer) };
}

/** Consecutive float64 regions of a kernel's memory: offsets in doubles. */
export function layout(sizes: readonly number[]): { offsets: number[]; total: number } {
  const offsets: number[] = [];
  let total = 0;
  for (const n of sizes) {
    offsets.push(total);
    total += n;
  }
  return { offsets, total };
}
