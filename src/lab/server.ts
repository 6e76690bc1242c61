import { createReadStream } from "node:fs";
import { readdir, readFile, realpath, stat } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The lab's static server: the single-page app built by `npm run build:lab` (dist-lab/), and,
 * with a results folder, a JSON listing of its run folders and reports plus their files.
 * Nothing is computed here: the page runs the engine in a Web Worker, so the same files work
 * from any static host. node:http keeps it dependency-free and small enough to audit.
 *
 * Containment: a results file is served only when its real path (symlinks resolved) lies
 * inside the real path of the results folder; `..` segments, encoded separators, NUL bytes and
 * backslashes are refused before any file-system access.
 */

/** dist-lab/ next to dist/ and src/ (this file is src/lab/server.ts or dist/lab/server.js). */
export const defaultAppDir = fileURLToPath(new URL("../../dist-lab/", import.meta.url));

export interface LabServerOptions {
  /** Port to listen on; 0 or undefined lets the OS choose. */
  port?: number;
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
  /** The built single-page app (default dist-lab/ of this package). */
  appDir?: string;
  /** A folder of run folders and reproduce reports to list at /api/results and serve at /results/. */
  resultsDir?: string;
}

export interface LabServer {
  readonly url: string;
  readonly port: number;
  readonly server: http.Server;
  close(): Promise<void>;
}

export interface ResultEntry {
  /** "run": a folder with manifest.json; "report": a folder with report.html or report.json. */
  kind: "run" | "report";
  /** The folder relative to the results folder, with "/" separators ("." for the folder itself). */
  path: string;
  /** URLs (relative to the site root) of the files the page can open. */
  files: Record<string, string>;
  name?: string;
  status?: string;
  finalLoss?: number | string | null;
  paper?: string;
}

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".csv": "text/csv; charset=utf-8",
  ".yaml": "text/yaml; charset=utf-8",
  ".yml": "text/yaml; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".wasm": "application/wasm",
  ".npy": "application/octet-stream",
};

/** The page needs its own scripts, a worker and WebAssembly compilation; nothing else. */
const appPolicy =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'self'";

/**
 * Cross-origin isolation for the app: with these the page and its workers get SharedArrayBuffer,
 * so a run's matrix products use several threads (src/core/linalg/threadedGemm.ts). The page
 * loads nothing from other origins, so requiring CORP costs nothing.
 */
