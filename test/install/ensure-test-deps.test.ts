/**
 * scripts/ensure-test-deps.mjs, run first by `npm test`: a missing chromium, redis-server or
 * numpy either gets installed (root with apt-get) or stops `npm test` with one line saying what
 * to install — never skipped tests. Nothing here installs anything: the decision is a pure
 * function, and the script itself runs with OVERPARAM_NO_APT=1 and fake programs.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { decide, type Requirement } from "../../scripts/ensure-test-deps.mjs";

const script = path.resolve(import.meta.dirname, "../../scripts/ensure-test-deps.mjs");

const chromium: Requirement = {
  name: "chromium",
  what: "chromium at /usr/bin/chromium",
  apt: ["chromium"],
  ok: true,
};
const redis: Requirement = {
  name: "redis-server",
  what: "redis-server on PATH",
  apt: ["redis-server"],
  ok: true,
};
const numpy: Requirement = {
  name: "numpy",
  what: "python3 with numpy",
  apt: ["python3", "python3-numpy"],
  ok: true,
  env: {},
};
const missing = (r: Requirement): Requirement => ({ ...r, ok: false });

describe("decide", () => {
  it("passes when everything is there, handing on the python to use", () => {
    expect(decide([chromium, redis, numpy], { root: false, aptGet: false })).toEqual({
      action: "ok",
      env: {},
    });
    const systemNumpy = { ...numpy, env: { OVERPARAM_PYTHON: "/usr/bin/python3" } };
    expect(decide([chromium, redis, systemNumpy], { root: true, aptGet: true })).toEqual({
      action: "ok",
      env: { OVERPARAM_PYTHON: "/usr/bin/python3" },
    });
  });

  it("installs what is missing as root with apt-get", () => {
    expect(
      decide([missing(chromium), redis, missing(numpy)], { root: true, aptGet: true }),
    ).toEqual({
      action: "install",
      packages: ["chromium", "python3", "python3-numpy"],
      line: "npm test: installing chromium python3 python3-numpy (missing: chromium at /usr/bin/chromium, python3 with numpy) with apt-get",
    });
  });

  it("installs OpenBLAS for the blas backend, and names a bad $OVERPARAM_BLAS", () => {
    const openblas: Requirement = {
      name: "openblas",
      what: "OpenBLAS (libopenblas.so.0)",
      apt: ["libopenblas0-pthread"],
      ok: false,
    };
    expect(decide([chromium, redis, numpy, openblas], { root: true, aptGet: true })).toEqual({
      action: "install",
      packages: ["libopenblas0-pthread"],
      line: "npm test: installing libopenblas0-pthread (missing: OpenBLAS (libopenblas.so.0)) with apt-get",
    });
    const pinned = { ...openblas, variable: "OVERPARAM_BLAS", value: "/x/libblas.so" };
    expect(decide([chromium, redis, numpy, pinned], { root: true, aptGet: true })).toEqual({
      action: "fail",
      line: "npm test: OVERPARAM_BLAS=/x/libblas.so is not a library the linker finds (fix or unset OVERPARAM_BLAS)",
    });
  });

  it("stops with one line saying what to install when not root", () => {
    expect(decide([chromium, missing(redis), numpy], { root: false, aptGet: true })).toEqual({
      action: "fail",
      line: "npm test needs redis-server on PATH: run as root apt-get update && apt-get install -y --no-install-recommends redis-server",
    });
  });

  it("does not install as root when told not to, or without apt-get", () => {
    expect(
      decide([missing(chromium), redis, numpy], { root: true, aptGet: true, noApt: true }),
    ).toEqual({
      action: "fail",
      line: "npm test needs chromium at /usr/bin/chromium: run apt-get update && apt-get install -y --no-install-recommends chromium",
    });
    expect(
      decide([missing(chromium), missing(redis), numpy], { root: true, aptGet: false }),
    ).toEqual({
      action: "fail",
      line: "npm test needs chromium at /usr/bin/chromium, redis-server on PATH (Debian: chromium redis-server)",
    });
  });

  it("never installs for a path the environment names: apt would not put it there", () => {
    const pinned = {
      ...missing(chromium),
      what: "chromium at /opt/chrome",
      variable: "OVERPARAM_CHROMIUM",
      value: "/opt/chrome",
    };
    const pinnedPython = {
      ...missing(numpy),
      variable: "OVERPARAM_PYTHON",
      value: "/opt/py/bin/python3",
    };
    expect(decide([pinned, missing(redis), pinnedPython], { root: true, aptGet: true })).toEqual({
      action: "fail",
      line: "npm test: OVERPARAM_CHROMIUM=/opt/chrome is not an executable file (fix or unset OVERPARAM_CHROMIUM); OVERPARAM_PYTHON=/opt/py/bin/python3 has no numpy (install numpy for it, or unset OVERPARAM_PYTHON)",
    });
  });
});

describe("the script", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "overparam-ensure-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const fake = (name: string, exitCode: number): string => {
    const file = path.join(dir, name);
    writeFileSync(file, `#!/bin/sh\nexit ${exitCode}\n`);
    chmodSync(file, 0o755);
    return file;
  };
  const bin = path.join(dir, "bin");
  const run = (env: Record<string, string>, command: string[] = []) =>
    spawnSync(process.execPath, [script, ...command], {
      // Only our fakes on PATH: no real redis-server or python3 is found there.
      env: { PATH: bin, OVERPARAM_NO_APT: "1", ...env },
      encoding: "utf8",
    });

  it("runs the command with its exit code when everything is there", () => {
    const r = run(
      {
        OVERPARAM_CHROMIUM: fake("chromium", 0),
        OVERPARAM_REDIS_SERVER: fake("redis-server", 0),
        OVERPARAM_PYTHON: fake("python-with-numpy", 0),
      },
      [process.execPath, "-e", "process.exit(process.env.OVERPARAM_PYTHON ? 7 : 8)"],
    );
    expect(r.stderr).toBe("");
    expect(r.status).toBe(7);
  });

  it("stops at once with one line and exit 1 when a program is missing, running nothing", () => {
    const marker = path.join(dir, "ran");
    const r = run({ OVERPARAM_CHROMIUM: fake("chromium", 0) }, [
      process.execPath,
      "-e",
      `require("node:fs").writeFileSync(${JSON.stringify(marker)}, "")`,
    ]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^npm test needs redis-server on PATH(, python3 with numpy)?: run apt-get update && apt-get install -y --no-install-recommends redis-server( python3 python3-numpy)?$/,
    );
    expect(existsSync(marker)).toBe(false);
  });

  it("names the variable when the path it gives does not work", () => {
    const r = run({
      OVERPARAM_CHROMIUM: path.join(dir, "no-such-chromium"),
      OVERPARAM_REDIS_SERVER: fake("redis-server", 0),
      OVERPARAM_PYTHON: fake("python-without-numpy", 1),
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `npm test: OVERPARAM_CHROMIUM=${dir}/no-such-chromium is not an executable file (fix or unset OVERPARAM_CHROMIUM); OVERPARAM_PYTHON=${dir}/python-without-numpy has no numpy (install numpy for it, or unset OVERPARAM_PYTHON)\n`,
    );
  });
});
