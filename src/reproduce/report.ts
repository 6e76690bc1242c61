/**
 * figures/report: one self-contained report.html (inline SVG and CSS, no script, no network)
 * with the verdict table first, then each paper's figures, linking the PNG, SVG, CSV and
 * Vega-Lite spec written next to it.
 */
import type { Verdict } from "../analysis/verdict.js";

export interface ReportFigure {
  paper: string;
  id: string;
  title: string;
  caption?: string;
  /** The SVG markup, inlined. */
  svg: string;
  /** Paths relative to the report. */
  files: { svg: string; png: string; csv: string; vegaLite: string };
}

export interface ReportRun {
  paper: string;
  preset: string;
  dir: string;
  status: string;
  reason: string;
  reused: boolean;
  wallSeconds: number;
}

export interface ReportInput {
  title: string;
  mode: string;
  createdAt: string;
  version: string;
  gitCommit: string | null;
  wallSeconds: number;
  threads: number;
  interrupted: boolean;
  papers: { key: string; title: string; citation: string }[];
  verdicts: Verdict[];
  figures: ReportFigure[];
  /** Figures or verdict sets that could not be produced, with the error. */
  problems: { paper: string; what: string; error: string }[];
  runs: ReportRun[];
}

const escapeHtml = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const statusClass: Record<string, string> = {
  reproduced: "ok",
  partly: "partly",
  "not reproduced": "no",
  failed: "failed",
};

/** Strips the XML prolog so the SVG can sit inline in HTML. */
function inlineSvg(svg: string): string {
  return svg.replace(/^<\?xml[^>]*>\s*/, "");
}

export function renderReport(input: ReportInput): string {
  const counts = new Map<string, number>();
  for (const v of input.verdicts) counts.set(v.status, (counts.get(v.status) ?? 0) + 1);
  const failedRuns = input.runs.filter((r) => r.status !== "completed" && r.status !== "diverged");
  const reused = input.runs.filter((r) => r.reused).length;
  const verdictRows = input.verdicts
    .map(
      (v) => `<tr class="${statusClass[v.status] ?? ""}" id="claim-${escapeHtml(v.id)}">
  <td class="paper">${escapeHtml(v.paper)}</td>
  <td>${escapeHtml(v.claim)} <span class="claim-id">${escapeHtml(v.id)}</span>${v.note ? `<div class="note">${escapeHtml(v.note)}</div>` : ""}</td>
  <td class="measured">${escapeHtml(v.measured)}</td>
  <td><span class="badge ${statusClass[v.status] ?? ""}">${escapeHtml(v.status)}</span></td>
  <td class="rule">${escapeHtml(v.rule)}</td>
</tr>`,
    )
    .join("\n");
  const sections = input.papers
    .map((p) => {
      const figs = input.figures.filter((f) => f.paper === p.key);
      const probs = input.problems.filter((q) => q.paper === p.key);
      return `<section id="paper-${p.key}">
<h2>${escapeHtml(p.key.toUpperCase())}: ${escapeHtml(p.title)}</h2>
<p class="citation">${escapeHtml(p.citation)}</p>
${probs.map((q) => `<p class="problem">Could not produce ${escapeHtml(q.what)}: ${escapeHtml(q.error)}</p>`).join("\n")}
${figs.length === 0 ? '<p class="problem">No figure: the runs behind this paper did not produce data.</p>' : ""}
${figs
  .map(
    (f) => `<figure class="overparam-figure" id="fig-${f.id}">
<div class="svg">${inlineSvg(f.svg)}</div>
<figcaption><strong>${escapeHtml(f.title)}</strong>${f.caption ? ` ${escapeHtml(f.caption)}` : ""}
<span class="files"><a href="${f.files.png}">PNG</a> · <a href="${f.files.svg}">SVG</a> · <a href="${f.files.csv}">CSV</a> · <a href="${f.files.vegaLite}">Vega-Lite</a></span></figcaption>
</figure>`,
  )
  .join("\n")}
</section>`;
    })
    .join("\n");
  const runRows = input.runs
    .map(
      (r) =>
        `<tr class="${r.status === "completed" || r.status === "diverged" ? "" : "failed"}"><td>${escapeHtml(r.preset)}</td><td><a href="${escapeHtml(r.dir)}/manifest.json">${escapeHtml(r.dir)}</a></td><td>${escapeHtml(r.status)}</td><td>${r.reused ? "reused" : Number.isFinite(r.wallSeconds) ? `${r.wallSeconds.toFixed(1)} s` : ""}</td><td>${escapeHtml(r.reason)}</td></tr>`,
    )
    .join("\n");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(input.title)}</title>
