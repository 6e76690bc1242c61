import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { serializeNpy } from "../../src/io/npyFormat.js";
import { loadSpecArrays, UserInputError } from "../../src/io/specFile.js";
import { specProblems, validateSpec } from "../../src/spec/validate.js";
import { baseSpec, cli, tmp, writeSpec } from "./cli.js";

// Issue 12 item 3: sizes that would allocate a typed array longer than V8 allows were a failed
// run ("Invalid typed array length", a manifest written, exit 1). They are bad input.

describe("array sizes", () => {
  const cases: [string, Record<string, unknown>, string][] = [
    [
      "loss.trainSize: 1e9",
      { dimension: 10, loss: { kind: "empirical", trainSize: 1e9 } },
      "loss.trainSize: 1e9 samples × dimension 10 = 1e10 numbers exceeds the largest array (4.29e9 numbers); at most 429496729",
    ],
    [
      "zgj-subspace samples: 1e10",
      { dimension: 10, student: { width: 2, init: { kind: "zgj-subspace", samples: 1e10 } } },
      "student.init.samples: 1e10 samples × dimension 10 = 1e11 numbers exceeds the largest array (4.29e9 numbers); at most 429496729",
    ],
    [
      "random teacher neurons: 1e9",
      { dimension: 10, teacher: { kind: "random", neurons: 1e9 } },
      "teacher.neurons: 1e9 neurons × dimension 10 = 1e10 numbers exceeds the largest array (4.29e9 numbers); at most 429496729",
    ],
  ];

  for (const [what, change, message] of cases) {
    it(`overparam run refuses ${what}: exit 2, the field named once, nothing written`, () => {
      const dir = tmp();
      const file = writeSpec(dir, "spec.json", { ...baseSpec(), ...change });
      const out = path.join(dir, "out");
      const r = cli(["run", file, "--out", out, "--quiet"]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.errors).toEqual([message]);
      expect(existsSync(out)).toBe(false);
    });
  }

  it("validateSpec bounds products with the student width, squares and single sizes, naming the tightest limit", () => {
    const problems = (change: Record<string, unknown>) => {
      const v = validateSpec({ ...baseSpec(), ...change });
      return v.ok ? [] : v.problems;
    };
    expect(
      problems({
        dimension: 1,
        student: { width: 100, init: { kind: "du" } },
        loss: { kind: "empirical", trainSize: 1e8 },
      }),
    ).toEqual([
      "loss.trainSize: 1e8 samples × student.width 100 = 1e10 numbers exceeds the largest array (4.29e9 numbers); at most 42949672",
    ]);
    expect(problems({ dimension: 1e10 })).toEqual([
      "dimension: 1e10 exceeds the largest array (4.29e9 numbers); at most 4294967295",
    ]);
    expect(
      problems({
        dimension: 70000,
        student: { width: 2, init: { kind: "zgj-subspace", samples: 10 } },
      }),
    ).toEqual([
      "dimension: 70000 × 70000 = 4.9e9 numbers for zgj-subspace's d×d matrix exceeds the largest array (4.29e9 numbers); at most 65535",
    ]);
    expect(problems({ loss: { kind: "online", batchSize: 2e9 } })[0]).toMatch(
      /^loss\.batchSize: 2e9 samples × dimension 4 /,
    );
    expect(problems({ loss: { kind: "population", testSize: 2e9 } })[0]).toMatch(
      /^loss\.testSize: /,
    );
    // at the limit is fine
    expect(problems({ dimension: 10, loss: { kind: "empirical", trainSize: 429496729 } })).toEqual(
      [],
    );
  });

  it("specProblems gives the size problem as { path, message }", () => {
    const v = specProblems({
      ...baseSpec(),
      dimension: 10,
      loss: { kind: "empirical", trainSize: 1e9 },
    });
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.problems).toEqual([
      {
        path: "loss.trainSize",
        message:
          "1e9 samples × dimension 10 = 1e10 numbers exceeds the largest array (4.29e9 numbers); at most 429496729",
      },
    ]);
  });

  it("loadSpecArrays bounds the N×m activations of a training set read from a file", async () => {
    const dir = tmp();
    writeFileSync(
      path.join(dir, "x.npy"),
      serializeNpy({ shape: [5000, 1], data: new Float64Array(5000) }),
    );
    const v = validateSpec({
      ...baseSpec(),
      dimension: 1,
      student: { width: 1_000_000, init: { kind: "du" } },
      loss: { kind: "empirical", train: { inputs: "x.npy" } },
    });
    if (!v.ok) throw new Error(v.problems.join("; "));
    const error = await loadSpecArrays(v.spec, dir).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UserInputError);
    expect((error as UserInputError).problems).toEqual([
      "loss.train.inputs: 5000 rows × student.width 1e6 = 5e9 numbers exceeds the largest array (4.29e9 numbers); at most 4294",
    ]);
  });
});
