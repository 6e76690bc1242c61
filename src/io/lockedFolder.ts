import { readFileSync, writeFileSync } from "node:fs";
import { lockOutputFolder } from "./folderLock.js";
import type { StopHandler } from "./interrupt.js";

/**
 * Runs a command's work on its output folder: holds the folder's lock meanwhile (losing it
 * stops the work, as a Ctrl-C would), and — when the folder has a status file (reproduce's
 * report.json, sweep's sweep.json) — makes sure that file never says "running" once the
 * process has ended, whatever ended it (an error, a full disk, a second Ctrl-C).
 */
export async function whileLocked<T>(
  out: string,
  command: string,
  stopper: StopHandler,
  work: () => Promise<T>,
  statusFile?: { path: string; reason: string },
): Promise<T> {
  const lock = await lockOutputFolder(out, command, (e) => {
    process.stderr.write(`error: lost the lock on ${out} (${e.message}); stopping\n`);
    Atomics.store(new Int32Array(stopper.stopFlag), 0, 1);
  });
  const settle = () => {
    if (!statusFile) return;
    try {
      const current = JSON.parse(readFileSync(statusFile.path, "utf8"));
      if (current.status === "running")
        writeFileSync(
          statusFile.path,
          `${JSON.stringify({ ...current, status: "interrupted", reason: statusFile.reason })}\n`,
        );
    } catch {
      // nothing to correct, or the disk refuses: nothing more can be done here
    }
  };
  process.on("exit", settle);
  try {
    return await work();
  } finally {
    process.off("exit", settle);
    settle();
    await lock.release();
  }
}
