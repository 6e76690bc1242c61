/**
 * An exclusive lock on an output folder, held for the whole of a command that writes into it
 * (`run`, `reproduce`, `sweep`): two processes writing one folder would interleave rows of the
 * same metrics.csv and leave a run that says "completed" over a truncated file.
 *
 * proper-lockfile does the locking (an atomic mkdir of DIR/.overparam.lock whose mtime the
 * holder refreshes; a lock not refreshed for `stale` ms is taken over). We add who holds it
 * (DIR/.overparam.lock.json: pid, host, command, since) so that a lock left by a process that
 * was killed on this host is taken over at once (its pid is gone) instead of after the stale
 * period, and so that the refusal can say who holds it.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import lockfile from "proper-lockfile";
import { UserInputError } from "./specFile.js";

/** Entries of an output folder that belong to the lock, not to results. */
export const LOCK_ENTRIES = [".overparam.lock", ".overparam.lock.json"];

export interface LockOwner {
  pid: number;
  host: string;
  command: string;
  since: string;
}

export interface FolderLock {
  readonly dir: string;
  release(): Promise<void>;
}

/** A lock is taken over when not refreshed for this long (the holder refreshes every 5 s). */
const STALE_MS = 15_000;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"; // alive, someone else's
  }
}

function readOwner(ownerFile: string): LockOwner | null {
  try {
    return JSON.parse(readFileSync(ownerFile, "utf8")) as LockOwner;
  } catch {
    return null;
  }
}

/**
 * Takes the lock on `dir` (which must exist) or throws a one-line UserInputError naming the
 * process that holds it. `onCompromised` is called if the lock is lost while held (another
 * process took it over after this one stalled for longer than the stale period).
 */
export async function lockOutputFolder(
  dir: string,
  command: string,
  onCompromised: (error: Error) => void,
): Promise<FolderLock> {
  const lockPath = path.join(dir, LOCK_ENTRIES[0]);
  const ownerFile = path.join(dir, LOCK_ENTRIES[1]);
  const options = {
    lockfilePath: lockPath,
    realpath: false,
    stale: STALE_MS,
    update: 5_000,
    onCompromised,
  };
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(dir, options);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ELOCKED") {
      throw new UserInputError([
        `--out ${dir}: cannot lock the folder (${(e as Error).message.split("\n")[0]})`,
      ]);
    }
    const owner = readOwner(ownerFile);
    if (owner && owner.host === hostname() && !processAlive(owner.pid)) {
      // left by a process that died on this host (kill -9, a crash): take it over now — unless
      // another process has just done so (the owner changed since we read it)
      const again = readOwner(ownerFile);
      if (again?.pid !== owner.pid || again.since !== owner.since)
        return lockOutputFolder(dir, command, onCompromised);
      rmSync(lockPath, { recursive: true, force: true });
      rmSync(ownerFile, { force: true });
      return lockOutputFolder(dir, command, onCompromised);
    }
    const who = owner
      ? `overparam ${owner.command} (pid ${owner.pid} on ${owner.host}, since ${owner.since})`
      : "another overparam process";
    throw new UserInputError([
      `--out ${dir}: in use by ${who}; wait for it to finish or choose another folder`,
    ]);
  }
  const owner: LockOwner = {
    pid: process.pid,
    host: hostname(),
    command,
    since: new Date().toISOString(),
  };
  writeFileSync(ownerFile, `${JSON.stringify(owner)}\n`);
  let released = false;
  return {
    dir,
    async release() {
      if (released) return;
      released = true;
      rmSync(ownerFile, { force: true });
      await release().catch(() => {}); // already gone (compromised): nothing to release
    },
  };
}
