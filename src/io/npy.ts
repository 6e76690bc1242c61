/**
 * Reading and writing float64 .npy files on disk (Node). The format itself lives in the pure
 * ./npyFormat.ts, re-exported here.
 */
import { randomBytes } from "node:crypto";
import { open, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import { type NpyArray, NpyFormatError, parseNpy, serializeNpy } from "./npyFormat.js";

export { type NpyArray, NpyFormatError, parseNpy, serializeNpy };

/**
 * Reads a float64 .npy file (see parseNpy). Errors are one line naming the file:
 * `cannot read <path>: no such file` when it cannot be read, and an NpyFormatError
 * `<path>: <what is wrong>` when it is not a float64 1-D/2-D array.
 */
export async function readNpyFile(file: string): Promise<NpyArray> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new Error(`cannot read ${file}: ${describeFsError(e, "read")}`, { cause: e });
  }
  try {
    return parseNpy(bytes);
  } catch (e) {
    if (e instanceof NpyFormatError)
      throw new NpyFormatError(`${file}: ${e.message}`, { cause: e });
    throw e;
  }
}

/**
 * Writes `array` as a .npy file (see serializeNpy). The bytes go to a temporary file in the same
 * folder, are flushed to disk, and the temporary file is then renamed over `file`, so `file` is
 * either left as it was or holds the complete new array — never half-written.
 */
export async function writeNpyFile(file: string, array: NpyArray): Promise<void> {
  const bytes = serializeNpy(array); // throws before touching the disk
  const tmp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}-${randomBytes(6).toString("hex")}.tmp`,
  );
  try {
    const handle = await open(tmp, "wx");
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => {});
    throw new Error(`cannot write ${file}: ${describeFsError(e, "write")}`, { cause: e });
  }
}

function describeFsError(e: unknown, op: "read" | "write"): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return op === "read" ? "no such file" : "no such folder";
  if (code === "ENOTDIR") return "a parent of it is not a folder";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "is a directory";
  if (code === "ENOSPC") return "no space left on the device";
  return String((e as Error).message ?? e).split("\n")[0];
}
