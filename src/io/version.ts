import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The installed package's root (dist/io/ → ../..), where presets/ and package.json live. */
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export const packageVersion: string = JSON.parse(
  readFileSync(path.join(packageRoot, "package.json"), "utf8"),
).version;

let commit: string | null | undefined;

/** The git commit of the checkout overparam runs from, or null outside a git checkout. */
export function gitCommit(): string | null {
  if (commit === undefined) {
    try {
      commit = execFileSync("git", ["rev-parse", "HEAD"], {
        cwd: packageRoot,
        stdio: ["ignore", "pipe", "ignore"],
      })
        .toString()
        .trim();
    } catch {
      commit = null;
    }
  }
  return commit;
}
