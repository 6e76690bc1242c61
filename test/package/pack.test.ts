/**
 * The published package, as a consumer gets it: `npm pack` this repository, install the tarball
 * into a fresh ESM project with no .npmrc of ours, then use it the ways a consumer does —
 * `import * as op from "overparam"` in Node, the `overparam` command through npx, and the
 * package's types through TypeScript (NodeNext). One pack and one install from the npm cache.
 *
 * The tarball is packed with --ignore-scripts from the dist/ that `npm test` has just built
 * (its `prepare` would rebuild dist/ and src/core/wasm/ under the other test files' feet).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The names `import * as op from "overparam"` must provide, each a function. Keep in step with
 * src/index.ts (the public API: simulate, simulateStream, validateSpec, loadRun, ...); the
 * import and type-check tests below fail until src/index.ts exists and is built to dist/index.js.
 */
const EXPECTED_FUNCTIONS = [
  "simulate",
  "simulateStream",
  "validateSpec",
  "loadRun",
  "presets",
  "loadPreset",
  "metrics",
  "activations",
  "specJsonSchema",
  "runToFolder",
  "loadWasmKernels",
];

/** Subpaths a consumer may import besides the root: the package.json "exports" map, e.g. the
 * browser-safe "overparam/engine" and "overparam/schema.json" once they exist. */
const EXPECTED_SUBPATHS = [
  "overparam/package.json",
  "overparam/engine",
  "overparam/spec.schema.json",
];

const root = path.resolve(import.meta.dirname, "../..");
const repoPackage = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
const tsc = path.join(root, "node_modules/typescript/bin/tsc");
const npm = "npm";

interface Ran {
  status: number | null;
  out: string;
}

