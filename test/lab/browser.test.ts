/**
 * The lab in a real browser (Debian's chromium driven by playwright-core, as in
 * test/reproduce/browser.test.ts; OVERPARAM_CHROMIUM may point elsewhere): pick a preset, run,
 * watch the loss fall, pause/resume, URL state across a reload, inline validation, the numbers
 * against the CLI's metrics.csv, --results browsing, and that the main thread never blocks for
 * more than 50 ms while a run streams (long-task observer); the neuron view (its teacher arrows
 * against teacherOf), the schema-generated form, DU's Thm 4.1 overlay and the SVG exports; a
 * 10⁶-step run that keeps only its log-grid rows (JS heap through CDP); 1280×800 and 420×800
 * layouts; keyboard access to the preset, Run, Pause and Stop; cross-origin isolation and a DU
 * run whose matrix products use several threads (helper Web Workers) with one thread's numbers. OVERPARAM_UPDATE_SCREENSHOT=1 also
 * copies the neuron view of zgj-fig1 to docs/lab-neurons.png. Screenshots go to test-artifacts/;
 * OVERPARAM_UPDATE_SCREENSHOT=1 also copies the mid-run one to docs/lab.png for the README.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { teacherOf } from "../../src/engine.js";
import { loadPreset } from "../../src/index.js";
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
    // a run folder with the weights metric (for the neuron view of a recorded run)
    const zgj = spawnSync(
      "node",
      [
        path.join(root, "bin/overparam.js"),
        "run",
        "zgj-fig1",
        "--set",
        "sweep=null",
        "--set",
        "optimizer.steps=300",
        "--out",
        path.join(base, "results", "zgj"),
        "--quiet",
      ],
      { encoding: "utf8" },
    );
    expect(zgj.status, zgj.stderr).toBe(0);
    lab = await startLabServer({ appDir: app, resultsDir: path.join(base, "results") });
    browser = await chromium.launch({ executablePath, args: flags });
    mkdirSync(artifacts, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await lab?.close();
  });

  async function open(url = lab.url, before?: (page: Page) => Promise<void>): Promise<Page> {
    const page = await browser.newPage({
      viewport: { width: 1280, height: 800 },
      acceptDownloads: true,
    });
    await before?.(page);
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
    // Same rows and columns, the same steps and times. The values are not bit for bit equal,
    // although both sides run the same WebAssembly kernels: the metrics computed in JavaScript
    // (angles through Math.acos/atan2, and the initial draw through Math.log/sin/cos) round in
    // the last bit differently in Chromium's V8 and Node 20's. Measured (xd-fig1, n = 3, 3000
    // steps): the loss agrees to ~2e-15 relative in every row; a derived column that is a
    // small difference of larger terms (xd_H, 3e-6 at step 1000) shows 3e-11 relative. So each
    // column is compared relative to its own scale (its largest magnitude over the run), ≤ 1e-12
    // of it (measured 1e-15), and the loss ≤ 1e-12 relative row by row.
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
    const scale = bHead.map((_, k) =>
      Math.max(...cRows.map((r) => Math.abs(Number(r[k]))).filter(Number.isFinite), 1e-300),
    );
    let worstLoss = 0;
    let worstScaled = 0;
    bRows.forEach((row, i) => {
      row.forEach((cell, k) => {
        const name = bHead[k];
        const x = Number(cell);
        const y = Number(cRows[i][k]);
        if (["step", "time"].includes(name) || cell === "nan" || cRows[i][k] === "nan") {
          expect(cell, `row ${i} ${name}`).toBe(cRows[i][k]);
          return;
        }
        const scaled = Math.abs(x - y) / scale[k];
        worstScaled = Math.max(worstScaled, scaled);
        expect(scaled, `row ${i} ${name}: ${cell} vs ${cRows[i][k]}`).toBeLessThanOrEqual(1e-12);
        if (name === "loss") {
          const rel = x === y ? 0 : Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y));
          worstLoss = Math.max(worstLoss, rel);
          expect(rel, `row ${i} loss: ${cell} vs ${cRows[i][k]}`).toBeLessThanOrEqual(1e-12);
        }
      });
    });
    process.stdout.write(
      `lab vs CLI: ${bRows.length} rows; loss worst relative difference ${worstLoss}, every column worst difference relative to its scale ${worstScaled}\n`,
    );
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it("lists a --results folder and charts a recorded run", async () => {
    const page = await open();
    await expect.poll(() => page.isVisible("#results-panel")).toBe(true);
    const button = page.getByRole("button", { name: "Chart the run xd-n3" });
    await button.click();
    await expect.poll(() => page.textContent("#runs tbody")).toContain("recorded");
    // a recorded run with weights: its neurons, and its teacher from the folder's spec.yaml
    await page.getByRole("button", { name: "Chart the run zgj" }).click();
    await expect.poll(() => page.locator("#neuron-run option").count()).toBe(2);
    await page.selectOption("#neuron-run", "1");
    await expect.poll(() => page.textContent("#neuron-note")).toContain("exact: d = 2");
    const svg = await downloadText(page, () =>
      page.getByRole("button", { name: "Download the neuron view as SVG" }).click(),
    );
    expect(polylines(svg).filter((l) => l.stroke === "#1b1f24" && l.width === 2.5)).toHaveLength(3);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
  /** Clicks a download button and returns the downloaded file's text. */
  async function downloadText(page: Page, click: () => Promise<void>): Promise<string> {
    const [download] = await Promise.all([page.waitForEvent("download"), click()]);
    return readFileSync((await download.path())!, "utf8");
  }

  /** Polylines of an SVG export: stroke, width and points. */
  function polylines(
    svg: string,
  ): { stroke: string; width: number; opacity: string; dash: string; points: number[][] }[] {
    return [...svg.matchAll(/<polyline ([^>]*)\/>/g)].map((m) => {
      const attr = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(m[1])?.[1] ?? "";
      return {
        stroke: attr("stroke"),
        width: Number(attr("stroke-width")),
        opacity: attr("stroke-opacity"),
        dash: attr("stroke-dasharray"),
        points: attr("points")
          .split(" ")
          .map((p) => p.split(",").map(Number)),
      };
    });
  }

  it("draws the neurons: exact for d = 2 (the run's teachers), projected for d > 2, animated over the rows", async () => {
    const page = await open();
    await page.selectOption("#preset", "zgj-fig1");
    expect(await page.isVisible("#neuron-canvas")).toBe(false);
    await setField(page, "optimizer.steps", "400");
    await page.click("#run");
    await waitDone(page);
    await expect.poll(() => page.textContent("#neuron-note")).toContain("exact: d = 2");
    expect(await page.isVisible("#neuron-canvas")).toBe(true);
    // the view redraws on an animation frame at most every 100 ms: wait for the last row
    await expect.poll(() => page.textContent("#neuron-step")).toMatch(/step 400\b/);
    const svg = await downloadText(page, () =>
      page.getByRole("button", { name: "Download the neuron view as SVG" }).click(),
    );
    expect(svg).toMatch(/^<\?xml[\s\S]*<svg [\s\S]*<\/svg>\s*$/);
    for (const v of ["v₁", "v₂", "v₃"]) expect(svg).toContain(`>${v}</text>`);
    // the three teacher arrows point where the run's teacher neurons do (d = 2: no projection)
    const preset = await loadPreset("zgj-fig1");
    const teacher = teacherOf({ ...preset, sweep: undefined })!;
    const arrows = polylines(svg).filter((l) => l.stroke === "#1b1f24" && l.width === 2.5);
    expect(arrows).toHaveLength(3);
    const drawn = arrows.map(({ points: [a, b] }) => Math.atan2(-(b[1] - a[1]), b[0] - a[0]));
    const expected = [0, 1, 2].map((j) => Math.atan2(teacher.V[2 * j + 1], teacher.V[2 * j]));
    for (let j = 0; j < 3; j++) expect(Math.abs(drawn[j] - expected[j])).toBeLessThan(0.02);
    // 20 students: one path each (faint) up to the row shown
    const paths = polylines(svg).filter((l) => l.opacity === "0.45" && l.width === 1.2);
    expect(paths).toHaveLength(20);
    await page
      .locator("#neuron-figure")
      .screenshot({ path: path.join(artifacts, "lab-neurons.png") });
    if (process.env.OVERPARAM_UPDATE_SCREENSHOT === "1")
      copyFileSync(
        path.join(artifacts, "lab-neurons.png"),
        path.join(root, "docs/lab-neurons.png"),
      );
    // scrubbing to the first row shows step 0 and stops following the run
    await page.locator("#neuron-frame").fill("0");
    await expect.poll(() => page.textContent("#neuron-step")).toMatch(/row 1\/\d+: step 0\b/);
    expect(await page.isChecked("#neuron-follow")).toBe(false);
    await page.getByRole("button", { name: "Play" }).click();
    await expect
      .poll(() => page.textContent("#neuron-step"), { timeout: 30_000 })
      .toMatch(/step 400\b/);
    // another run of the sweep, chosen in the view (and kept in the URL)
    // (zgj-fig1 sweeps student.init over a small Gaussian start and a near-teacher start)
    await page.selectOption("#neuron-run", "1");
    await expect.poll(() => page.textContent("#neuron-step")).toContain("near-teacher-noise-0.2");

    // d = 10, one teacher neuron: projected, and the view says on what
    await page.selectOption("#preset", "xd-fig1");
    await setField(page, "student.width", "3");
    await setField(page, "optimizer.steps", "2000");
    // the spec records only the loss: the lab adds what its views need, outside metrics.csv
    for (const m of ["grad_norm", "xd_rate", "xd_angles", "xd_potential"])
      await page.uncheck(`#field-metrics-${m}`);
    await expect
      .poll(
        async () =>
          (YAML.parse(await page.inputValue("#spec-text")) as { metrics: string[] }).metrics,
      )
      .toEqual(["loss"]);
    await page.click("#run");
    await waitDone(page);
    await expect
      .poll(() => page.textContent("#neuron-note"))
      .toContain(
        "projection (d = 10): x along the teacher direction v̄, y along the students' leading principal direction",
      );
    const options = await page.locator("#metric option").allTextContents();
    expect(options).toContain("xd_angle: θᵢ to the teacher");
    expect(options.some((o) => /^[wa]$/.test(o))).toBe(false);
    await page.selectOption("#metric", "xd_angle");
    const csv = await downloadText(page, () => page.click("#download-csv"));
    expect(csv.split("\n")[0]).toBe("step,time,loss");
    const angles = await downloadText(page, () =>
      page.getByRole("button", { name: "Download the metric chart as SVG" }).click(),
    );
    // three θᵢ series, each falling towards 0
    expect(polylines(angles).filter((l) => l.points.length > 10)).toHaveLength(3);
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it("generates the form from the JSON Schema: union kinds switch their fields, errors inline, YAML in sync", async () => {
    const page = await open();
    await page.selectOption("#preset", "xd-toy");
    // enums are selects with the schema's values
    expect(await page.locator("#field-activation option").allTextContents()).toEqual([
      "relu",
      "abs",
      "quadratic",
      "linear",
      "erf",
    ]);
    expect(await page.isVisible("#field-student-init-case")).toBe(true);
    // a swept field is empty, its values the placeholder
    expect(await page.inputValue("#field-student-init-case")).toBe("");
    expect(await page.getAttribute("#field-student-init-case", "placeholder")).toBe(
      "swept: [1,2,3]",
    );
    expect(await page.isVisible("#field-student-init-scale")).toBe(false);
    // a union's kind: the other variant's fields appear; its required field is reported inline
    await page.selectOption("#field-teacher-kind", "random");
    await expect.poll(() => page.inputValue("#spec-text")).toMatch(/kind: random/);
    expect(await page.isVisible("#field-teacher-neurons")).toBe(true);
    await expect
      .poll(() => page.textContent("#field-teacher-neurons-error"))
      .toMatch(/^teacher\.neurons: /);
    expect(await page.isDisabled("#run")).toBe(true);
    await setField(page, "teacher.neurons", "2");
    await expect.poll(() => page.textContent("#field-teacher-neurons-error")).toBe("");
    // xd-toy starts need a single teacher: the init's problem shows at the init fields
    expect(await page.textContent("#problems")).not.toBe("");
    await page.selectOption("#field-teacher-kind", "single");
    await expect.poll(() => page.isDisabled("#run")).toBe(false);
    expect(await page.inputValue("#spec-text")).toMatch(/teacher:[\s\S]*kind: single/);
    // the optimizer's kind: flow shows time, hides lr and steps
    await page.selectOption("#field-optimizer-kind", "flow");
    expect(await page.isVisible("#field-optimizer-time")).toBe(true);
    expect(await page.isVisible("#field-optimizer-lr")).toBe(false);
    await expect
      .poll(() => page.textContent("#field-optimizer-time-error"))
      .toMatch(/optimizer\.time/);
    await setField(page, "optimizer.time", "50");
    await expect.poll(() => page.isDisabled("#run")).toBe(false);
    // editing the YAML updates the form
    const text = await page.inputValue("#spec-text");
    await page.fill("#spec-text", text.replace(/^dimension: 10$/m, "dimension: 7"));
    await expect.poll(() => page.inputValue("#field-dimension")).toBe("7");
    // an invalid number: inline error, no run
    await setField(page, "dimension", "0");
    await expect.poll(() => page.textContent("#field-dimension-error")).toMatch(/^dimension: /);
    expect(await page.getAttribute("#field-dimension", "aria-invalid")).toBe("true");
    expect(await page.isDisabled("#run")).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it("overlays DU's Thm 4.1 envelope on a DU run's loss and exports the charts as SVG", async () => {
    const page = await open();
    await page.selectOption("#preset", "du-fig1");
    expect(await page.isChecked("#overlay")).toBe(true);
    await setField(page, "student.width", "400");
    await setField(page, "dimension", "20");
    await setField(page, "loss.trainSize", "20");
    await setField(page, "optimizer.steps", "60");
    expect(await page.textContent("#run")).toBe("Run");
    await page.click("#run");
    await waitDone(page);
    await expect
      .poll(() => page.textContent("#loss-figure .u-legend"))
      .toContain("Thm 4.1 envelope");
    const svg = await downloadText(page, () =>
      page.getByRole("button", { name: "Download the loss chart as SVG" }).click(),
    );
    expect(svg).toContain("Thm 4.1 envelope (λ₀ = ");
    const lines = polylines(svg);
    const envelope = lines.find((l) => l.dash === "3 3" && l.points.length > 5);
    expect(envelope).toBeDefined();
    // the measured loss stays under the envelope (screen y grows downwards): DU's theorem
    const loss = lines.filter((l) => l !== envelope && l.stroke === envelope!.stroke)[0];
    const at = new Map(loss.points.map(([x, y]) => [x, y]));
    let compared = 0;
    for (const [x, y] of envelope!.points)
      if (at.has(x)) {
        expect(at.get(x)!).toBeGreaterThanOrEqual(y - 0.5);
        compared++;
      }
    expect(compared).toBeGreaterThan(5);
    // no neuron view for m·d > 2000 (the weights metric's limit), and the view says so
    await expect
      .poll(() => page.textContent("#neuron-note"))
      .toContain("m·d ≤ 2000; this run has m·d = 8000");
    expect(await page.isVisible("#neuron-canvas")).toBe(false);
    // tick labels and the axis label come along
    expect(svg).toMatch(/>step<\/text>/);
    expect(svg).toMatch(/>loss<\/text>/);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it("is cross-origin isolated: a DU run's products use several threads with one thread's numbers (one thread without isolation)", async () => {
    // DU-like: X·Wᵀ is 200×512×100 = 10⁷ multiply-adds, above the threaded GEMM's threshold
    const runDu = async (query: string, isolated = true) => {
      // a static host without the isolation headers: the page is served as is, minus those
      const strip = async (page: Page) => {
        await page.route("**/*", async (route) => {
          const response = await route.fetch();
          const headers = { ...response.headers() };
          delete headers["cross-origin-opener-policy"];
          delete headers["cross-origin-embedder-policy"];
          await route.fulfill({ response, headers });
        });
      };
      const page = await open(`${lab.url}${query}`, isolated ? undefined : strip);
      expect(
        await page.evaluate(
          () => (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated,
        ),
      ).toBe(isolated);
      await page.selectOption("#preset", "du-fig1");
      await setField(page, "student.width", "512");
      await setField(page, "dimension", "100");
      await setField(page, "loss.trainSize", "200");
      await setField(page, "optimizer.steps", "20");
      await page.click("#run");
      await waitDone(page);
      const row = (await page.locator("#runs tbody tr").first().textContent()) ?? "";
      const csv = await downloadText(page, () => page.click("#download-csv"));
      const cores = await page.evaluate(
        () =>
          (globalThis as { navigator?: { hardwareConcurrency: number } }).navigator
            ?.hardwareConcurrency ?? 1,
      );
      await page.close();
      return { row, csv, cores };
    };
    const threaded = await runDu("");
    const forced = await runDu("?threads=3");
    const single = await runDu("?threads=1");
    const unisolated = await runDu("?threads=2", false);
    // by default, the cores (one run at a time on a machine with up to 2 cores)
    if (threaded.cores > 1) expect(threaded.row).toMatch(/wasm [2-9]\d* threads/);
    expect(forced.row).toContain("wasm 3 threads");
    expect(single.row).toContain("wasm 1 thread");
    expect(single.csv.split("\n").length).toBeGreaterThan(10);
    // every entry of every product is the same sum on any number of threads: the same bits
    expect(threaded.csv).toBe(single.csv);
    expect(forced.csv).toBe(single.csv);
    // without isolation there is no SharedArrayBuffer: one thread, and the row says why
    expect(unisolated.row).toContain(
      "wasm 1 thread (no SharedArrayBuffer: the page is not cross-origin isolated)",
    );
    expect(unisolated.csv).toBe(single.csv);
    process.stdout.write(
      `lab DU run: ${[threaded, forced, single, unisolated].map((r) => /wasm \d+ threads?[^)]*/.exec(r.row)?.[0]).join(" / ")}: the same metrics.csv\n`,
    );
    expect(errors).toEqual([]);
  }, 120_000);

  it("streams a 10⁶-step XD run on the log grid without the page growing", async () => {
    const page = await open();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Performance.enable");
    const heap = async () => {
      await cdp.send("HeapProfiler.collectGarbage");
      const { metrics } = await cdp.send("Performance.getMetrics");
      return metrics.find((m) => m.name === "JSHeapUsedSize")!.value;
    };
    await page.selectOption("#preset", "xd-fig1");
    await setField(page, "student.width", "5");
    await setField(page, "dimension", "100");
    await setField(page, "optimizer.steps", "1000000");
    expect(await page.textContent("#run")).toBe("Run");
    const before = await heap();
    await page.click("#run");
    // early in the run: pause, measure
    await page.waitForFunction(
      () =>
        Number(
          document.querySelector("#runs tbody tr td:nth-child(3)")?.textContent?.split(" ")[0],
        ) >= 50_000,
      null,
      { timeout: 120_000 },
    );
    await page.click("#pause");
    await expect.poll(() => page.textContent("#status")).toBe("Paused.");
    const early = await heap();
    await page.click("#pause");
    await waitDone(page);
    const late = await heap();
    const csv = await downloadText(page, () => page.click("#download-csv"));
    const rows = csv.trim().split("\n").length - 1;
    process.stdout.write(
      `lab 10⁶ steps: ${rows} rows; JS heap ${(before / 2 ** 20).toFixed(1)} MB before, ${(early / 2 ** 20).toFixed(1)} MB early, ${(late / 2 ** 20).toFixed(1)} MB at the end\n`,
    );
    expect(await page.textContent("#status")).toBe("Done: 1 completed.");
    expect(csv.trim().split("\n").at(-1)!.split(",")[0]).toBe("1000000");
    // 20 points per decade over six decades (and step 0): the page holds rows, not steps
    expect(rows).toBeGreaterThan(100);
    expect(rows).toBeLessThanOrEqual(6 * 20 + 5);
    // what the run adds between 5·10⁴ steps and 10⁶ steps (≈ 25 rows) is far below a megabyte
    // per 10⁵ steps; holding every step would add hundreds of megabytes
    expect(late - early).toBeLessThan(8 * 2 ** 20);
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it("works at 1280×800 and in a narrow window, and its controls are keyboard-reachable with labels", async () => {
    const page = await open();
    for (const [width, height] of [
      [1280, 800],
      [420, 800],
    ]) {
      await page.setViewportSize({ width, height });
      await page.waitForTimeout(100);
      const [scrollWidth, clientWidth] = await page.evaluate(() => {
        const d = (
          globalThis as unknown as {
            document: { documentElement: { scrollWidth: number; clientWidth: number } };
          }
        ).document.documentElement;
        return [d.scrollWidth, d.clientWidth];
      });
      expect(scrollWidth, `no horizontal overflow at ${width}px`).toBeLessThanOrEqual(clientWidth);
      for (const control of [
        page.getByLabel("Paper preset"),
        page.getByRole("button", { name: /^Run( \d+)?$/ }),
        page.getByRole("button", { name: "Pause" }),
        page.getByRole("button", { name: "Stop", exact: true }),
      ]) {
        expect(await control.isVisible()).toBe(true);
        const box = (await control.boundingBox())!;
        expect(box.x).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width).toBeLessThanOrEqual(width);
        // on screen without scrolling (a narrow window keeps the run controls at its bottom)
        expect(box.y).toBeGreaterThanOrEqual(0);
        expect(box.y + box.height).toBeLessThanOrEqual(height);
      }
      await page.screenshot({ path: path.join(artifacts, `lab-${width}.png`), fullPage: true });
    }
    await page.setViewportSize({ width: 1280, height: 800 });
    const active = () =>
      page.evaluate(() => {
        const el = (globalThis as unknown as { document: { activeElement: { id: string } | null } })
          .document.activeElement;
        return el?.id ?? "";
      });
    /** Tabs from the top of the page; the ids focused, in order, until `last` (or 300 presses). */
    const tabUntil = async (last: string) => {
      // a click on the heading moves the focus navigation starting point to the top
      await page.click("h1");
      const seen: string[] = [];
      for (let k = 0; k < 300 && seen.at(-1) !== last; k++) {
        await page.keyboard.press("Tab");
        seen.push(await active());
      }
      return seen;
    };
    await page.selectOption("#preset", "xd-fig1");
    await setField(page, "student.width", "3");
    await setField(page, "optimizer.steps", "100000000");
    let seen = await tabUntil("run");
    expect(seen).toContain("preset");
    expect(seen.at(-1)).toBe("run");
    expect(seen.indexOf("preset")).toBeLessThan(seen.indexOf("run"));
    // past the long form in one step: the skip link, then Tab
    const skip = page.getByRole("link", { name: "Skip to the run controls" });
    await skip.focus();
    expect(await skip.isVisible()).toBe(true);
    await page.keyboard.press("Enter");
    await page.keyboard.press("Tab");
    expect(await active()).toBe("run");
    // start with the keyboard; Pause and Stop are then reachable the same way
    await page.keyboard.press("Enter");
    await expect.poll(() => page.isDisabled("#pause")).toBe(false);
    seen = await tabUntil("stop");
    expect(seen.slice(-2)).toEqual(["pause", "stop"]);
    await page.keyboard.press("Shift+Tab");
    await page.keyboard.press("Space");
    await expect.poll(() => page.textContent("#status")).toBe("Paused.");
    expect(await page.getByRole("button", { name: "Resume" }).isVisible()).toBe(true);
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await waitDone(page);
    expect(await page.textContent("#status")).toBe("Done: 1 interrupted.");
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
