import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { combine } from "../../src/analysis/verdict.js";

describe("combine", () => {
  it("all pass → reproduced, none → not reproduced, some → partly", () => {
    expect(combine([true, true, true])).toBe("reproduced");
    expect(combine([true])).toBe("reproduced");
    expect(combine([false, false])).toBe("not reproduced");
    expect(combine([false])).toBe("not reproduced");
    expect(combine([true, false, true])).toBe("partly");
    expect(combine([false, true])).toBe("partly");
  });

  it("no checks at all is 'failed' (no evidence), not a vacuous 'reproduced'", () => {
    expect(combine([])).toBe("failed");
  });
});

describe("src/analysis is browser-safe", () => {
  it("imports only sibling modules of src/analysis (no node:, no packages)", () => {
    const dir = fileURLToPath(new URL("../../src/analysis/", import.meta.url));
    const files = readdirSync(dir).filter((f) => f.endsWith(".ts"));
    expect(files).toEqual(expect.arrayContaining(["series.ts", "verdict.ts"]));
    for (const f of files) {
      const src = readFileSync(dir + f, "utf8");
      const specifiers = [...src.matchAll(/\b(?:from|import)\s*\(?\s*["']([^"']+)["']/g)].map(
        (m) => m[1],
      );
      for (const s of specifiers) expect(s, `${f} imports ${s}`).toMatch(/^\.\/[\w.-]+\.js$/);
      expect(src, `${f} uses a Node global`).not.toMatch(
        /\b(process|require|Buffer|__dirname)\s*[.(]/,
      );
    }
  });
});
