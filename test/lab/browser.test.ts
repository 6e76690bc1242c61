/**
 * The lab in a real browser (Debian's chromium driven by playwright-core, as in
 * test/reproduce/browser.test.ts; OVERPARAM_CHROMIUM may point elsewhere): pick a preset, run,
 * watch the loss fall, pause/resume, URL state across a reload, inline validation, the numbers
 * against the CLI's metrics.csv, --results browsing, and that the main thread never blocks for
 * more than 50 ms while a run streams (long-task observer). Screenshots go to test-artifacts/;
 * OVERPARAM_UPDATE_SCREENSHOT=1 also copies the mid-run one to docs/lab.png for the README.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LabServer, startLabServer } from "../../src/lab/server.js";

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
const artifacts = path.join(root, "test-artifacts");
const overloaded = () => loadavg()[0] > 1.5 * cpus().length;

// What the functions run in the page use (this file is type-checked without the DOM library;
// the page's CSP forbids evaluating strings, so page code is written as functions).
declare const document: {
  querySelector(selector: string): { textContent: string | null } | null;
};

describe("the lab in headless Chromium", () => {
  let base: string;
  let lab: LabServer;
  let browser: Browser;
  let cliRun: string;
  const errors: string[] = [];

  beforeAll(async () => {
    expect(
      existsSync(executablePath),
      `no browser at ${executablePath} (apt-get install chromium)`,
    ).toBe(true);
    base = mkdtempSync(path.join(tmpdir(), "overparam-lab-browser-"));
    const app = path.join(base, "app");
    const build = spawnSync(
      "node",
      [path.join(root, "scripts/build-lab.mjs"), "--out", app, "--quiet"],
      {
        encoding: "utf8",
      },
    );
    expect(build.status, build.stderr).toBe(0);
    // the CLI's numbers for the comparison (and a run folder for --results)
    cliRun = path.join(base, "results", "xd-n3");
    const cli = spawnSync(
      "node",
      [
        path.join(root, "bin/overparam.js"),
        "run",
        "xd-fig1",
        "--set",
        "student.width=3",
        "--set",
        "optimizer.steps=3000",
        "--out",
        cliRun,
        "--quiet",
      ],
      { encoding: "utf8" },
    );
    expect(cli.status, cli.stderr).toBe(0);
    lab = await startLabServer({ appDir: app, resultsDir: path.join(base, "results") });
    browser = await chromium.launch({ executablePath, args: flags });
    mkdirSync(artifacts, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await lab?.close();
  });

  async function open(url = lab.url): Promise<Page> {
    const page = await browser.newPage({
      viewport: { width: 1280, height: 800 },
      acceptDownloads: true,
    });
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") errors.push(`${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
    // every task over 50 ms on the main thread, with its start time
    // (an init script is injected by the browser, not evaluated by the page: a string is fine)
    // Long animation frames name the scripts that ran in them: the longest script is ours to own.
    await page.addInitScript(`
      window.longTasks = [];
      window.longScripts = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries())
          window.longTasks.push({ start: e.startTime, duration: e.duration });
      }).observe({ type: "longtask", buffered: true });
      new PerformanceObserver((list) => {
        for (const e of list.getEntries())
          for (const s of e.scripts)
            window.longScripts.push({ start: s.startTime, duration: s.duration, invoker: s.invoker });
      }).observe({ type: "long-animation-frame", buffered: true });`);
    await page.goto(url);
    await page.waitForSelector("body[data-ready=true]");
    return page;
  }

  async function setField(page: Page, path: string, value: string): Promise<void> {
    const id = `#field-${path.replace(/\./g, "-")}`;
    await page.fill(id, value);
    await page.press(id, "Tab");
  }

  const waitDone = (page: Page) =>
    page.waitForFunction(
      () => document.querySelector("#status")?.textContent?.startsWith("Done"),
      null,
      {
        timeout: 90_000,
      },
    );

  const runCell = (page: Page, label: string, column: number) =>
    page.locator("#runs tbody tr", { hasText: label }).locator("td").nth(column);

  it("runs xd-fig1, streams without long tasks, pauses and resumes, and the loss falls", async () => {
    const page = await open();
    await page.selectOption("#preset", "xd-fig1");
    expect(await page.textContent("#preset-explain")).toContain("T⁻³");
    await setField(page, "optimizer.steps", "400000");
    await page.fill("#field-record-pointsPerDecade", "40");
    await page.press("#field-record-pointsPerDecade", "Tab");
    expect(await page.textContent("#run")).toBe("Run 5");
    await page.click("#run");
    // the first rows arrive: pause mid-run
    await page.waitForFunction(
      () =>
        Number(
          document.querySelector("#runs tbody tr td:nth-child(3)")?.textContent?.split(" ")[0],
        ) > 0,
    );
    await page.click("#pause");
    await expect.poll(() => page.textContent("#pause")).toBe("Resume");
    expect(await page.textContent("#status")).toBe("Paused.");
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(artifacts, "lab-paused.png") });
    if (process.env.OVERPARAM_UPDATE_SCREENSHOT === "1")
      copyFileSync(path.join(artifacts, "lab-paused.png"), path.join(root, "docs/lab.png"));
    const frozen = await page.textContent("#runs tbody");
    await page.waitForTimeout(700);
    expect(await page.textContent("#runs tbody")).toBe(frozen);
    await page.click("#pause");
    expect(await page.textContent("#pause")).toBe("Pause");
    await waitDone(page);
    expect(await page.textContent("#status")).toBe("Done: 5 completed.");
    for (const n of [2, 3, 4, 5]) {
      const loss = Number(await runCell(page, `student.width=${n}`, 3).textContent());
      expect(loss, `n = ${n}`).toBeLessThan(1e-10);
    }
    // n = 1 converges linearly: far below the others
    expect(Number(await runCell(page, "student.width=1", 3).textContent())).toBeLessThan(1e-20);
    expect(await page.locator("#loss-chart canvas").count()).toBe(1);
    await page.screenshot({ path: path.join(artifacts, "lab-done.png") });
    // Long tasks are wall-clock: on a loaded machine (this suite shares two cores with other
    // work) the OS deschedules the main thread and a 10 ms draw or a layout stretches past 50 ms.
    // So: no long task and no page script over 50 ms, measured up to three times (a real
    // regression blocks every time); where the machine is oversubscribed (load average over 1.5
    // per core) they are reported, and only scripts over 200 ms (a gross regression) fail.
    type Timed = { start: number; duration: number; invoker?: string };
    const measure = async (t0: number) => {
      const [longTasks, longScripts] = await page.evaluate((since) => {
        const w = globalThis as unknown as { longTasks: Timed[]; longScripts: Timed[] };
        return [
          w.longTasks.filter((t) => t.start >= since),
          w.longScripts.filter((t) => t.start >= since && t.duration > 50),
        ];
      }, t0);
      const draws = await page.evaluate(() =>
        performance.getEntriesByName("lab-draw").map((e) => e.duration),
      );
      process.stdout.write(
        `lab: ${draws.length} chart draws, longest ${Math.max(...draws).toFixed(1)} ms; long tasks ${JSON.stringify(longTasks)}; scripts over 50 ms ${JSON.stringify(longScripts)}; load ${loadavg()[0].toFixed(1)}/${cpus().length} cores\n`,
      );
      expect(
        longScripts.filter((t) => t.duration > (overloaded() ? 200 : 50)),
        "page scripts over 50 ms",
      ).toEqual([]);
      return longTasks;
    };
    // the run above paused and took screenshots (a screenshot is a long task): measure clean runs
    let longTasks: Timed[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      await page.evaluate(() => performance.clearMeasures("lab-draw"));
      const t0 = await page.evaluate(() => performance.now());
      await page.click("#run");
      await waitDone(page);
      longTasks = await measure(t0);
      if (!longTasks.length) break;
    }
    if (!overloaded())
      expect(longTasks, "main-thread tasks over 50 ms while the runs streamed").toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 300_000);

  it("keeps the spec and views in the URL: an edited field survives a reload", async () => {
    const page = await open();
    await page.selectOption("#preset", "xd-toy");
    const before = page.url();
    await setField(page, "seed", "7");
    await page.selectOption("#loss-scale", "linear");
    await page.waitForSelector("body[data-saved=true]");
    const url = page.url();
    expect(url).not.toBe(before);
    expect(url).toMatch(/#s=/);
    expect(await page.inputValue("#spec-text")).toMatch(/^seed: 7$/m);
    expect(await page.textContent("#cli-command")).toBe("npx overparam run xd-toy --set seed=7");
    await page.reload();
    await page.waitForSelector("body[data-ready=true]");
    expect(page.url()).toBe(url);
    expect(await page.inputValue("#field-seed")).toBe("7");
    expect(await page.inputValue("#preset")).toBe("xd-toy");
    expect(await page.inputValue("#loss-scale")).toBe("linear");
    // a fresh page opened on the link shows the same state
    const other = await open(url);
    expect(await other.inputValue("#spec-text")).toBe(await page.inputValue("#spec-text"));
    expect(errors).toEqual([]);
    await other.close();
    await page.close();
  }, 60_000);

  it("shows the validator's message inline and disables Run while the spec is invalid", async () => {
    const page = await open();
    await page.selectOption("#preset", "xd-fig1");
    await setField(page, "optimizer.lr", "-1");
    const error = page.locator("#field-optimizer-lr-error");
    await expect.poll(() => error.textContent()).toMatch(/^optimizer\.lr: .+/);
    expect(await page.getAttribute("#field-optimizer-lr", "aria-invalid")).toBe("true");
    expect(await page.isDisabled("#run")).toBe(true);
    expect(await page.textContent("#problems")).toContain("optimizer.lr");
    await page.click("#run", { force: true });
    expect(await page.locator("#runs tbody tr").count()).toBe(0);
    // a typo in the YAML text: also listed, also blocks Run
    await setField(page, "optimizer.lr", "0.05");
    await expect.poll(() => page.isDisabled("#run")).toBe(false);
    await page.fill("#spec-text", `${await page.inputValue("#spec-text")}\nactivaton: relu\n`);
    await expect.poll(() => page.textContent("#problems")).toContain("activaton: unknown field");
    expect(await page.isDisabled("#run")).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it("records the same numbers as the CLI (xd-fig1, n = 3, 3000 steps)", async () => {
    const page = await open();
    await page.selectOption("#preset", "xd-fig1");
    await setField(page, "student.width", "3");
    await setField(page, "optimizer.steps", "3000");
    expect(await page.textContent("#cli-command")).toBe(
      "npx overparam run xd-fig1 --set student.width=3 --set optimizer.steps=3000",
    );
    expect(await page.textContent("#run")).toBe("Run");
    await page.click("#run");
    await waitDone(page);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.click("#download-csv"),
    ]);
    const browserCsv = readFileSync((await download.path())!, "utf8");
    const cliCsv = readFileSync(path.join(cliRun, "metrics.csv"), "utf8");
    expect(browserCsv.split("\n").length).toBeGreaterThan(50);
    // Same rows and columns; the values agree to ≤ 1e-12 relative (measured: 1.4e-13 after 3000
    // steps), not bit for bit, although both sides use the WebAssembly kernels: Chromium's V8 and
    // Node 20's V8 (11.3) round Math.acos, atan2, exp, log, sin, cos and pow differently in the
    // last bit (about 1 value in 10 on random inputs), and the ReLU closed form uses acos, so
    // the first differing ulp appears at step 1 and the dynamics carry it on.
    const parse = (text: string) =>
      text
        .trim()
        .split("\n")
        .map((l) => l.split(","));
    const [bHead, ...bRows] = parse(browserCsv);
    const [cHead, ...cRows] = parse(cliCsv);
    expect(bHead).toEqual(cHead);
    expect(bRows.length).toBe(cRows.length);
    expect(bRows.length).toBeGreaterThan(50);
    let worst = 0;
    bRows.forEach((row, i) => {
      row.forEach((cell, k) => {
        const name = bHead[k];
        const x = Number(cell);
        const y = Number(cRows[i][k]);
        if (["step", "time"].includes(name) || cell === "nan")
          expect(cell, `row ${i} ${name}`).toBe(cRows[i][k]);
        else {
          const rel = x === y ? 0 : Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y));
          worst = Math.max(worst, rel);
          expect(rel, `row ${i} ${name}: ${cell} vs ${cRows[i][k]}`).toBeLessThanOrEqual(1e-12);
        }
      });
    });
    process.stdout.write(`lab vs CLI: ${bRows.length} rows, worst relative difference ${worst}\n`);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it("lists a --results folder and charts a recorded run", async () => {
    const page = await open();
    await expect.poll(() => page.isVisible("#results-panel")).toBe(true);
    const button = page.getByRole("button", { name: "Chart the run xd-n3" });
    await button.click();
    await expect.poll(() => page.textContent("#runs tbody")).toContain("recorded");
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
