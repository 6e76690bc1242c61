import { existsSync, mkdirSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { validateSpec } from "../../src/spec/validate.js";
import { baseSpec, cli, tmp, writeSpec } from "./cli.js";

// Issue 12 item 7: a spec name becomes a folder name (overparam-results/<name>-<time>), so
// `name: ../../../x` without --out wrote outside the results folder.

describe("spec names", () => {
  it("overparam run refuses name: ../../../x without --out and writes nothing anywhere", () => {
    const top = tmp();
    const cwd = path.join(top, "a", "b", "c");
    mkdirSync(cwd, { recursive: true });
    const file = writeSpec(top, "spec.json", { ...baseSpec(), name: "../../../x" });
    const r = cli(["run", file, "--quiet"], { cwd });
    expect(r.code, r.stderr).toBe(2);
    expect(r.errors).toEqual([
      `name: must be 1 to 100 letters, digits, '.', '_', '+' or '-', starting with a letter or digit (it names the run folder; got "../../../x")`,
    ]);
    expect(readdirSync(cwd)).toEqual([]);
    expect(readdirSync(path.join(top, "a")).sort()).toEqual(["b"]);
    expect(readdirSync(top).sort()).toEqual(["a", "spec.json"]);
  });

  it("validateSpec refuses path separators, '..', leading dots and odd characters in a name", () => {
    for (const name of [
      "../x",
      "a/b",
      "a\\b",
      "..",
      ".",
      ".hidden",
      "a b",
      "x".repeat(101),
      "é",
      "a:b",
    ]) {
      const v = validateSpec({ ...baseSpec(), name });
      expect(v.ok, name).toBe(false);
      if (!v.ok) expect(v.problems[0], name).toMatch(/^name: must be 1 to 100 letters/);
    }
  });

  it("validateSpec accepts the names of the presets and of sweeps", () => {
    for (const name of [
      "run",
      "xd-fig1",
      "zgj-claim2",
      "my_run.v2",
      "a+b",
      "R2D2",
      "x".repeat(100),
    ]) {
      expect(validateSpec({ ...baseSpec(), name }).ok, name).toBe(true);
    }
  });

  it("overparam run with a safe name and no --out writes under ./overparam-results", () => {
    const cwd = tmp();
    const file = writeSpec(cwd, "spec.json", { ...baseSpec(), name: "safe-name" });
    const r = cli(["run", file, "--quiet"], { cwd });
    expect(r.code, r.stderr).toBe(0);
    const runs = readdirSync(path.join(cwd, "overparam-results"));
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatch(/^safe-name-/);
    expect(existsSync(path.join(cwd, "overparam-results", runs[0], "manifest.json"))).toBe(true);
  });
});
