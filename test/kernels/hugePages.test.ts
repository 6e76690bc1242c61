import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { kernelInstance } from "../../src/core/wasm/kernels.js";
import { adviseHugePages, arrayAddress, HUGE_PAGE_MIN_BYTES } from "../../src/kernels/hugePages.js";
import { selectKernels } from "../../src/kernels/index.js";

/** The VmFlags of the mapping of this process that holds `address` (/proc/self/smaps). */
function flagsAt(address: bigint): string[] {
  const lines = readFileSync("/proc/self/smaps", "utf8").split("\n");
  let inside = false;
  for (const line of lines) {
    const range = /^([0-9a-f]+)-([0-9a-f]+) /.exec(line);
    if (range) inside = BigInt(`0x${range[1]}`) <= address && address < BigInt(`0x${range[2]}`);
    else if (inside && line.startsWith("VmFlags:")) return line.slice(8).trim().split(/\s+/);
  }
  throw new Error(`no mapping holds 0x${address.toString(16)}`);
}

const MiB = 1 << 20;
const middle = (a: Float64Array) => arrayAddress(a)! + BigInt(a.byteLength >> 1);

// The advice is what overparam controls; whether the kernel then finds free huge pages is the
// system's (THP "never", fragmentation), so the tests read the advice flag ("hg") of the
// mapping, not AnonHugePages. Linux only, as the engine's use of it.
describe("huge-page advice for the engine's large arrays", () => {
  it("marks a large array's mapping (VmFlags hg), leaves small ones, and changes no value", () => {
    const large = new Float64Array((16 * MiB) / 8);
    expect(flagsAt(middle(large))).not.toContain("hg");
    adviseHugePages(large);
    expect(flagsAt(middle(large))).toContain("hg");
    const small = new Float64Array(HUGE_PAGE_MIN_BYTES / 8 - 1);
    adviseHugePages(small);
    expect(flagsAt(middle(small))).not.toContain("hg");
    for (let k = 0; k < large.length; k += 4099) large[k] = k * 0.5;
    for (let k = 0; k < large.length; k += 4099) expect(large[k]).toBe(k * 0.5);
  });

  it("reaches a WebAssembly instance's memory (where Z lives) and every Node backend", () => {
    const instance = kernelInstance((16 * MiB) / 8)!;
    const z = instance.f64.subarray(0, (16 * MiB) / 8);
    adviseHugePages(z);
    expect(flagsAt(middle(z))).toContain("hg");
    for (const choice of ["auto", "portable", "blas", "onnx", "wasm"] as const) {
      const selected = selectKernels({ choice, threads: 1 });
      const array = new Float64Array((8 * MiB) / 8);
      selected.kernels.adviseLargeArray!(array);
      expect(flagsAt(middle(array)), choice).toContain("hg");
      selected.close();
    }
  });
});
