// Adversarial check of "a killed reproduction loses nothing": runs `overparam reproduce PAPERS`
// into one folder, kills it (SIGKILL or SIGINT, alternating) at random moments N times, then
// lets it finish and compares every metrics.csv and every verdict with a clean reproduction.
//
//   node scripts/kill-test.mjs [--kills 20] [--papers xd] [--seed 1] [--tiny]
//
// Prints one line per kill and a summary: kills, runs reused/rerun, and whether the final
// folder equals the clean one (exit 1 if not). Needs `npm run build` first.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    kills: { type: "string", default: "20" },
    papers: { type: "string", default: "xd" },
    seed: { type: "string", default: "1" },
    tiny: { type: "boolean", default: false },
  },
});
const root = path.resolve(import.meta.dirname, "..");
const bin = path.join(root, "bin/overparam.js");
const args = ["reproduce", ...values.papers.split(","), "--threads", "2", "--quiet"];
if (values.tiny) args.push("--tiny");

// a small deterministic generator for the kill moments
let state = Number(values.seed) >>> 0 || 1;
const random = () => {
  state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
  return state / 2 ** 32;
};

const work = mkdtempSync(path.join(tmpdir(), "overparam-kills-"));
const clean = path.join(work, "clean");
const t0 = Date.now();
const c = spawnSync("node", [bin, ...args, "--out", clean], { encoding: "utf8" });
if (c.status !== 0) throw new Error(`clean reproduction failed: ${c.stderr}`);
const cleanSeconds = (Date.now() - t0) / 1000;

function snapshot(out) {
  const files = {};
  const runs = path.join(out, "runs");
  for (const preset of readdirSync(runs))
    for (const run of readdirSync(path.join(runs, preset))) {
      const f = path.join(runs, preset, run, "metrics.csv");
      files[`${preset}/${run}`] = existsSync(f) ? readFileSync(f, "utf8") : null;
    }
  const report = JSON.parse(readFileSync(path.join(out, "report.json"), "utf8"));
  return {
    files,
    verdicts: JSON.stringify(report.verdicts.map((v) => [v.claim, v.status, v.measured])),
  };
}

const out = path.join(work, "killed");
let killed = 0;
for (let k = 0; k < Number(values.kills); k++) {
  const signal = k % 2 === 0 ? "SIGKILL" : "SIGINT";
  const delay = Math.round(random() * cleanSeconds * 1000 * 0.9);
  const child = spawn("node", [bin, ...args, "--out", out], { stdio: "ignore" });
  const exit = new Promise((resolve) => child.on("exit", (code, sig) => resolve([code, sig])));
  await new Promise((r) => setTimeout(r, delay));
  child.kill(signal);
  const [code, sig] = await exit;
  if (sig || code === 130) killed++;
  process.stdout.write(`kill ${k + 1}: ${signal} after ${delay} ms → exit ${code ?? sig}\n`);
}
const last = spawnSync("node", [bin, ...args, "--out", out], { encoding: "utf8" });
const a = snapshot(clean);
const b = snapshot(out);
const runs = Object.keys(a.files);
const differ = runs.filter((r) => a.files[r] !== b.files[r]);
process.stdout.write(
  `${values.kills} signals (${killed} landed while it worked) on "${args.join(" ")}"; final exit ${last.status}; ` +
    `${runs.length} runs, ${differ.length} differ from a clean reproduction; verdicts ${a.verdicts === b.verdicts ? "equal" : "DIFFER"}\n`,
);
process.exit(differ.length === 0 && a.verdicts === b.verdicts && last.status === 0 ? 0 : 1);