const isolation = {
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-embedder-policy": "require-corp",
  "cross-origin-resource-policy": "same-origin",
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startLabServer(options: LabServerOptions = {}): Promise<LabServer> {
  const host = options.host ?? "127.0.0.1";
  const appDir = path.resolve(options.appDir ?? defaultAppDir);
  const resultsDir = options.resultsDir ? await realpath(path.resolve(options.resultsDir)) : null;
  if (resultsDir && !(await stat(resultsDir)).isDirectory())
    throw new Error(`--results ${options.resultsDir}: not a folder`);
  const loopback = isLoopback(host);

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      const status = e instanceof HttpError ? e.status : 500;
      const message = e instanceof HttpError ? e.message : "internal error";
      if (!(e instanceof HttpError)) process.stderr.write(`overparam lab: ${String(e)}\n`);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.writeHead(status, {
        "content-type": "text/plain; charset=utf-8",
        "x-content-type-options": "nosniff",
      });
      res.end(`${status} ${message}\n`);
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (req.method !== "GET" && req.method !== "HEAD")
      throw new HttpError(405, "method not allowed");
    // DNS rebinding: a loopback server answers only to loopback host names.
    if (loopback && !isLoopbackHostHeader(req.headers.host))
      throw new HttpError(403, "forbidden host");
    const raw = req.url ?? "/";
    const rawPath = raw.split(/[?#]/, 1)[0];
    if (!rawPath.startsWith("/")) throw new HttpError(400, "bad request");
    const segments = decodeSegments(rawPath);

    if (segments[0] === "api" && segments[1] === "results" && segments.length === 2) {
      // null: no results folder (the page then hides its results panel without a failed request)
      const body = JSON.stringify({ results: resultsDir ? await listResults(resultsDir) : null });
      res.writeHead(200, {
        "content-type": contentTypes[".json"],
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
      });
      res.end(req.method === "HEAD" ? undefined : body);
      return;
    }
    if (segments[0] === "results") {
      if (!resultsDir) throw new HttpError(404, "no results folder (start with --results DIR)");
      const file = await containedFile(resultsDir, segments.slice(1));
      await sendFile(req, res, file, false);
      return;
    }
    const file = await containedFile(appDir, segments.length ? segments : ["index.html"], true);
    await sendFile(req, res, file, true);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}/`;
  return {
    url,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * The URL path as decoded segments. Each segment is percent-decoded once; a segment that is
 * empty in the middle, `.` or `..` (before or after decoding), or that contains a separator,
 * a backslash or NUL after decoding is refused, so no decoding trick can climb out.
 */
export function decodeSegments(rawPath: string): string[] {
  const parts = rawPath.split("/").slice(1);
  if (parts.length && parts[parts.length - 1] === "") parts.pop();
  return parts.map((part) => {
    let s: string;
    try {
      s = decodeURIComponent(part);
    } catch {
      throw new HttpError(400, "bad request");
    }
    if (
      s === "" ||
      s === "." ||
      s === ".." ||
      /[/\\\0]/.test(s) ||
      // a second round of decoding would climb: refuse double-encoded dots and separators too
      /%(2e|2f|5c|00)/i.test(s) ||
      path.isAbsolute(s)
    )
      throw new HttpError(403, "forbidden path");
    return s;
  });
}

/** root/segments… when its real path is inside root's real path and it is a file (or dir → index.html). */
async function containedFile(root: string, segments: string[], app = false): Promise<string> {
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch {
    throw app
      ? new HttpError(500, `the lab is not built: ${root} is missing (run npm run build:lab)`)
      : new HttpError(404, "not found");
  }
  const candidate = path.resolve(realRoot, ...segments);
  if (!inside(realRoot, candidate)) throw new HttpError(403, "forbidden path");
  let real: string;
  try {
    real = await realpath(candidate);
  } catch {
    throw new HttpError(404, "not found");
  }
  if (!inside(realRoot, real)) throw new HttpError(403, "forbidden path");
  const info = await stat(real);
  if (info.isDirectory()) {
    if (!app) throw new HttpError(404, "not found");
    return containedFile(root, [...segments, "index.html"], app);
  }
  if (!info.isFile()) throw new HttpError(404, "not found");
  return real;
}

function inside(root: string, p: string): boolean {
  return p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

async function sendFile(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  file: string,
  app: boolean,
): Promise<void> {
  const info = await stat(file);
  const headers: Record<string, string | number> = {
    "content-type": contentTypes[path.extname(file).toLowerCase()] ?? "application/octet-stream",
    "content-length": info.size,
    "x-content-type-options": "nosniff",
    "cache-control": "no-cache",
  };
  if (app) {
    headers["content-security-policy"] = appPolicy;
    Object.assign(headers, isolation);
  }
  res.writeHead(200, headers);
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const stream = createReadStream(file);
    stream.on("error", reject);
    res.on("finish", resolve);
    res.on("close", resolve);
    stream.pipe(res);
  });
}

/**
 * Run folders (manifest.json) and reproduce reports (report.html / report.json) under dir, at
 * most 6 levels deep; symlinks are not followed (a link could lead outside the folder).
 */
export async function listResults(dir: string): Promise<ResultEntry[]> {
  const out: ResultEntry[] = [];
  const walk = async (abs: string, rel: string[], depth: number): Promise<void> => {
    let entries: import("node:fs").Dirent[];
    try {
      entries = await readdir(abs, { withFileTypes: true });
    } catch {
      return;
    }
    const files = new Set(entries.filter((e) => e.isFile()).map((e) => e.name));
    const relPath = rel.length ? rel.join("/") : ".";
    const url = (name: string) =>
      `results/${[...rel, name].map((s) => encodeURIComponent(s)).join("/")}`;
    if (files.has("manifest.json")) {
      const entry: ResultEntry = { kind: "run", path: relPath, files: {} };
      for (const f of ["manifest.json", "metrics.csv", "spec.yaml"])
        if (files.has(f)) entry.files[f] = url(f);
      try {
        const m = JSON.parse(await readFile(path.join(abs, "manifest.json"), "utf8"));
        entry.name = typeof m.spec?.name === "string" ? m.spec.name : undefined;
        entry.paper = typeof m.spec?.paper === "string" ? m.spec.paper : undefined;
        entry.status = typeof m.status === "string" ? m.status : undefined;
        entry.finalLoss = m.finalLoss ?? null;
      } catch {
        entry.status = "unreadable manifest";
      }
      out.push(entry);
    }
    if (files.has("report.html") || files.has("report.json")) {
      const entry: ResultEntry = { kind: "report", path: relPath, files: {} };
      for (const f of ["report.html", "report.json"]) if (files.has(f)) entry.files[f] = url(f);
      out.push(entry);
    }
    if (depth >= 6) return;
    const dirs = entries
      .filter((e) => e.isDirectory() && !e.name.startsWith(".") && e.name !== "node_modules")
      .map((e) => e.name)
      .sort();
    for (const d of dirs) await walk(path.join(abs, d), [...rel, d], depth + 1);
  };
  await walk(dir, [], 0);
  return out;
}

function isLoopback(host: string): boolean {
  return host === "127.0.0.1" || host === "localhost" || host === "::1" || host.startsWith("127.");
}

function isLoopbackHostHeader(header: string | undefined): boolean {
  if (!header) return false;
  const name = header.startsWith("[")
    ? header.slice(0, header.indexOf("]") + 1)
    : header.split(":")[0];
  return name === "localhost" || name === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(name);
}
