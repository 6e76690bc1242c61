import { readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { type NpyArray, NpyFormatError, parseNpy, serializeNpy } from "./npyFormat.js";
import { describeFsError } from "./specFile.js";

export { type NpyArray, NpyFormatError, parseNpy, serializeNpy };

/** Reads a float64 .npy file; errors are one line naming the file. */
export async function readNpyFile(file: string): Promise<NpyArray> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new Error(`cannot read ${file}: ${describeFsError(e)}`);
  }
  try {
    return parseNpy(bytes);
  } catch (e) {
    if (e instanceof NpyFormatError) throw new NpyFormatError(`${file}: ${e.message}`);
    throw e;
  }
}

/** Writes a .npy file via a temporary file and a rename, so no half-written file is left. */
export async function writeNpyFile(file: string, array: NpyArray): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}`);
  await writeFile(tmp, serializeNpy(array));
  await rename(tmp, file);
}
