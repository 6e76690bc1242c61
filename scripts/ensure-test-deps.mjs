#!/usr/bin/env node
/**
 * Run first by `npm test`: makes sure the programs the test suite drives exist, then runs the
 * rest of the command line (`node scripts/ensure-test-deps.mjs npm run test:suite`) with them.
 *
 * - chromium at $OVERPARAM_CHROMIUM, else /usr/bin/chromium (the report test opens report.html
 *   in it through playwright-core) — Debian package `chromium`;
 * - redis-server at $OVERPARAM_REDIS_SERVER, else on PATH — Debian package `redis-server`;
 * - a python3 with numpy: $OVERPARAM_PYTHON, else `python3` on PATH, else /usr/bin/python3 (the
 *   .npy and CLI tests run numpy itself) — Debian packages `python3 python3-numpy`. When the one
 *   that works is not the tests' default (`python3`), OVERPARAM_PYTHON is set for the command;
 * - OpenBLAS for the `blas` matrix-product backend (loaded through koffi; the kernel tests check
 *   it against the portable kernel): the library $OVERPARAM_BLAS, else `libopenblas.so.0` known
 *   to the dynamic linker — Debian package `libopenblas0-pthread`.
 *
 * When something is missing and we run as root (uid 0) with apt-get, it is installed with
 * `apt-get update && apt-get install -y --no-install-recommends …`. Otherwise (not root, no
 * apt-get, OVERPARAM_NO_APT=1, or a path given in one of the variables above that does not work)
 * this prints one line saying exactly what to install and exits 1: a missing program fails
 * `npm test`, it never turns into skipped tests.
 */
import { spawn, spawnSync } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const DEFAULT_CHROMIUM = "/usr/bin/chromium";
const SYSTEM_PYTHON = "/usr/bin/python3";

