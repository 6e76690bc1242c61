import { renameSync, rmSync, writeFileSync } from "node:fs";

/**
 * Writes a file so that it is either left as it was or holds the complete new contents: the
 * data go to a temporary file beside it, renamed over it at the end. A write that fails (a
 * full disk, a file size limit) removes the temporary file and rethrows.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
