import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cli, readCsv, tmp, writeSpec } from "./helpers.js";

const SPEC = `name: grid
description: a small XD grid
dimension: 5
activation: relu
teacher: { kind: single, norm: 1 }
student: { width: 2, init: { kind: gaussian, scale: 0.1 } }
loss: { kind: population }
optimizer: { kind: gd, lr: 0.05, steps: 3000 }
metrics: [loss, grad_norm]
sweep:
  student.width: [1, 2, 4]
  optimizer.lr: [0.02, 0.2, 60]
seeds: [3, 7]
summary:
  converged: { below: 1.0e-8 }
  quantities:
    - { name: t_1e4, kind: first-below, metric: loss, threshold: 1.0e-4 }
    - { name: g, kind: final, metric: grad_norm }
    - { name: tail, kind: tail, metric: loss, x: time }
  plots:
    - { kind: heatmap, x: optimizer.lr, y: student.width, value: converged_frac }
    - { kind: heatmap, x: optimizer.lr, y: student.width, value: t_1e4 }
    - { kind: lines, x: student.width, y: final_loss, band: iqr }
`;

describe("overparam sweep (local pool)", () => {
  it("runs the product × seeds, writes runs.csv, cells.csv, figures and index.html, and resumes by content hash", () => {
    const dir = tmp();
    const spec = writeSpec(dir, "grid", SPEC);
    const out = path.join(dir, "out");

    const dry = cli(["sweep", spec, "--out", out, "--dry-run"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("9 grid points × 2 seeds = 18 runs; 0 reused, 18 to run");
    expect(existsSync(out)).toBe(false);

    const first = cli(["sweep", spec, "--out", out, "--threads", "2"]);
    expect(first.code, first.stderr).toBe(0);
    const runs = readCsv(path.join(out, "runs.csv"));
    expect(runs.header.slice(0, 10)).toEqual([
      "run",
      "student.width",
      "optimizer.lr",
      "seed",
      "status",
      "outcome",
      "final_loss",
      "steps",
      "wall_seconds",
      "t_1e4",
    ]);
    expect(runs.header).toEqual(
      expect.arrayContaining(["g", "tail_exponent", "tail_rate", "tail_class", "reused", "reason"]),
    );
    expect(runs.rows).toHaveLength(18);
    const col = (name: string) => runs.header.indexOf(name);
    // η = 60 blows up; n = 1 at η = 0.2 converges to the float floor
    for (const r of runs.rows.filter((r) => r[col("optimizer.lr")] === "60"))
      expect(r[col("outcome")]).toBe("diverged");
    for (const r of runs.rows.filter(
      (r) => r[col("optimizer.lr")] === "0.2" && r[col("student.width")] === "1",
    )) {
      expect(r[col("outcome")]).toBe("converged");
      expect(Number(r[col("t_1e4")])).toBeGreaterThan(0);
      expect(r[col("tail_class")]).toBe("linear");
    }
    expect(new Set(runs.rows.map((r) => r[col("seed")]))).toEqual(new Set(["3", "7"]));

    const cells = readCsv(path.join(out, "cells.csv"));
    expect(cells.rows).toHaveLength(9);
    const cc = (name: string) => cells.header.indexOf(name);
    for (const name of [
      "converged_frac",
      "diverged_frac",
      "stalled_frac",
      "final_loss_median",
      "t_1e4_min",
      "t_1e4_max",
      "tail_class",
    ])
      expect(cc(name), name).toBeGreaterThan(-1);
    const blowUp = cells.rows.find((r) => r[0] === "2" && r[1] === "60")!;
    expect(blowUp[cc("diverged_frac")]).toBe("1");

    const figures = readdirSync(path.join(out, "figures"));
    for (const ext of ["svg", "png", "csv", "vl.json"]) {
      expect(figures).toContain(`heatmap-1-converged_frac.${ext}`);
      expect(figures).toContain(`lines-3-final_loss.${ext}`);
    }
    const vl = JSON.parse(readFileSync(path.join(out, "figures/heatmap-2-t_1e4.vl.json"), "utf8"));
    // η spans 3.5 decades: a log axis
    expect(JSON.stringify(vl)).toContain('"type":"log"');
    const html = readFileSync(path.join(out, "index.html"), "utf8");
    expect(html).toContain("<svg");
    expect(html).not.toMatch(/<script|https?:\/\/(?!vega\.github\.io|www\.w3\.org)/);
    const marker = JSON.parse(readFileSync(path.join(out, "sweep.json"), "utf8"));
    expect(marker).toMatchObject({
      kind: "overparam-sweep",
      status: "complete",
      runs: 18,
      reused: 0,
    });

    const metricsBefore = readFileSync(
      path.join(out, "runs", runs.rows[0][0], "metrics.csv"),
      "utf8",
    );
    // again: every run is reused, nothing runs
    const again = cli(["sweep", spec, "--out", out]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain("18 runs, 18 reused, 0 to run");
    expect(readFileSync(path.join(out, "runs", runs.rows[0][0], "metrics.csv"), "utf8")).toBe(
      metricsBefore,
    );
    // a run folder that no longer verifies is run again, and only it
    writeFileSync(path.join(out, "runs", runs.rows[0][0], "metrics.csv"), "step,time,loss\n");
    const third = cli(["sweep", spec, "--out", out]);
    expect(third.stderr).toContain("18 runs, 17 reused, 1 to run");
    expect(readFileSync(path.join(out, "runs", runs.rows[0][0], "metrics.csv"), "utf8")).toBe(
      metricsBefore,
    );
  });

  it("refuses bad summaries and foreign folders in one line each, before running anything", () => {
    const dir = tmp();
    const bad = writeSpec(
      dir,
      "bad",
      SPEC.replace("metric: grad_norm", "metric: wa_dist").replace(
        "x: optimizer.lr, y: student.width, value: t_1e4",
        "x: optimizer.lr, y: dimension, value: t_1e4",
      ),
    );
    const r = cli(["sweep", bad, "--out", path.join(dir, "o")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('summary.quantities.1.metric: metric "wa_dist" is not recorded');
    expect(r.stderr).toContain("summary.plots.1.y: dimension is not a swept field");
    expect(existsSync(path.join(dir, "o"))).toBe(false);

    const tooMany = cli(["sweep", writeSpec(dir, "ok", SPEC), "--dry-run", "--max-runs", "10"]);
    expect(tooMany.code).toBe(2);
    expect(tooMany.stderr).toContain(
      "sweep: expands to 18 runs (9 points × 2 seeds), more than --max-runs 10",
    );

    const foreign = path.join(dir, "foreign");
    cli(["sweep", writeSpec(dir, "ok", SPEC), "--out", foreign, "--dry-run"]);
    writeFileSync(path.join(dir, "x.txt"), "");
    const f = cli(["sweep", path.join(dir, "ok.yaml"), "--out", dir]);
    expect(f.code).toBe(2);
    expect(f.stderr).toMatch(/is not an overparam sweep folder/);
  });

  it("the example presets are listed, plan without a reproduce block, and validate", () => {
    const list = cli(["presets"]);
    for (const name of ["sweep-wa-k-eta", "sweep-xd-n-sigma", "sweep-du-width"]) {
      expect(list.stdout).toContain(name);
      const dry = cli(["sweep", name, "--dry-run", "--out", path.join(tmp(), "o")]);
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toMatch(/runs; 0 reused/);
    }
  });
});

describe("overparam sweep: Ctrl-C, the folder lock, duplicates", () => {
  it("Ctrl-C keeps finished runs and writes the summary (exit 130); a second sweep on the folder is refused; the next run resumes", async () => {
    const { start, waitFor } = await import("./helpers.js");
    const dir = tmp();
    const spec = writeSpec(
      dir,
      "long",
      SPEC.replace("steps: 3000", "steps: 10000000")
        .replace("[0.02, 0.2, 60]", "[0.05]")
        .replace("seeds: [3, 7]", "seeds: 2"),
    );
    const out = path.join(dir, "out");
    const a = start(["sweep", spec, "--out", out, "--threads", "1"]);
    await waitFor(
      () =>
        existsSync(path.join(out, "runs")) &&
        readdirSync(path.join(out, "runs")).some((d) =>
          existsSync(path.join(out, "runs", d, "metrics.csv")),
        ) &&
        a.output().length > 0,
      30_000,
      "a first run to start",
    );
    const refused = cli(["sweep", spec, "--out", out]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/in use by overparam sweep \(pid \d+/);
    a.proc.kill("SIGINT");
    const { code } = await a.exited;
    expect(code).toBe(130);
    const marker = JSON.parse(readFileSync(path.join(out, "sweep.json"), "utf8"));
    expect(marker.status).toBe("interrupted");
    const runs = readCsv(path.join(out, "runs.csv"));
    const outcome = runs.header.indexOf("outcome");
    expect(runs.rows.some((r) => r[outcome] === "interrupted" || r[outcome] === "skipped")).toBe(
      true,
    );
    const again = cli(["sweep", spec, "--out", out, "--threads", "2"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/6 runs, \d+ reused, \d+ to run/);
  });

  it("refuses a sweep whose runs would share a folder", () => {
    const dir = tmp();
    const r = cli([
      "sweep",
      writeSpec(dir, "dup", SPEC.replace("[1, 2, 4]", "[1, 2, 2]")),
      "--dry-run",
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "two runs would share the folder student.width=2_optimizer.lr=0.02_seed=3",
    );
  });
});