/** Whether `file` is an executable regular file (symbolic links followed). */
export function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The first executable `name` in the directories of `pathVariable`, or null. */
export function which(name, pathVariable) {
  for (const dir of (pathVariable ?? "").split(path.delimiter)) {
    if (dir === "") continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

/** Whether the dynamic linker knows `soname` (ldconfig's cache), or the path exists. */
export function hasLibrary(soname) {
  if (soname.includes("/")) {
    try {
      return statSync(soname).isFile();
    } catch {
      return false;
    }
  }
  for (const ldconfig of ["/sbin/ldconfig", "/usr/sbin/ldconfig", "ldconfig"]) {
    const result = spawnSync(ldconfig, ["-p"], { encoding: "utf8", timeout: 30_000 });
    if (result.status === 0)
      return result.stdout.split("\n").some((l) => l.trim().startsWith(`${soname} `));
  }
  return false;
}

function hasNumpy(python, env) {
  const result = spawnSync(python, ["-c", "import numpy"], {
    env,
    stdio: "ignore",
    timeout: 60_000,
  });
  return result.status === 0;
}

/**
 * Looks at this machine: one entry per requirement, with `ok`, the `apt` packages that provide
 * it, and `variable`/`value` when the environment names the path to use (then apt cannot help).
 */
export function probe(env = process.env) {
  const chromium = env.OVERPARAM_CHROMIUM || DEFAULT_CHROMIUM;
  const redisOverride = env.OVERPARAM_REDIS_SERVER;
  const redis = redisOverride || which("redis-server", env.PATH);
  const pythonOverride = env.OVERPARAM_PYTHON;
  const pythons = pythonOverride ? [pythonOverride] : ["python3", SYSTEM_PYTHON];
  const python = pythons.find((candidate) => hasNumpy(candidate, env)) ?? null;
  return [
    {
      name: "chromium",
      what: `chromium at ${chromium}`,
      apt: ["chromium"],
      ok: isExecutable(chromium),
      variable: env.OVERPARAM_CHROMIUM ? "OVERPARAM_CHROMIUM" : undefined,
      value: env.OVERPARAM_CHROMIUM,
    },
    {
      name: "redis-server",
      what: redisOverride ? `redis-server at ${redisOverride}` : "redis-server on PATH",
      apt: ["redis-server"],
      ok: redis !== null && isExecutable(redis),
      variable: redisOverride ? "OVERPARAM_REDIS_SERVER" : undefined,
      value: redisOverride,
    },
    {
      name: "numpy",
      what: "python3 with numpy",
      apt: ["python3", "python3-numpy"],
      ok: python !== null,
      variable: pythonOverride ? "OVERPARAM_PYTHON" : undefined,
      value: pythonOverride,
      // The tests run $OVERPARAM_PYTHON, else `python3`: hand them the system one when only it works.
      env: !pythonOverride && python === SYSTEM_PYTHON ? { OVERPARAM_PYTHON: python } : {},
    },
    {
      name: "openblas",
      what: env.OVERPARAM_BLAS
        ? `a BLAS library at ${env.OVERPARAM_BLAS}`
        : "OpenBLAS (libopenblas.so.0)",
      apt: ["libopenblas0-pthread"],
      ok: hasLibrary(env.OVERPARAM_BLAS || "libopenblas.so.0"),
      variable: env.OVERPARAM_BLAS ? "OVERPARAM_BLAS" : undefined,
      value: env.OVERPARAM_BLAS,
    },
  ];
}

function aptCommand(packages) {
  return `apt-get update && apt-get install -y --no-install-recommends ${packages.join(" ")}`;
}

/**
 * What to do about a probe's result — pure, so the tests can drive it:
 * `{ action: "ok", env }`, `{ action: "install", packages, line }` or `{ action: "fail", line }`
 * where `line` is the one line to print.
 */
export function decide(requirements, { root, aptGet, noApt = false }) {
  const missing = requirements.filter((r) => !r.ok);
  if (missing.length === 0) {
    return { action: "ok", env: Object.assign({}, ...requirements.map((r) => r.env ?? {})) };
  }
  const pinned = missing.filter((r) => r.variable !== undefined);
  if (pinned.length > 0) {
    const problems = pinned.map((r) =>
      r.name === "numpy"
        ? `${r.variable}=${r.value} has no numpy (install numpy for it, or unset ${r.variable})`
        : r.name === "openblas"
          ? `${r.variable}=${r.value} is not a library the linker finds (fix or unset ${r.variable})`
          : `${r.variable}=${r.value} is not an executable file (fix or unset ${r.variable})`,
    );
    return { action: "fail", line: `npm test: ${problems.join("; ")}` };
  }
  const packages = [...new Set(missing.flatMap((r) => r.apt))];
  const needs = missing.map((r) => r.what).join(", ");
  if (root && aptGet && !noApt) {
    return {
      action: "install",
      packages,
      line: `npm test: installing ${packages.join(" ")} (missing: ${needs}) with apt-get`,
    };
  }
  if (root && !aptGet) {
    return { action: "fail", line: `npm test needs ${needs} (Debian: ${packages.join(" ")})` };
  }
  const who = root ? "run" : "run as root";
  return { action: "fail", line: `npm test needs ${needs}: ${who} ${aptCommand(packages)}` };
}

function aptInstall(aptGet, packages) {
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [["update"], ["install", "-y", "--no-install-recommends", ...packages]]) {
    const result = spawnSync(aptGet, args, { stdio: ["ignore", "inherit", "inherit"], env });
    if (result.status !== 0) return `apt-get ${args[0]} failed (exit ${result.status})`;
  }
  return null;
}

function fail(line) {
  console.error(line);
  process.exit(1);
}

async function main(command) {
  const root = process.getuid?.() === 0;
  const aptGet =
    which("apt-get", process.env.PATH) ??
    (isExecutable("/usr/bin/apt-get") ? "/usr/bin/apt-get" : null);
  const noApt = process.env.OVERPARAM_NO_APT === "1";
  let decision = decide(probe(), { root, aptGet: aptGet !== null, noApt });
  if (decision.action === "install") {
    console.error(decision.line);
    const error = aptInstall(aptGet, decision.packages);
    if (error !== null)
      fail(`npm test: ${error}; install by hand: ${aptCommand(decision.packages)}`);
    decision = decide(probe(), { root, aptGet: aptGet !== null, noApt: true });
  }
  if (decision.action !== "ok") fail(decision.line);
  if (decision.env.OVERPARAM_PYTHON !== undefined) {
    console.error(
      `npm test: python3 on PATH has no numpy; the tests use ${decision.env.OVERPARAM_PYTHON}`,
    );
  }
  if (command.length === 0) return;
  const child = spawn(command[0], command.slice(1), {
    stdio: "inherit",
    env: { ...process.env, ...decision.env },
  });
  // Ctrl-C reaches the child through the terminal; wait for it to finish rather than dying first.
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => {});
  child.on("error", (error) => fail(`npm test: cannot run ${command[0]}: ${error.message}`));
  child.on("exit", (code, signal) => process.exit(code ?? (signal === "SIGINT" ? 130 : 1)));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main(process.argv.slice(2));
}
