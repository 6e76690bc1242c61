import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  activations,
  loadPreset,
  loadRun,
  metrics,
  presets,
  SpecError,
  type SpecInput,
  simulate,
  simulateStream,
  specJsonSchema,
  validateSpec,
} from "../../src/index.js";

const root = path.resolve(__dirname, "../..");
const bin = path.join(root, "bin/overparam.js");
const tmp = () => mkdtempSync(path.join(tmpdir(), "overparam-api-"));

/** XD Fig. 1 with n = 3 students, shortened. */
const xd: SpecInput = {
  name: "xd-n3",
  dimension: 10,
  activation: "relu",
  teacher: { kind: "single", norm: 1 },
  student: { width: 3, init: { kind: "gaussian", scale: 0.1 } },
  optimizer: { kind: "gd", lr: 0.05, steps: 3000 },
  metrics: ["loss", "grad_norm", "xd_angles"],
};

describe("library API", () => {
  it("simulate returns named Float64Array columns, identical to the CLI's metrics.csv", async () => {
    const run = await simulate(xd);
    expect(run.status).toBe("completed");
    expect(run.columns.slice(0, 2)).toEqual(["loss", "grad_norm"]);
    expect(run.columns).toContain("xd_angle[2]");
    expect(run.metrics.loss).toBeInstanceOf(Float64Array);
    expect(run.steps.length).toBe(run.metrics.loss.length);
    expect(run.steps[run.steps.length - 1]).toBe(3000);
    expect(run.metrics.loss[run.steps.length - 1]).toBe(run.finalLoss);
    expect(run.finalWeights?.shape).toEqual([3, 10]);
    expect(run.finalWeights?.W.length).toBe(30);
    expect(run.initialWeights).toBeNull();

    const out = path.join(tmp(), "run");
    const specFile = path.join(tmp(), "xd.json");
    writeFileSync(specFile, JSON.stringify(xd));
    const r = spawnSync("node", [bin, "run", specFile, "--out", out, "--quiet"], {
      encoding: "utf8",
    });
    expect(r.status, r.stderr).toBe(0);
    const loaded = await loadRun(out);
    expect(loaded.status).toBe("completed");
    expect(loaded.columns).toEqual(run.columns);
    expect(Array.from(loaded.steps)).toEqual(Array.from(run.steps));
    for (const name of run.columns)
      expect(Array.from(loaded.metrics[name]), name).toEqual(Array.from(run.metrics[name]));
    expect(loaded.finalLoss).toBe(run.finalLoss);
    expect(loaded.manifest.spec.student.width).toBe(3);
  });

  it("simulateStream yields named rows; pausing (not pulling) changes nothing", async () => {
    const full = await simulate(xd);
    const stream = simulateStream(xd);
    const rows = [];
    for await (const row of stream) {
      rows.push(row);
      if (rows.length === 5) await new Promise((r) => setTimeout(r, 50)); // a pause
    }
    expect(await stream.columns).toEqual(full.columns);
    expect(rows.map((r) => r.step)).toEqual(Array.from(full.steps));
    expect(rows.map((r) => r.values.loss)).toEqual(Array.from(full.metrics.loss));
    expect((await stream.result).finalLoss).toBe(full.finalLoss);
  });

  it("an AbortSignal stops a stream: status interrupted, every row so far kept", async () => {
    const controller = new AbortController();
    const long = { ...xd, optimizer: { kind: "gd" as const, lr: 0.05, steps: 50_000_000 } };
    const stream = simulateStream(long, { signal: controller.signal, yieldEveryMs: 5 });
    setTimeout(() => controller.abort(), 300);
    let n = 0;
    for await (const _ of stream) n++;
    const result = await stream.result;
    expect(result.status).toBe("interrupted");
    expect(result.totalSteps).toBeLessThan(50_000_000);
    expect(result.steps.length).toBe(n);
    expect(result.steps[n - 1]).toBe(result.totalSteps); // the stopping step is recorded
  });

  it("return() on a stream ends the run as interrupted and still settles its result", async () => {
    const long = { ...xd, optimizer: { kind: "gd" as const, lr: 0.05, steps: 50_000_000 } };
    const stream = simulateStream(long);
    for await (const row of stream) if (row.step >= 100) break;
    const result = await stream.result;
    expect(result.status).toBe("interrupted");
  });

  it("runs in one thread with different engine options do not affect each other", async () => {
    // interleave a WebAssembly run and a TypeScript-loop run row by row
    const a = simulateStream(xd, { webAssembly: true });
    const b = simulateStream(xd, { webAssembly: false });
    let differ = 0;
    for (;;) {
      const [ra, rb] = [await a.next(), await b.next()];
      if (ra.done || rb.done) {
        expect(ra.done && rb.done).toBe(true);
        break;
      }
      expect(ra.value.step).toBe(rb.value.step);
      const rel = Math.abs(ra.value.values.loss / rb.value.values.loss - 1);
      expect(rel).toBeLessThan(1e-12);
      if (rel > 0) differ++;
    }
    // the option takes effect (also in the subspace path XD's population runs take): the
    // WebAssembly kernel sums in another order, so some rows differ in the last bits
    expect(differ).toBeGreaterThan(0);
    const [x, y] = [await a.result, await b.result];
    expect(x.notes).toEqual([]);
    expect(y.notes).toEqual([]);
  });

  it("gradient flow streams too", async () => {
    const flow = {
      ...xd,
      optimizer: { kind: "flow" as const, time: 50 },
      record: { pointsPerDecade: 5, firstTime: 0.1 },
    };
    const run = await simulate(flow);
    expect(run.status).toBe("completed");
    expect(run.times[run.times.length - 1]).toBe(50);
    expect(run.metrics.loss[run.times.length - 1]).toBeLessThan(run.metrics.loss[0]);
  });

  it("validateSpec returns the resolved spec or { path, message } problems", () => {
    const ok = validateSpec(xd);
    expect(ok.ok && ok.spec.loss.kind).toBe("population");
    const bad = validateSpec({ ...xd, dimension: -1, metrics: ["loss", "nope"] });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    const paths = bad.problems.map((p) => p.path);
    expect(paths).toContain("dimension");
    expect(paths).toContain("metrics.1");
    expect(bad.problems.find((p) => p.path === "metrics.1")?.message).toContain(
      'unknown metric "nope"',
    );
  });

  it("simulate rejects an invalid spec with a SpecError listing the problems", async () => {
    await expect(simulate({ ...xd, dimension: 0 })).rejects.toThrow(SpecError);
    await expect(simulate({ ...xd, dimension: 0 })).rejects.toThrow(/dimension: /);
  });

  it("lists presets, metrics and activations; loadPreset gives a runnable document", async () => {
    const list = await presets();
    expect(list.map((p) => p.name)).toContain("xd-fig1");
    expect(metrics().map((m) => m.name)).toContain("xd_angles");
    expect(activations().map((a) => a.name)).toEqual(["relu", "abs", "quadratic", "linear", "erf"]);
    const doc = await loadPreset("xd-fig1");
    const run = await simulate({
      ...doc,
      sweep: undefined,
      optimizer: { kind: "gd", lr: 0.05, steps: 100 },
    });
    expect(run.status).toBe("completed");
  });

  it("the JSON Schema comes from the zod schema and the CLI prints the same", () => {
    const schema = specJsonSchema() as {
      properties: Record<string, { enum?: string[]; items?: { enum?: string[] } }>;
      required: string[];
    };
    expect(schema.properties.activation.enum).toEqual(activations().map((a) => a.name));
    expect(schema.properties.metrics.items?.enum).toEqual(metrics().map((m) => m.name));
    expect(schema.required).toEqual(
      expect.arrayContaining(["dimension", "activation", "teacher", "student", "optimizer"]),
    );
    const r = spawnSync("node", [bin, "schema"], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(schema);
    const shipped = JSON.parse(readFileSync(path.join(root, "dist/spec.schema.json"), "utf8"));
    expect(shipped).toEqual(schema);
  });
});

describe("registries", () => {
  it("key every metric and activation by its own name", async () => {
    const { metricsByName } = await import("../../src/core/metrics/registry.js");
    const { activations: byName } = await import("../../src/core/activations/registry.js");
    for (const [key, metric] of Object.entries(metricsByName)) expect(metric.name).toBe(key);
    for (const [key, activation] of Object.entries(byName)) expect(activation.name).toBe(key);
  });
});

describe("the JSON Schema's documentation", () => {
  it("describes every field, and every description names a field that exists", async () => {
    const { fieldDescriptions } = await import("../../src/spec/jsonSchema.js");
    const missing = new Set<string>();
    const seen = new Set<string>();
    const walk = (node: unknown, path: string) => {
      if (!node || typeof node !== "object") return;
      const n = node as Record<string, unknown>;
      for (const [key, child] of Object.entries((n.properties ?? {}) as Record<string, unknown>)) {
        const p = path ? `${path}.${key}` : key;
        seen.add(p);
        if (key !== "kind" || !(child as { const?: string }).const)
          if (!(child as { description?: string }).description) missing.add(p);
        walk(child, p);
      }
      for (const k of ["anyOf", "oneOf", "allOf"])
        for (const branch of (n[k] ?? []) as unknown[]) walk(branch, path);
    };
    walk(specJsonSchema(), "");
    // a kind's literal in one branch of a union is described by the union's "kind" text
    expect([...missing].filter((p) => !p.endsWith(".kind"))).toEqual([]);
    expect(Object.keys(fieldDescriptions).filter((p) => !seen.has(p))).toEqual([]);
  });
});

describe("a run that starts at a global minimum", () => {
  it("is not 'diverged' when its initial loss is a rounding residue ≤ 0 (ZGJ Claim 1's point)", async () => {
    const c = Math.sqrt(3) / 2;
    const run = await simulate({
      dimension: 2,
      activation: "relu",
      teacher: {
        kind: "explicit",
        neurons: [
          [1, 0],
          [-0.5, c],
          [-0.5, -c],
        ],
      },
      student: {
        width: 3,
        parameterization: "norm-weighted",
        init: {
          kind: "explicit",
          weights: [
            [-1, 0],
            [0.5, -c],
            [0.5, c],
          ],
        },
      },
      optimizer: { kind: "gd", lr: 0.01, steps: 100 },
    });
    expect(run.metrics.loss[0]).toBeLessThanOrEqual(0); // the residue this case produces
    expect(run.status).toBe("completed");
    expect(run.totalSteps).toBe(100);
    expect(Math.max(...Array.from(run.metrics.loss, Math.abs))).toBeLessThan(1e-15);
  });
});
