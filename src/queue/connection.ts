/**
 * Redis connections for the sweep command and the workers: one URL format
 * (redis://[user:pass@]host:port[/db], rediss:// for TLS), reconnection with back-off, and one
 * clear line per outage instead of a stream of stack traces.
 */
import { Redis } from "ioredis";
import { UserInputError } from "../io/specFile.js";

/** BullMQ's key prefix and queue name: every overparam sweep shares the one queue. */
export const PREFIX = "overparam";
export const QUEUE_NAME = "runs";
/** Finished runs' files, packed, by content hash (the job's return value stays small). */
export const resultKey = (hash: string) => `${PREFIX}:result:${hash}`;
/** Workers that refused runs because their engine differs: worker id → JSON. */
export const REFUSALS_KEY = `${PREFIX}:refusals`;

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, (_m, auth: string) =>
    auth.includes(":") ? `//${auth.split(":")[0]}:…@` : "//…@",
  );
}

export function checkUrl(url: string, flag: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UserInputError([
      `${flag} ${url}: not a URL; expected redis://[user:pass@]host:port[/db] or rediss://…`,
    ]);
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:")
    throw new UserInputError([
      `${flag} ${redactUrl(url)}: expected redis://[user:pass@]host:port[/db] or rediss://…`,
    ]);
  const db = u.pathname.replace(/^\//, "");
  if (db !== "" && !/^\d+$/.test(db))
    throw new UserInputError([`${flag} ${redactUrl(url)}: the database must be a number (…/0)`]);
  return u;
}

/** Back-off between reconnection attempts: 0.5 s, 1 s, 2 s, … up to 15 s. */
export function backoffMs(attempt: number): number {
  return Math.min(15_000, 500 * 2 ** Math.max(0, attempt - 1));
}

export interface ConnectionReporter {
  /** Called once per outage with a one-line description, and once when it is over. */
  down(line: string): void;
  up(line: string): void;
}

/**
 * An ioredis client that retries for ever with back-off (BullMQ requires
 * maxRetriesPerRequest: null: commands wait for the connection instead of failing) and
 * reports each outage once.
 */
export function connect(url: string, who: string, report: ConnectionReporter): Redis {
  const client = new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: backoffMs,
    connectionName: who,
    lazyConnect: false,
  });
  let down = false;
  let everUp = false;
  client.on("error", (e: NodeJS.ErrnoException) => {
    if (down) return;
    down = true;
    const what = e.code ?? e.message.split("\n")[0];
    report.down(
      everUp
        ? `lost Redis at ${redactUrl(url)} (${what}); reconnecting with back-off`
        : `cannot reach Redis at ${redactUrl(url)} (${what}); retrying with back-off (up to 15 s apart)`,
    );
  });
  client.on("ready", () => {
    if (down || !everUp)
      report.up(`${everUp ? "reconnected to" : "connected to"} Redis at ${redactUrl(url)}`);
    down = false;
    everUp = true;
  });
  return client;
}

/** Resolves when the client is ready, or rejects after `ms` (the caller decides what that means). */
export function whenReady(client: Redis, ms: number): Promise<void> {
  if (client.status === "ready") return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off("ready", onReady);
      reject(new Error("timed out"));
    }, ms);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    client.once("ready", onReady);
  });
}
