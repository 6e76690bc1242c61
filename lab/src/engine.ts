/**
 * The lab's only door to the engine. TEMPORARY SHIM over the core until the library entry
 * src/engine.ts (validateSpec, simulateStream, metrics, activations, loadWasmKernels) lands on
 * main; then this file becomes `export * from "../../src/engine.js"`.
 */
import { activations as activationRegistry } from "../../src/core/activations/registry.js";
import { runExperiment } from "../../src/core/experiment/run.js";
import { setupRun } from "../../src/core/experiment/setup.js";
import { metrics as metricRegistry } from "../../src/core/metrics/registry.js";
import { wasmKernelsAvailable } from "../../src/core/wasm/kernels.js";
import type { Spec, SpecInput } from "../../src/spec/schema.js";
import { validateSpec as validateCore } from "../../src/spec/validate.js";

export type { Spec, SpecInput };

export type Row = { step: number; time: number; values: Record<string, number> };

export interface SimulationResult {
  spec: Spec;
  status: "completed" | "diverged" | "interrupted" | "failed";
  reason: string;
  columns: string[];
  summary: Record<string, number | string | null>;
  finalLoss: number;
}

export interface SimulateOptions {
  signal?: AbortSignal;
  webAssembly?: boolean;
  onProgress?(p: {
    step: number;
    totalSteps: number;
    time: number;
    horizon: number;
    loss: number;
  }): void;
  yieldEveryMs?: number;
}

export interface SimulationStream extends AsyncIterableIterator<Row> {
  readonly columns: Promise<string[]>;
  readonly result: Promise<SimulationResult>;
}

export function validateSpec(
  input: unknown,
): { ok: true; spec: Spec } | { ok: false; problems: { path: string; message: string }[] } {
  const v = validateCore(input);
  if (v.ok) return v;
  return {
    ok: false,
    problems: v.problems.flatMap((line) =>
      line.split("\n").map((l) => {
        const i = l.indexOf(": ");
        return i < 0 ? { path: "", message: l } : { path: l.slice(0, i), message: l.slice(i + 2) };
      }),
    ),
  };
}

export function metrics(): { name: string; description: string }[] {
  return metricRegistry.map((m) => ({ name: m.name, description: m.description }));
}

export function activations(): { name: string; description: string }[] {
  return Object.values(activationRegistry).map((a) => ({
    name: a.name,
    description: a.description,
  }));
}

export async function loadWasmKernels(): Promise<boolean> {
  return wasmKernelsAvailable();
}

/** Shim: runs the whole experiment on the first next() and then hands out its rows. */
export function simulateStream(
  spec: SpecInput | Spec,
  options: SimulateOptions = {},
): SimulationStream {
  let resolveColumns!: (c: string[]) => void;
  let resolveResult!: (r: SimulationResult) => void;
  const columns = new Promise<string[]>((r) => {
    resolveColumns = r;
  });
  const result = new Promise<SimulationResult>((r) => {
    resolveResult = r;
  });
  const rows: Row[] = [];
  let ran = false;
  const run = () => {
    ran = true;
    const v = validateSpec(spec);
    if (!v.ok) throw new Error(v.problems.map((p) => `${p.path}: ${p.message}`).join("\n"));
    let names: string[] = [];
    const r = runExperiment(setupRun(v.spec), {
      onColumns: (c) => {
        names = c.slice(2);
        resolveColumns(names);
      },
      onRow: (row) => {
        const values: Record<string, number> = {};
        names.forEach((n, i) => {
          values[n] = row[i + 2];
        });
        rows.push({ step: row[0], time: row[1], values });
      },
      onProgress: options.onProgress,
      shouldStop: () => options.signal?.aborted ?? false,
    });
    resolveResult({
      spec: v.spec,
      status: r.status,
      reason: r.reason,
      columns: names,
      summary: r.summary,
      finalLoss: r.finalLoss,
    });
  };
  const it: SimulationStream = {
    columns,
    result,
    async next() {
      if (!ran) run();
      const row = rows.shift();
      return row ? { done: false, value: row } : { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return it;
    },
  };
  return it;
}
