/**
 * MatrixKernels backed by the system's CBLAS `cblas_dgemm` (OpenBLAS by default), called
 * through the koffi foreign-function interface, for Node only (issue 11, item 2).
 *
 * Why: the DU step is two float64 products of ~8 GFLOP each. Measured on the 2-core
 * development machine (BENCHMARKS.md): ONNX Runtime's float64 Gemm (MLAS) reaches ~60–76
 * GFLOP/s, numpy's bundled OpenBLAS ~91, Debian's OpenBLAS (`libopenblas0-pthread`) called
 * from Node ~100 — the products alone through ORT take longer than numpy's whole step, so BLAS
 * parity needs a BLAS. koffi is an optional dependency whose prebuilt binaries come from the
 * npm registry (no compiler, no download at install); the library comes from the system:
 * `apt-get install libopenblas0-pthread` on Debian/Ubuntu, or any CBLAS named by
 * $OVERPARAM_BLAS (a path or a soname). Where neither loads, or the library fails the
 * self-check below, `loadBlasKernels` says why and the caller falls back.
 *
 * The operands are passed as pointers into the caller's Float64Arrays (koffi does not copy
 * typed arrays), and C is written in place: no copies. Products too small to pay for the call
 * stay on the portable kernel, as with ONNX Runtime.
 */
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import type { MatrixKernels } from "../core/linalg/gemm.js";
import {
  checkAgainstPortable,
  checkAxpyAgainstLoop,
  firstLine,
  type NativeAxpy,
  type NativeGemm,
  nativeKernels,
} from "./native.js";

export interface BlasKernelOptions {
  /**
   * Threads for each product (default: all cores). OpenBLAS's thread count is one setting for
   * the whole process; every product sets it to its own kernels' count before it runs, so
   * kernels in pool workers (one thread each) and a lone run (all cores) can coexist.
   */
  threads?: number;
  /** Products with fewer multiply-adds (M·N·K) than this use the portable kernel. */
  minWork?: number;
  /** The library to load (default $OVERPARAM_BLAS, else OpenBLAS by its usual names). */
  library?: string;
}

/** Below ~250 000 multiply-adds the portable kernel takes well under a millisecond. */
export const BLAS_MIN_WORK = 1 << 18;

/** Where OpenBLAS usually is: Debian/Ubuntu's alternatives link, then the plain names. */
const OPENBLAS_NAMES = ["libopenblas.so.0", "libopenblas.so", "libopenblas.dylib"];

const ROW_MAJOR = 101;
const NO_TRANS = 111;
const TRANS = 112;

type Dgemm = (
  order: number,
  transA: number,
  transB: number,
  M: number,
  N: number,
  K: number,
  alpha: number,
  A: Float64Array,
  lda: number,
  B: Float64Array,
  ldb: number,
  beta: number,
  C: Float64Array,
  ldc: number,
) => void;

type Daxpy = (
  n: number,
  alpha: number,
  x: Float64Array,
  incx: number,
  y: Float64Array,
  incy: number,
) => void;

interface KoffiLibrary {
  func(signature: string): (...args: unknown[]) => unknown;
}

/** Libraries loaded in this thread, by what was asked for ("" = the default OpenBLAS names). */
const loadedLibraries = new Map<string, NonNullable<ReturnType<typeof loadLibrary>>>();

function loadLibrary(library: string | undefined): {
  dgemm: Dgemm;
  daxpy: Daxpy | null;
  setThreads: ((n: number) => void) | null;
  name: string;
} {
  const require = createRequire(import.meta.url);
  const koffi = require("koffi") as { load(path: string): KoffiLibrary };
  const names = library ? [library] : OPENBLAS_NAMES;
  const failures: string[] = [];
  for (const name of names) {
    let lib: KoffiLibrary;
    try {
      lib = koffi.load(name);
    } catch (e) {
      failures.push(`${name}: ${firstLine(e)}`);
      continue;
    }
    const dgemm = lib.func(
      "void cblas_dgemm(int order, int transA, int transB, int M, int N, int K, double alpha, const double *A, int lda, const double *B, int ldb, double beta, double *C, int ldc)",
    ) as unknown as Dgemm;
    let daxpy: Daxpy | null = null;
    try {
      daxpy = lib.func(
        "void cblas_daxpy(int n, double alpha, const double *x, int incx, double *y, int incy)",
      ) as unknown as Daxpy;
    } catch {
      // a CBLAS without level 1: the engine's loop does the GD update
    }
    let setThreads: ((n: number) => void) | null = null;
    try {
      setThreads = lib.func("void openblas_set_num_threads(int n)") as (n: number) => void;
    } catch {
      // not OpenBLAS: the library's own threading (e.g. its environment variables) applies
    }
    return { dgemm, daxpy, setThreads, name };
  }
  throw new Error(`no CBLAS library loaded (${failures.join("; ")})`);
}

/**
 * BLAS kernels, checked on small products of every transpose combination against the portable
 * kernel; `kernels` is null (and `reason` says why) when that is not possible here.
 */
export function loadBlasKernels(options: BlasKernelOptions = {}): {
  kernels: MatrixKernels | null;
  reason: string;
} {
  const library = options.library ?? process.env.OVERPARAM_BLAS ?? undefined;
  try {
    if (!loadedLibraries.has(library ?? ""))
      loadedLibraries.set(library ?? "", loadLibrary(library));
  } catch (e) {
    const install = library
      ? `$OVERPARAM_BLAS = ${library}`
      : "install libopenblas0-pthread (apt-get) or name a CBLAS library in $OVERPARAM_BLAS";
    return { kernels: null, reason: `BLAS is not available: ${firstLine(e)}; ${install}` };
  }
  const { dgemm, daxpy, setThreads, name: libraryName } = loadedLibraries.get(library ?? "")!;
  const threads = Math.max(1, Math.floor(options.threads ?? availableParallelism()));
  const minWork = options.minWork ?? BLAS_MIN_WORK;
  const short = libraryName.replace(/^.*\//, "").replace(/\.so.*$|\.dylib$/, "");

  const native: NativeGemm = (transA, transB, M, N, K, A, B, C) => {
    setThreads?.(threads);
    // row-major leading dimensions: a stored matrix's row length
    const lda = transA ? M : K;
    const ldb = transB ? K : N;
    dgemm(
      ROW_MAJOR,
      transA ? TRANS : NO_TRANS,
      transB ? TRANS : NO_TRANS,
      M,
      N,
      K,
      1,
      A,
      Math.max(1, lda),
      B,
      Math.max(1, ldb),
      0,
      C,
      Math.max(1, N),
    );
  };

  // the GD update of a large θ: OpenBLAS's daxpy is SIMD with fused multiply-adds (results
  // within an ulp of the loop's) and threaded — ~2.4 ms against ~10 ms for 4·10⁶ entries
  const axpy: NativeAxpy | undefined = daxpy
    ? (alpha, x, y) => {
        setThreads?.(threads);
        daxpy(y.length, alpha, x, 1, y, 1);
      }
    : undefined;
  const kernels = nativeKernels(
    `${short} ${threads} thread${threads === 1 ? "" : "s"}`,
    minWork,
    native,
    axpy,
  );
  // Products through the library itself before it is trusted: this catches a library without
  // cblas_dgemm, another calling convention, or typed-array views not passed where they start.
  try {
    checkAgainstPortable(native);
    if (axpy) checkAxpyAgainstLoop(axpy);
  } catch (e) {
    return { kernels: null, reason: `${libraryName} failed its self-check: ${firstLine(e)}` };
  }
  return { kernels, reason: "" };
}