function run(command: string, args: string[], cwd: string, timeout = 180_000): Ran {
  const r = spawnSync(command, args, {
    cwd,
    encoding: "utf8",
    timeout,
    env: { ...process.env, npm_config_update_notifier: "false", npm_config_fund: "false" },
  });
  return { status: r.status, out: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ?? ""}` };
}

describe("the npm package", () => {
  const work = mkdtempSync(path.join(tmpdir(), "overparam-pack-"));
  const project = path.join(work, "consumer");
  let files: string[] = [];
  let install: Ran = { status: null, out: "" };

  beforeAll(() => {
    if (!existsSync(path.join(root, "dist/cli/main.js"))) {
      throw new Error("dist/ is not built: run `npm run build` (npm test does) first");
    }
    // npm pack: what the registry would get.
    const packed = JSON.parse(
      execFileSync(npm, ["pack", "--ignore-scripts", "--json", "--pack-destination", work], {
        cwd: root,
        encoding: "utf8",
      }),
    ) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const tarball = path.join(work, packed[0]!.filename);
    files = packed[0]!.files.map((f) => f.path);

    mkdirSync(project);
    writeFileSync(
      path.join(project, "package.json"),
      JSON.stringify({ name: "consumer", private: true, type: "module" }),
    );
    install = run(npm, ["install", "--prefer-offline", "--no-audit", tarball], project);
  }, 240_000);

  // the consumer's node_modules is ~5,700 files: removing them takes 5–12 s on a busy 2-core box
  afterAll(() => rmSync(work, { recursive: true, force: true }), 60_000);

  it("ships the command, the built code (WebAssembly inside) and the presets, not the sources", () => {
    expect(files).toContain("bin/overparam.js");
    expect(files).toContain("dist/cli/main.js");
    expect(files).toContain("dist/core/wasm/kernels.wasm.js");
    expect(files).toContain("presets/xd-fig1.yaml");
    expect(files).toContain("package.json");
    const tops = new Set(files.map((f) => f.split("/")[0]));
    const allowed = [
      "LICENSE",
      "README.md",
      "bin",
      "dist",
      "dist-lab",
      "docs",
      "package.json",
      "presets",
    ];
    expect([...tops].filter((top) => !allowed.includes(top!))).toEqual([]);
    expect(files.some((f) => /^(src|test|assembly|scripts|bench|\.ci)\//.test(f))).toBe(false);
  });

  it("installs cleanly into someone else's project, without onnxruntime-node's download", () => {
    expect(install.out).not.toMatch(/Unknown (project|env|user) config/);
    expect(install.out).not.toMatch(/onnxruntime/i);
    expect(install.out).not.toMatch(/npm (error|ERR)/);
    expect(install.status, install.out).toBe(0);
    // ONNX Runtime is an optional peer: installed only by those who ask for it.
    expect(existsSync(path.join(project, "node_modules/onnxruntime-node"))).toBe(false);
  });

  it("imports as an ES module with its public API", () => {
    const script = [
      'import * as op from "overparam";',
      `const expected = ${JSON.stringify(EXPECTED_FUNCTIONS)};`,
      'const wrong = expected.filter((name) => typeof op[name] !== "function");',
      "if (wrong.length > 0) {",
      '  console.error("not functions: " + wrong + "; exports: " + Object.keys(op).join(", "));',
      "  process.exit(1);",
      "}",
      `for (const subpath of ${JSON.stringify(EXPECTED_SUBPATHS)}) {`,
      '  await import(subpath, subpath.endsWith(".json") ? { with: { type: "json" } } : undefined);',
      "}",
      // the engine runs from the installed package (WebAssembly kernels embedded in dist/)
      "const run = await op.simulate({ dimension: 5, activation: 'relu', teacher: { kind: 'single' },",
      "  student: { width: 2, init: { kind: 'gaussian', scale: 0.1 } },",
      "  optimizer: { kind: 'gd', lr: 0.05, steps: 500 } });",
      'if (run.status !== "completed" || !(run.metrics.loss[0] > run.finalLoss)) process.exit(2);',
      'console.log("ok");',
    ].join("\n");
    writeFileSync(path.join(project, "use.mjs"), script);
    const r = run(process.execPath, ["use.mjs"], project);
    expect(r.out).toBe("ok\n");
    expect(r.status).toBe(0);
  });

  it("runs the overparam command through npx", () => {
    const version = run("npx", ["--no-install", "overparam", "--version"], project);
    expect(version.out.trim()).toBe(repoPackage.version);
    expect(version.status).toBe(0);
    const presets = run("npx", ["--no-install", "overparam", "presets"], project);
    expect(presets.status, presets.out).toBe(0);
    expect(presets.out).toMatch(/^xd-fig1 +\[xd\] /m);
  });

  it("type-checks against a TypeScript consumer (NodeNext)", () => {
    const source = [
      'import * as op from "overparam";',
      'import { type SimulationResult, type SpecInput, simulate as runSpec } from "overparam";',
      ...EXPECTED_FUNCTIONS.map(
        (name) => `export const ${name}: (...args: never[]) => unknown = op.${name};`,
      ),
      "const spec: SpecInput = { dimension: 5, activation: 'relu', teacher: { kind: 'single' },",
      "  student: { width: 2, init: { kind: 'gaussian', scale: 0.1 } },",
      "  optimizer: { kind: 'gd', lr: 0.05, steps: 500 }, metrics: ['loss', 'xd_angles'] };",
      "export const result: Promise<SimulationResult> = runSpec(spec);",
      "export const loss: Promise<Float64Array> = result.then((r) => r.metrics.loss);",
    ].join("\n");
    writeFileSync(path.join(project, "use.ts"), `${source}\n`);
    // names are literal types: a misspelt activation or metric does not compile
    writeFileSync(
      path.join(project, "typo.ts"),
      [
        'import type { SpecInput } from "overparam";',
        "export const a: SpecInput['activation'] = 'rleu';",
        "export const m: NonNullable<SpecInput['metrics']>[number] = 'xd_angle';",
      ].join("\n"),
    );
    const tscArgs = (file: string) => [
      tsc,
      "--noEmit",
      "--strict",
      "--target",
      "ES2022",
      "--module",
      "NodeNext",
      "--moduleResolution",
      "NodeNext",
      // The consumer has @types/node, as the package's declarations use Node's types.
      "--typeRoots",
      path.join(root, "node_modules/@types"),
      "--types",
      "node",
      file,
    ];
    const r = run(process.execPath, tscArgs("use.ts"), project);
    expect(r.out).toBe("");
    expect(r.status).toBe(0);
    const typo = run(process.execPath, tscArgs("typo.ts"), project);
    expect(typo.status).not.toBe(0);
    expect(typo.out).toContain(`'"rleu"' is not assignable`);
    expect(typo.out).toContain(`'"xd_angle"' is not assignable`);
  }, 180_000);
});
