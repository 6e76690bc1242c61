/**
 * teacherOf (src/engine.ts), which the lab's neuron view draws: the same teacher a run trains
 * against, for every teacher kind (the run's own setup is the reference).
 */
import { describe, expect, it } from "vitest";
import { setupRun } from "../../src/core/experiment/setup.js";
import { type SpecInput, teacherOf, validateSpec } from "../../src/engine.js";

const base: SpecInput = {
  seed: 11,
  dimension: 5,
  activation: "relu",
  teacher: { kind: "single", norm: 2 },
  student: { width: 3, init: { kind: "gaussian", scale: 0.1 } },
  optimizer: { kind: "gd", lr: 0.05, steps: 10 },
};

const teachers: SpecInput["teacher"][] = [
  { kind: "single", norm: 2, outputWeight: 0.5 },
  { kind: "random", neurons: 4, norm: 1.5, outputWeights: "signs" },
  { kind: "separated", neurons: 3, separation: 0.4 },
  {
    kind: "explicit",
    neurons: [
      [1, 0, 0, 0, 0],
      [0, -2, 0, 1, 0],
    ],
    outputWeights: [1, -1],
  },
];

describe("teacherOf", () => {
  for (const teacher of teachers)
    it(`draws the run's ${teacher.kind} teacher`, () => {
      const v = validateSpec({ ...base, teacher });
      if (!v.ok) throw new Error(JSON.stringify(v.problems));
      const reference = setupRun(v.spec).teacher!;
      const t = teacherOf({ ...base, teacher })!;
      expect(t.r).toBe(reference.r);
      expect(t.d).toBe(5);
      expect(Array.from(t.V)).toEqual(Array.from(reference.V));
      expect(Array.from(t.outputWeights)).toEqual(Array.from(reference.b));
    });

  it("depends on the seed for random teachers, and is null for pure-noise labels", () => {
    const random: SpecInput["teacher"] = { kind: "random", neurons: 2 };
    const a = teacherOf({ ...base, teacher: random })!;
    const b = teacherOf({ ...base, seed: 12, teacher: random })!;
    expect(Array.from(a.V)).not.toEqual(Array.from(b.V));
    expect(
      teacherOf({
        ...base,
        teacher: { kind: "noise", std: 1 },
        loss: { kind: "empirical", trainSize: 10 },
      }),
    ).toBeNull();
  });

  it("throws the spec's problems for an invalid spec", () => {
    expect(() => teacherOf({ ...base, dimension: -1 })).toThrow(/dimension/);
  });
});
