/**
 * Transparent huge pages for the engine's large arrays, in Node on Linux (issue 11, item 2).
 *
 * Why: a DU step streams ~100 MB of float64 arrays (θ, ∇θ, Z) through passes that are bound by
 * memory, not arithmetic (the GD update, the elementwise pass between the products), and a run
 * touches each of them for the first time inside its first step. With 4 KiB pages that is ~8 000
 * page faults and TLB misses per 32 MB array; with 2 MiB pages ~16. numpy asks for huge pages
 * on every large array it allocates (madvise(MADV_HUGEPAGE), its default on Linux); this gives
 * overparam's arrays the same. Measured on the 2-core development machine: a 4·10⁶-entry daxpy
 * 5.0 → 3.0 ms on one thread (BENCHMARKS.md).
 *
 * Advice only: the kernel may ignore it (THP "never", no free huge pages), nothing changes in
 * the numbers, and where koffi or libc is missing it is a no-op.
 */
import { createRequire } from "node:module";

/** Below this an array is not worth a system call (and holds at most one whole huge page). */
export const HUGE_PAGE_MIN_BYTES = 4 << 20;
const HUGE_PAGE = 2n << 20n;
const MADV_HUGEPAGE = 14;

interface Libc {
  /** The address of a typed array's first entry. */
  address(array: Float64Array): bigint;
  madvise(address: bigint, length: number, advice: number): number;
}

let libc: Libc | null | undefined; // undefined: not tried yet

function load(): Libc | null {
  if (process.platform !== "linux") return null;
  try {
    const require = createRequire(import.meta.url);
    const koffi = require("koffi") as {
      load(path: string): { func(signature: string): (...args: unknown[]) => unknown };
      address(pointer: unknown): bigint | number;
    };
    const libc = koffi.load("libc.so.6");
    // memmove(p, p, 0) returns p: the address of a typed array's first entry
    const memmove = libc.func("void *memmove(void *dest, const void *src, size_t n)");
    const madvise = libc.func("int madvise(uintptr_t addr, size_t length, int advice)");
    return {
      address: (array) => BigInt(koffi.address(memmove(array, array, 0))),
      madvise: (address, length, advice) => madvise(address, length, advice) as number,
    };
  } catch {
    return null;
  }
}

/** Where `array` starts in this process's memory (null without koffi or off Linux); for tests. */
export function arrayAddress(array: Float64Array): bigint | null {
  if (libc === undefined) libc = load();
  return libc ? libc.address(array) : null;
}

/**
 * Asks the OS to back `array` with huge pages from its next page fault on: call it on a fresh
 * array before it is first written (already-touched pages stay small). Small arrays are left.
 */
export function adviseHugePages(array: Float64Array): void {
  if (array.byteLength < HUGE_PAGE_MIN_BYTES) return;
  if (libc === undefined) libc = load();
  if (!libc) return;
  const start = libc.address(array);
  // whole huge pages inside the array only: advice applies to whole pages of the mapping
  const first = (start + HUGE_PAGE - 1n) & ~(HUGE_PAGE - 1n);
  const end = (start + BigInt(array.byteLength)) & ~(HUGE_PAGE - 1n);
  if (end > first) libc.madvise(first, Number(end - first), MADV_HUGEPAGE);
}
