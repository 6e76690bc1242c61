/**
 * The report opens from disk in a real browser (Debian's chromium, driven by playwright-core):
 * every figure is visible and nothing is logged to the console. `npm test` installs chromium when missing (scripts/ensure-test-deps.mjs);
 * OVERPARAM_CHROMIUM may point elsewhere.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "../..");
const executablePath = process.env.OVERPARAM_CHROMIUM ?? "/usr/bin/chromium";
const flags = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
];

describe("report.html in headless Chromium", () => {
  let out: string;
  beforeAll(() => {
    out = path.join(mkdtempSync(path.join(tmpdir(), "overparam-browser-")), "report");
    const r = spawnSync(
      "node",
      [
        path.join(root, "bin/overparam.js"),
        "reproduce",
        "xd",
        "zgj",
        "--tiny",
        "--out",
        out,
        "--quiet",
      ],
      { cwd: root, encoding: "utf8" },
    );
    expect(r.status, r.stderr).toBe(0);
  }, 300_000);

  it("loads from disk with every figure visible and no console error", async () => {
    expect(
      existsSync(executablePath),
      `no browser at ${executablePath} (apt-get install chromium)`,
    ).toBe(true);
    const meta = JSON.parse(readFileSync(path.join(out, "report.json"), "utf8"));
    const browser = await chromium.launch({ executablePath, args: flags });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const errors: string[] = [];
      const requests: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") errors.push(`${m.type()}: ${m.text()}`);
      });
      page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
      page.on("request", (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(path.join(out, "report.html")).href, { waitUntil: "load" });
      expect(await page.locator("table.verdicts tbody tr").count()).toBe(meta.verdicts.length);
      const figures = page.locator("figure.overparam-figure");
      expect(await figures.count()).toBe(meta.figures.length);
      expect(meta.figures.length).toBeGreaterThanOrEqual(5);
      for (let i = 0; i < meta.figures.length; i++) {
        const svg = figures.nth(i).locator("svg").first();
        await svg.scrollIntoViewIfNeeded();
        expect(await svg.isVisible()).toBe(true);
        const box = await svg.boundingBox();
        expect(
          box && box.width > 100 && box.height > 100,
          `figure ${i} box ${JSON.stringify(box)}`,
        ).toBe(true);
        // the plot draws marks: paths with geometry inside the SVG
        expect(await figures.nth(i).locator("svg path").count()).toBeGreaterThan(3);
      }
      expect(errors).toEqual([]);
      // self-contained: the page fetched nothing but itself
      expect(requests.filter((u) => !u.startsWith("file:") && !u.startsWith("data:"))).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
