import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { MAX_NESTING, nestingProblem } from "../../src/spec/overrides.js";
import { baseSpec, cli, tmp, writeSpec } from "./cli.js";

// Issue 12 item 6: a 200 000-deep nested JSON spec overflowed the stack in expandSweep (an
// internal error, exit 1). Nesting is bounded when the spec is read, YAML and JSON alike.

const TOO_DEEP = `lists and mappings nested more than ${MAX_NESTING} levels deep; a spec needs only a few levels`;

function deepSpec(depth: number, extra: Record<string, unknown> = {}): string {
  const spec = JSON.stringify({ ...baseSpec(), ...extra });
  return `${spec.slice(0, -1)},"description":${"[".repeat(depth)}${"]".repeat(depth)}}`;
}

describe("nesting depth", () => {
  it("overparam run refuses a 200 000-deep JSON spec (with a sweep) with exit 2 and writes nothing", () => {
    const dir = tmp();
    const file = writeSpec(dir, "deep.json", deepSpec(200_000, { sweep: { seed: [1, 2] } }));
    const out = path.join(dir, "out");
    const r = cli(["run", file, "--out", out, "--quiet"]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.errors).toEqual([`spec ${file}: description: ${TOO_DEEP}`]);
    expect(r.stderr).not.toContain("internal error");
    expect(existsSync(out)).toBe(false);
  });

  it("overparam run refuses deeply nested YAML, whether the parser overflows or not", () => {
    const dir = tmp();
    for (const depth of [100, 200_000]) {
      const file = writeSpec(dir, `deep${depth}.yaml`, deepSpec(depth));
      const out = path.join(dir, "out");
      const r = cli(["run", file, "--out", out, "--quiet"]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0]).toContain(TOO_DEEP);
      expect(existsSync(out)).toBe(false);
    }
  });

  it("overparam run refuses a deeply nested --set value", () => {
    const dir = tmp();
    const file = writeSpec(dir, "spec.json", baseSpec());
    const value = `${"[".repeat(1000)}${"]".repeat(1000)}`;
    const r = cli(["run", file, "--out", path.join(dir, "out"), "--set", `description=${value}`]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.errors).toEqual([`--set description: ${TOO_DEEP}`]);
  });

  it("nestingProblem allows the nesting real specs use and walks 10⁶ levels without recursion", () => {
    expect(
      nestingProblem({ reproduce: { full: { set: { sweep: { "student.width": [[1, 2]] } } } } }),
    ).toBeNull();
    let deep: unknown[] = [];
    const top = deep;
    for (let k = 0; k < 1_000_000; k++) {
      const next: unknown[] = [];
      deep.push(next);
      deep = next;
    }
    expect(nestingProblem({ a: top })).toBe(`a: ${TOO_DEEP}`);
  });
});
