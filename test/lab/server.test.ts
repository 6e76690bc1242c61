/**
 * The lab server with raw HTTP requests (node:http sends the path exactly as written; fetch
 * would normalize `../` away): the app and the results folder are served, and nothing outside
 * the results folder is, whatever the encoding or a symlink says.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LabServer, startLabServer } from "../../src/lab/server.js";

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function get(port: number, rawPath: string, host = `127.0.0.1:${port}`): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port, path: rawPath, method: "GET", headers: { host } },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c) => {
          body += c;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

const SECRET = "top-secret-outside-the-results-folder";

describe("overparam lab server", () => {
  let base: string;
  let app: string;
  let results: string;
  let lab: LabServer;

  beforeAll(async () => {
    base = mkdtempSync(path.join(tmpdir(), "overparam-lab-server-"));
    app = path.join(base, "app");
    results = path.join(base, "results");
    mkdirSync(app);
    writeFileSync(path.join(app, "index.html"), "<!doctype html><title>lab</title>");
    writeFileSync(path.join(app, "main.js"), "console.log(1)");
    writeFileSync(path.join(base, "secret.txt"), SECRET);
    mkdirSync(path.join(base, "outside"));
    writeFileSync(path.join(base, "outside", "manifest.json"), JSON.stringify({ status: SECRET }));
    const run = path.join(results, "runs", "xd-fig1 n=3");
    mkdirSync(run, { recursive: true });
    writeFileSync(
      path.join(run, "manifest.json"),
      JSON.stringify({
        spec: { name: "xd-fig1", paper: "xd" },
        status: "completed",
        finalLoss: 1e-9,
      }),
    );
    writeFileSync(path.join(run, "metrics.csv"), "step,time,loss\n0,0,0.5\n");
    mkdirSync(path.join(results, "report"));
    writeFileSync(path.join(results, "report", "report.html"), "<html>report</html>");
    writeFileSync(path.join(results, "report", "report.json"), "{}");
    // links that point outside: to a file, and to a folder (which also must not be listed)
    symlinkSync(path.join(base, "secret.txt"), path.join(results, "link.txt"));
    symlinkSync(path.join(base, "outside"), path.join(results, "linkdir"));
    // a link that stays inside is fine
    symlinkSync(path.join(run, "metrics.csv"), path.join(results, "inside.csv"));
    lab = await startLabServer({ appDir: app, resultsDir: results });
  });
  afterAll(async () => {
    await lab?.close();
  });

  it("binds 127.0.0.1 on a port the OS chose and serves the app", async () => {
    expect(lab.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(lab.port).toBeGreaterThan(0);
    const index = await get(lab.port, "/");
    expect(index.status).toBe(200);
    expect(index.headers["content-type"]).toMatch(/text\/html/);
    expect(index.headers["content-security-policy"]).toContain("wasm-unsafe-eval");
    expect(index.body).toContain("<title>lab</title>");
    const js = await get(lab.port, "/main.js?v=1");
    expect(js.status).toBe(200);
    expect(js.headers["content-type"]).toMatch(/javascript/);
    // cross-origin isolated (SharedArrayBuffer for the threaded matrix products), workers too
    for (const r of [index, js]) {
      expect(r.status).toBe(200);
      expect(r.headers["cross-origin-opener-policy"]).toBe("same-origin");
      expect(r.headers["cross-origin-embedder-policy"]).toBe("require-corp");
    }
    expect((await get(lab.port, "/missing.js")).status).toBe(404);
  });

  it("lists run folders and reports at /api/results and serves their files", async () => {
    const r = await get(lab.port, "/api/results");
    expect(r.status).toBe(200);
    const { results: list } = JSON.parse(r.body);
    expect(list).toEqual([
      {
        kind: "report",
        path: "report",
        files: {
          "report.html": "results/report/report.html",
          "report.json": "results/report/report.json",
        },
      },
      {
        kind: "run",
        path: "runs/xd-fig1 n=3",
        files: {
          "manifest.json": "results/runs/xd-fig1%20n%3D3/manifest.json",
          "metrics.csv": "results/runs/xd-fig1%20n%3D3/metrics.csv",
        },
        name: "xd-fig1",
        paper: "xd",
        status: "completed",
        finalLoss: 1e-9,
      },
    ]);
    expect(r.body).not.toContain(SECRET);
    const csv = await get(lab.port, "/results/runs/xd-fig1%20n%3D3/metrics.csv");
    expect(csv.status).toBe(200);
    expect(csv.body).toBe("step,time,loss\n0,0,0.5\n");
    expect((await get(lab.port, "/results/report/report.html")).body).toContain("report");
    expect((await get(lab.port, "/results/inside.csv")).status).toBe(200);
  });

  const attempts = [
    "/results/../secret.txt",
    "/results/../../secret.txt",
    "/results/runs/../../secret.txt",
    "/results/%2e%2e/secret.txt",
    "/results/%2E%2E/secret.txt",
    "/results/..%2fsecret.txt",
    "/results/..%2Fsecret.txt",
    "/results/%2e%2e%2fsecret.txt",
    "/results/..%5csecret.txt",
    "/results/%252e%252e/secret.txt",
    "/results/%252e%252e%252fsecret.txt",
    "/results/..%252fsecret.txt",
    "/results/%c0%ae%c0%ae/secret.txt",
    "/results/.%2e/secret.txt",
    "/results//etc/passwd",
    "/results/%2fetc%2fpasswd",
    "/results/%2Fetc/passwd",
    "/results/link.txt",
    "/results/linkdir/manifest.json",
    "/results/secret.txt%00.csv",
    "/../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2e%2e%2fsecret.txt",
    "/..%2f..%2fsecret.txt",
    "/%252e%252e%252fsecret.txt",
    "//etc/passwd",
    "/results/..\\secret.txt",
    `/results/${encodeURIComponent(path.join(tmpdir(), "x"))}`,
  ];
  it.each(attempts)("refuses %s with 400/403/404 and never leaks the secret", async (p) => {
    const r = await get(lab.port, p);
    expect([400, 403, 404]).toContain(r.status);
    expect(r.body).not.toContain(SECRET);
    expect(r.body).not.toContain("root:");
  });

  it("answers absolute-form and odd request targets without serving anything outside", async () => {
    for (const p of [`http://127.0.0.1:${lab.port}/../secret.txt`, "*", "secret.txt"]) {
      const r = await get(lab.port, p);
      expect([400, 403, 404]).toContain(r.status);
      expect(r.body).not.toContain(SECRET);
    }
  });

  it("refuses foreign Host headers (DNS rebinding) and methods other than GET/HEAD", async () => {
    expect((await get(lab.port, "/", "evil.example:80")).status).toBe(403);
    expect((await get(lab.port, "/", `localhost:${lab.port}`)).status).toBe(200);
    const post = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        { host: "127.0.0.1", port: lab.port, path: "/", method: "POST" },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect(post).toBe(405);
  });

  it("without --results /api/results says null and /results/ is 404", async () => {
    const bare = await startLabServer({ appDir: app });
    try {
      const r = await get(bare.port, "/api/results");
      expect([r.status, JSON.parse(r.body)]).toEqual([200, { results: null }]);
      expect((await get(bare.port, "/results/report/report.html")).status).toBe(404);
    } finally {
      await bare.close();
    }
  });

  it("`overparam lab --results DIR` prints its URL, serves, and stops on SIGTERM", async () => {
    const root = path.resolve(__dirname, "../..");
    const child = spawn(
      process.execPath,
      [path.join(root, "bin/overparam.js"), "lab", "--results", results],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.setEncoding("utf8");
        child.stdout.on("data", (c: string) => {
          out += c;
          const m = out.match(/http:\/\/127\.0\.0\.1:\d+\//);
          if (m) resolve(m[0]);
        });
        child.on("exit", (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      const port = Number(new URL(url).port);
      expect((await get(port, "/api/results")).status).toBe(200);
      expect((await get(port, "/results/../secret.txt")).status).toBe(403);
    } finally {
      child.kill("SIGTERM");
    }
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(code).toBe(0);
  });
});
