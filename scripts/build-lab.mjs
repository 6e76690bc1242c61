#!/usr/bin/env node
/**
 * Builds the lab (lab/) into dist-lab/: static files with relative paths that work from any
 * static host (`overparam lab`, a file server, GitHub Pages…). esbuild bundles the page, the
 * run worker and the matrix products' helper worker (ES modules, shared code split into a
 * chunk) in well under a second; the presets are embedded at build time through a virtual
 * module, so nothing is fetched but the bundle.
 *
 *   node scripts/build-lab.mjs [--out DIR] [--dev]   (--dev: no minification, inline source maps)
 */
import {
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const outIndex = args.indexOf("--out");
const out = path.resolve(outIndex >= 0 ? args[outIndex + 1] : path.join(root, "dist-lab"));
const dev = args.includes("--dev");
const t0 = performance.now();

// The WebAssembly kernels are embedded in a generated module: build it first when missing.
const kernels = path.join(root, "src/core/wasm/kernels.wasm.ts");
try {
  statSync(kernels);
} catch {
  throw new Error(
    `${kernels} is missing: run npm run build (it generates the WebAssembly kernels)`,
  );
}

const presetPlugin = {
  name: "overparam-presets",
  setup(build) {
    build.onResolve({ filter: /^virtual:presets$/ }, () => ({
      path: "presets",
      namespace: "overparam-presets",
    }));
    build.onLoad({ filter: /.*/, namespace: "overparam-presets" }, () => {
      const dir = path.join(root, "presets");
      const files = readdirSync(dir)
        .filter((f) => f.endsWith(".yaml"))
        .sort();
      const presets = Object.fromEntries(
        files.map((f) => [f.replace(/\.yaml$/, ""), readFileSync(path.join(dir, f), "utf8")]),
      );
      return {
        contents: `export default ${JSON.stringify(presets)};`,
        loader: "js",
        watchFiles: files.map((f) => path.join(dir, f)),
      };
    });
  },
};

/**
 * The spec's JSON Schema for the lab's form, computed here from the zod schema (src/spec/
 * jsonSchema.ts, bundled on the fly: the same function `overparam schema` and dist/spec.schema.json
 * use), so the form can never describe another spec than the validator checks.
 */
async function specSchema() {
  const bundled = await esbuild.build({
    absWorkingDir: root,
    entryPoints: ["src/spec/jsonSchema.ts"],
    bundle: true,
    write: false,
    format: "esm",
    platform: "node",
    logLevel: "warning",
  });
  const code = bundled.outputFiles[0].text;
  const module = await import(
    `data:text/javascript;base64,${Buffer.from(code).toString("base64")}`
  );
  return module.specJsonSchema();
}
const schema = await specSchema();
const schemaPlugin = {
  name: "overparam-spec-schema",
  setup(build) {
    build.onResolve({ filter: /^virtual:spec-schema$/ }, () => ({
      path: "spec-schema",
      namespace: "overparam-spec-schema",
    }));
    build.onLoad({ filter: /.*/, namespace: "overparam-spec-schema" }, () => ({
      contents: `export default ${JSON.stringify(schema)};`,
      loader: "js",
    }));
  },
};

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const result = await esbuild.build({
  absWorkingDir: root,
  // gemm-worker: the threaded GEMM's helper threads, started by the run worker
  entryPoints: {
    main: "lab/src/main.ts",
    worker: "lab/src/worker.ts",
    "gemm-worker": "lab/src/gemmWorker.ts",
  },
  outdir: out,
  bundle: true,
  splitting: true,
  format: "esm",
  target: ["es2022", "chrome111", "firefox114", "safari16.4"],
  platform: "browser",
  minify: !dev,
  sourcemap: dev ? "inline" : "linked",
  chunkNames: "chunk-[hash]",
  // the library's browser entry, from source (the same code dist/engine.js is compiled from)
  alias: { "overparam/engine": "./src/engine.ts" },
  plugins: [presetPlugin, schemaPlugin],
  metafile: true,
  logLevel: "warning",
  legalComments: "linked",
});
for (const f of ["index.html", "lab.css"])
  copyFileSync(path.join(root, "lab", f), path.join(out, f));
copyFileSync(
  path.join(root, "node_modules/uplot/dist/uPlot.min.css"),
  path.join(out, "uPlot.min.css"),
);

let bytes = 0;
for (const [file, info] of Object.entries(result.metafile.outputs))
  if (!file.endsWith(".map")) bytes += info.bytes;
const summary = {
  out: path.relative(root, out) || ".",
  javascriptBytes: bytes,
  milliseconds: Math.round(performance.now() - t0),
};
writeFileSync(path.join(out, "build.json"), `${JSON.stringify(summary)}\n`);
if (!args.includes("--quiet"))
  process.stdout.write(
    `lab: ${summary.out}/ (${(bytes / 1024).toFixed(0)} KiB of JavaScript) in ${summary.milliseconds} ms\n`,
  );
