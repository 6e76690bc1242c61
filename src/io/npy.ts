/**
 * Reading and writing float64 .npy files on disk (Node). The format itself lives in the pure
 * ./npyFormat.ts, re-exported here.
 */

import { constants as bufferConstants } from "node:buffer";
import { randomBytes } from "node:crypto";
import { constants, type Stats } from "node:fs";
import { type FileHandle, open, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import {
  checkNpyDataLength,
  type NpyArray,
  NpyFormatError,
  type NpyHeader,
  parseNpy,
  parseNpyHeader,
  serializeNpy,
} from "./npyFormat.js";

export { type NpyArray, NpyFormatError, parseNpy, serializeNpy };

/** The longest header read (numpy itself refuses headers over 10 000 bytes by default). */
const MAX_HEADER_BYTES = 1 << 20;
/** The largest file read into one buffer (Node 20: 4 GiB). */
const MAX_FILE_BYTES = bufferConstants.MAX_LENGTH;

/**
 * Reads a float64 .npy file (see parseNpy). Errors are one line naming the file:
 * `cannot read <path>: no such file` when it cannot be read, and an NpyFormatError
 * `<path>: <what is wrong>` when it is not a float64 1-D/2-D array.
 *
 * Only regular files are read (a symbolic link to one is fine): a FIFO would block forever and
 * /dev/zero would be read until memory runs out. The header is read and checked first, and the
 * size of the data it declares must be the size of the rest of the file before the data are
 * read, so a huge or lying file is refused without reading it.
 */
export async function readNpyFile(file: string): Promise<NpyArray> {
  let size: number;
  let bytes: Uint8Array;
  try {
    // stat follows symbolic links; checking before open keeps a FIFO from blocking the open
    const info = await stat(file);
    if (!info.isFile()) throw new NotRegularFile(fileKind(info));
    // O_NONBLOCK: should the path have become a FIFO since, open must not wait for a writer
    const handle = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    try {
      const opened = await handle.stat();
      if (!opened.isFile()) throw new NotRegularFile(fileKind(opened));
      size = opened.size;
      const head = await readAt(handle, 0, Math.min(size, 12 + MAX_HEADER_BYTES));
      const header = parseHeaderOf(file, head, size);
      checkNpyData(file, header, size);
      if (size > MAX_FILE_BYTES) {
        throw new NpyFormatError(
          `${file}: the file is ${size} bytes; overparam reads .npy files of at most ${MAX_FILE_BYTES} bytes`,
        );
      }
      bytes = await readAt(handle, 0, size);
    } finally {
      await handle.close();
    }
  } catch (e) {
    if (e instanceof NpyFormatError) throw e;
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

class NotRegularFile extends Error {}

function fileKind(info: Stats): string {
  if (info.isDirectory()) return "is a directory";
  if (info.isFIFO()) return "is a FIFO (named pipe), not a regular file";
  if (info.isCharacterDevice()) return "is a character device, not a regular file";
  if (info.isBlockDevice()) return "is a block device, not a regular file";
  if (info.isSocket()) return "is a socket, not a regular file";
  return "is not a regular file";
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(out, filled, length - filled, position + filled);
    if (bytesRead === 0) break; // the file shrank while being read
    filled += bytesRead;
  }
  return filled === length ? out : out.subarray(0, filled);
}

function parseHeaderOf(file: string, head: Uint8Array, size: number): NpyHeader {
  try {
    return parseNpyHeader(head);
  } catch (e) {
    if (!(e instanceof NpyFormatError)) throw e;
    if (head.length < size && /header should be/.test(e.message)) {
      throw new NpyFormatError(
        `${file}: the .npy header is longer than the ${MAX_HEADER_BYTES} bytes overparam reads`,
        { cause: e },
      );
    }
    throw new NpyFormatError(`${file}: ${e.message}`, { cause: e });
  }
}

function checkNpyData(file: string, header: NpyHeader, size: number): void {
  try {
    checkNpyDataLength(header, size - header.dataStart);
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
  if (e instanceof NotRegularFile) return e.message;
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return op === "read" ? "no such file" : "no such folder";
  if (code === "ENOTDIR") return "a parent of it is not a folder";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "is a directory";
  if (code === "ENOSPC") return "no space left on the device";
  return String((e as Error).message ?? e).split("\n")[0];
}
