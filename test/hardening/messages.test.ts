import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { mergeSweepProblems, specProblems, validateSpec } from "../../src/spec/validate.js";
import { baseSpec, cli, tmp, writeSpec } from "./cli.js";

// Issue 12 item 9: every message names the field once, says what is allowed, and appears once.

// biome-ignore lint/suspicious/noExplicitAny: the tests break specs in arbitrary ways
type Loose = Record<string, any>;

function problems(change: (spec: Loose) => void): string[] {
  const spec = structuredClone(baseSpec()) as Loose;
  change(spec);
  const v = validateSpec(spec);
  return v.ok ? [] : v.problems;
}

describe("validation messages", () => {
  it("an unknown teacher kind names teacher.kind once and lists the kinds", () => {
    expect(problems((s) => (s.teacher = { kind: "bogus" }))).toEqual([
      'teacher.kind: must be one of single, random, separated, explicit, noise (got "bogus")',
    ]);
    expect(problems((s) => (s.teacher = {}))).toEqual([
      "teacher.kind: missing; must be one of single, random, separated, explicit, noise",
    ]);
  });

  it("an inline NaN or Infinity names its index and asks for a finite number", () => {
    expect(
      problems((s) => (s.teacher = { kind: "explicit", neurons: [[1, 0, Number.NaN, 0]] })),
    ).toEqual(["teacher.neurons.0.2: must be a finite number (got NaN)"]);
    expect(
      problems(
        (s) =>
          (s.teacher = {
            kind: "random",
            neurons: 2,
            outputWeights: [1, Number.POSITIVE_INFINITY],
          }),
      ),
    ).toEqual(["teacher.outputWeights.1: must be a finite number (got Infinity)"]);
  });

  it("a bad xd-toy case lists 1, 2, 3", () => {
    expect(problems((s) => (s.student.init = { kind: "xd-toy", case: 4 }))).toEqual([
      "student.init.case: must be one of 1, 2, 3 (got 4)",
    ]);
  });

  it("type and range problems say what is allowed and what was given", () => {
    expect(problems((s) => (s.student.width = 1.5))).toEqual([
      "student.width: must be a positive integer (got 1.5)",
    ]);
    expect(problems((s) => (s.optimizer.lr = "fast"))).toEqual([
      'optimizer.lr: must be a positive number (got "fast")',
    ]);
    expect(problems((s) => (s.activation = "tanh"))).toEqual([
      'activation: must be one of relu, abs, quadratic, linear, erf (got "tanh")',
    ]);
    expect(
      problems((s) => (s.teacher = { kind: "random", neurons: 2, outputWeights: "zeros" })),
    ).toEqual([
      'teacher.outputWeights: must be one of ones, signs or a list of finite numbers (got "zeros")',
    ]);
    expect(problems((s) => (s.loss = { quadratureNodes: 1000 }))).toEqual([
      "loss.quadratureNodes: must be an integer from 1 to 400 (got 1000)",
    ]);
    expect(problems((s) => delete s.dimension)).toEqual([
      "dimension: missing; must be a positive integer",
    ]);
  });

  it("an unknown field lists the fields allowed there", () => {
    expect(problems((s) => (s.student.init.scal = 1))).toEqual([
      "student.init.scal: unknown field; allowed: kind, scale, scaleBy",
    ]);
  });

  it("no message repeats its field path", () => {
    const all = [
      ...problems((s) => (s.teacher = { kind: "bogus" })),
      ...problems((s) => (s.student.init = { kind: 3 })),
      ...problems((s) => (s.optimizer = { kind: "adam" })),
    ];
    for (const line of all) {
      const [field, message] = [
        line.slice(0, line.indexOf(": ")),
        line.slice(line.indexOf(": ") + 2),
      ];
      expect(message, line).not.toContain(field);
      expect(
        field.split(".").filter((k, i, a) => a.indexOf(k) !== i),
        line,
      ).toEqual([]);
    }
  });

  it("specProblems returns { path, message } pairs that validateSpec formats as 'path: message'", () => {
    const spec = { ...baseSpec(), student: { width: 2, init: { kind: "xd-toy", case: 4 } } };
    const v = specProblems(spec);
    expect(v).toEqual({
      ok: false,
      problems: [{ path: "student.init.case", message: "must be one of 1, 2, 3 (got 4)" }],
    });
    expect(validateSpec(spec)).toEqual({
      ok: false,
      problems: ["student.init.case: must be one of 1, 2, 3 (got 4)"],
    });
    expect(specProblems([])).toEqual({
      ok: false,
      problems: [{ path: "", message: "must be a mapping of fields (got an empty list)" }],
    });
    const ok = specProblems(baseSpec());
    expect(ok.ok).toBe(true);
  });

  it("mergeSweepProblems prints a problem of every point once, without the point's label", () => {
    const labels = ["seed=1", "seed=2"];
    expect(
      mergeSweepProblems(
        [
          "[seed=1] foo: unknown field",
          "[seed=1] width: bad 1",
          "[seed=2] foo: unknown field",
          "[seed=2] width: bad 2",
        ],
        labels,
      ),
    ).toEqual(["foo: unknown field", "[seed=1] width: bad 1", "[seed=2] width: bad 2"]);
    expect(mergeSweepProblems(["a: x", "a: x"], [""])).toEqual(["a: x"]);
  });

  it("overparam run over a sweep prints a problem shared by every point once, without a label", () => {
    const dir = tmp();
    const file = writeSpec(dir, "spec.json", { ...baseSpec(), sweep: { "foo.bar": [1, 2, 3] } });
    const out = path.join(dir, "out");
    const r = cli(["run", file, "--out", out, "--quiet"]);
    expect(r.code).toBe(2);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(/^foo: unknown field; allowed: name, description, /);
    expect(existsSync(out)).toBe(false);
  });

  it("overparam run keeps the label on a problem that only some sweep points have", () => {
    const dir = tmp();
    const file = writeSpec(dir, "spec.json", {
      ...baseSpec(),
      student: { width: 2, init: { kind: "xd-toy", case: 1 } },
      sweep: { "student.width": [1, 2, 3] },
    });
    const r = cli(["run", file, "--out", path.join(dir, "out"), "--quiet"]);
    expect(r.code).toBe(2);
    expect(r.errors).toEqual([
      "[student.width=1] student.width: XD toy case 1 is a pair of students; must be 2 (got 1)",
      "[student.width=3] student.width: XD toy case 1 is a pair of students; must be 2 (got 3)",
    ]);
  });

  it("--set into a field that is not a mapping says which field it is, once", () => {
    const dir = tmp();
    const file = writeSpec(dir, "spec.json", baseSpec());
    const r = cli(["run", file, "--out", path.join(dir, "out"), "--set", "teacher.kind.kind=3"]);
    expect(r.code).toBe(2);
    expect(r.errors).toEqual([
      'teacher.kind.kind: cannot set a field inside teacher.kind, which is "single", not a mapping',
    ]);
  });
});

describe("symmetric pairs", () => {
  it("an odd width is bad input, refused before anything runs", async () => {
    const { validateSpec } = await import("../../src/spec/validate.js");
    const v = validateSpec({
      dimension: 5,
      activation: "relu",
      teacher: { kind: "single" },
      student: {
        width: 3,
        parameterization: "norm-weighted",
        init: { kind: "symmetric-pairs", scale: 1 },
      },
      optimizer: { kind: "gd", lr: 0.01, steps: 10 },
    });
    expect(v.ok).toBe(false);
    if (!v.ok)
      expect(v.problems).toContain(
        "student.width: symmetric-pairs duplicates each student with output weights +1 and −1; must be even (got 3)",
      );
  });
});
