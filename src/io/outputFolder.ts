import { accessSync, constants, mkdirSync, readdirSync, statSync } from "node:fs";
import { LOCK_ENTRIES } from "./folderLock.js";
import { UserInputError } from "./specFile.js";

/** An I/O failure in words, for one-line messages (the code decides; the path is said elsewhere). */
export function describeIoError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case "ENOENT":
      return "no such file or folder";
    case "ENOTDIR":
      return "a parent of it is a file, not a folder";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EROFS":
      return "read-only file system";
    case "ENOSPC":
      return "no space left on the device";
    case "EDQUOT":
      return "disk quota exceeded";
    case "EFBIG":
      return "file too large (the file size limit was reached)";
    case "EISDIR":
      return "is a folder";
    case "EIO":
      return "input/output error";
    default:
      return String((e as Error).message ?? e).split("\n")[0];
  }
}

/** Error codes of a disk or file system that refuses (not a bug of ours): one line, exit 1. */
export function isIoError(e: unknown): e is NodeJS.ErrnoException {
  const code = (e as NodeJS.ErrnoException)?.code;
  return (
    typeof code === "string" &&
    ["ENOSPC", "EDQUOT", "EFBIG", "EROFS", "EACCES", "EPERM", "EIO", "ENOTDIR", "EISDIR"].includes(
      code,
    )
  );
}

/**
 * Makes `dir` usable as an output folder, or throws one line (UserInputError, exit 2) saying
 * why not: it is a file, a parent is a file, it cannot be created or written (permissions, a
 * read-only or full file system). Returns the entries it already holds, lock files excepted.
 */
export function prepareOutputFolder(
  dir: string,
  { option = "--out", create = true }: { option?: string; create?: boolean } = {},
): string[] {
  let exists = false;
  try {
    exists = statSync(dir).isDirectory();
    if (!exists)
      throw new UserInputError([`${option} ${dir}: is a file, not a folder; choose a folder`]);
  } catch (e) {
    if (e instanceof UserInputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== "ENOENT")
      throw new UserInputError([`${option} ${dir}: cannot use it (${describeIoError(e)})`]);
  }
  if (!exists && !create) return [];
  if (!exists) {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw new UserInputError([
        `${option} ${dir}: cannot create the folder (${describeIoError(e)})`,
      ]);
    }
  }
  try {
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw new UserInputError([`${option} ${dir}: cannot write there (${describeIoError(e)})`]);
  }
  return readdirSync(dir).filter((entry) => !LOCK_ENTRIES.includes(entry));
}
