import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "../..");
const bin = path.join(root, "bin/overparam.js");

describe("WebAssembly under a memory limit", () => {
  it("falls back to the TypeScript loops and says so in the manifest (ulimit -v 8 GB)", () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), "overparam-wasm-")), "run");
    // each WebAssembly instance reserves address space: under ulimit -v it cannot be created
    const r = spawnSync(
      "bash",
      [
        "-c",
        `ulimit -v 8000000 && node "${bin}" run xd-fig1 --set sweep=null --set optimizer.steps=2000 --out "${out}" --quiet`,
      ],
      { encoding: "utf8" },
    );
    expect(r.status, r.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(path.join(out, "manifest.json"), "utf8"));
    expect(manifest.status).toBe("completed");
    expect(manifest.notes.join(" ")).toMatch(/WebAssembly kernels unavailable.*TypeScript loops/);
  });
});