<style>
body { font-family: "DejaVu Sans", system-ui, sans-serif; margin: 2em auto; max-width: 1400px; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; } h2 { margin-top: 2.5em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; width: 100%; font-size: 0.9em; }
th, td { border: 1px solid #ddd; padding: 0.4em 0.6em; vertical-align: top; text-align: left; }
th { background: #f4f4f4; }
td.measured { font-family: "DejaVu Sans Mono", monospace; font-size: 0.85em; }
td.rule, .note, .citation { color: #555; font-size: 0.85em; }
.claim-id { color: #888; font-family: "DejaVu Sans Mono", monospace; font-size: 0.75em; white-space: nowrap; }
.note { margin-top: 0.4em; font-style: italic; }
.badge { display: inline-block; padding: 0.1em 0.5em; border-radius: 0.6em; font-weight: bold; white-space: nowrap; }
.badge.ok { background: #d8f0d8; color: #145214; }
.badge.partly { background: #fbeccb; color: #6b4a00; }
.badge.no { background: #f8d7d7; color: #7a1010; }
.badge.failed { background: #ddd; color: #333; }
.problem { color: #7a1010; }
figure { margin: 2em 0; } figure .svg svg { max-width: 100%; height: auto; }
figcaption { font-size: 0.9em; margin-top: 0.5em; } .files { margin-left: 1em; white-space: nowrap; }
.summary span { margin-right: 1.5em; }
details { margin-top: 2em; }
</style>
</head>
<body>
<h1>${escapeHtml(input.title)}</h1>
<p class="summary"><span>mode: <strong>${escapeHtml(input.mode)}</strong></span><span>overparam ${escapeHtml(input.version)}${input.gitCommit ? ` (${escapeHtml(input.gitCommit.slice(0, 10))})` : ""}</span><span>${escapeHtml(input.createdAt)}</span><span>${input.runs.length} runs (${reused} reused), ${input.wallSeconds.toFixed(0)} s on ${input.threads} thread${input.threads === 1 ? "" : "s"}</span></p>
${input.interrupted ? '<p class="problem"><strong>The reproduction was interrupted:</strong> runs that did not finish are listed as interrupted or skipped; re-run the command to resume.</p>' : ""}
<h2 id="verdicts">Verdicts</h2>
<p class="summary">${["reproduced", "partly", "not reproduced", "failed"].map((s) => `<span><span class="badge ${statusClass[s]}">${s}</span> ${counts.get(s) ?? 0}</span>`).join("")}</p>
<p>Each row states a claim, the numbers measured here, and the verdict of the rule shown (written in the code, never decided by hand). Where we disagree with a paper, the row says so.</p>
<table class="verdicts">
<thead><tr><th>paper</th><th>claim</th><th>measured</th><th>verdict</th><th>rule</th></tr></thead>
<tbody>
${verdictRows}
</tbody>
</table>
${failedRuns.length ? `<h3>Runs that did not finish</h3><ul class="failed-runs">${failedRuns.map((r) => `<li><strong>${escapeHtml(r.dir)}</strong>: ${escapeHtml(r.status)} — ${escapeHtml(r.reason)}</li>`).join("")}</ul>` : ""}
${sections}
<details>
<summary>All runs (${input.runs.length})</summary>
<table class="runs"><thead><tr><th>preset</th><th>folder</th><th>status</th><th>time</th><th>reason</th></tr></thead>
<tbody>
${runRows}
</tbody></table>
</details>
</body>
</html>
`;
}
