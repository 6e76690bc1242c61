/**
 * index.html of a sweep folder: one self-contained page (figures inline as SVG, no scripts, no
 * network) that opens from disk — the question, the plan, the figures, the outcome counts, the
 * failed runs with their errors and the per-cell table.
 */
import { formatNumber } from "../analysis/series.js";
import type { WrittenFigure } from "./figures.js";
import type { SweepPlan } from "./plan.js";
import type { Cell, RunRow } from "./summary.js";

export interface IndexInput {
  plan: SweepPlan;
  description: string;
  rows: RunRow[];
  cells: Cell[];
  figures: WrittenFigure[];
  problems: string[];
  interrupted: boolean;
  wallSeconds: number;
  where: string;
  createdAt: string;
}

const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function value(v: unknown): string {
  if (typeof v === "number") return formatNumber(v);
  return typeof v === "string" ? v : JSON.stringify(v);
}

export function renderIndex(input: IndexInput): string {
  const { plan, rows, cells } = input;
  const count = (o: string) => rows.filter((r) => r.outcome === o).length;
  const outcomes = [
    "converged",
    "stalled",
    "diverged",
    "failed",
    "interrupted",
    "skipped",
    "missing",
  ]
    .map((o) => [o, count(o)] as const)
    .filter(([, n]) => n > 0)
    .map(([o, n]) => `${n} ${o}`)
    .join(", ");
  const failed = rows.filter((r) => r.status === "failed");
  const axes = plan.axes
    .map(
      (a) =>
        `<li><code>${esc(a.path)}</code>: ${a.values.map((v) => esc(value(v))).join(", ")}</li>`,
    )
    .join("");
  const figures = input.figures
    .map(
      (f) =>
        `<figure>${f.svg.replace(/^<\?xml[^>]*>/, "")}<figcaption>${esc(f.title)} — <a href="figures/${esc(f.id)}.png">PNG</a> · <a href="figures/${esc(f.id)}.svg">SVG</a> · <a href="figures/${esc(f.id)}.csv">data</a> · <a href="figures/${esc(f.id)}.vl.json">Vega-Lite</a></figcaption></figure>`,
    )
    .join("\n");
  const head = [
    ...plan.axes.map((a) => a.path),
    "runs",
    "converged",
    "diverged",
    "stalled",
    "failed",
    "final loss (median)",
    ...plan.summary.quantities.flatMap((q) =>
      q.kind === "tail"
        ? [`${q.name} exponent (median)`, `${q.name} class`]
        : [`${q.name} (median)`],
    ),
  ];
  const pct = (x: number) => (Number.isNaN(x) ? "—" : `${Math.round(100 * x)}%`);
  const cellRows = cells
    .slice(0, 2000)
    .map((c) => {
      const tds = [
        ...c.point.map(value),
        String(c.rows.length),
        pct(c.converged),
        pct(c.diverged),
        pct(c.stalled),
        String(c.failed),
        formatNumber(c.stats.final_loss.median),
        ...plan.summary.quantities.flatMap((q) =>
          q.kind === "tail"
            ? [
                formatNumber(c.stats[`${q.name}_exponent`].median),
                c.classes[`${q.name}_class`] ?? "",
              ]
            : [
                formatNumber(
                  c.stats[q.name].median === Number.POSITIVE_INFINITY
                    ? null
                    : c.stats[q.name].median,
                ),
              ],
        ),
      ];
      return `<tr>${tds.map((t) => `<td>${esc(t)}</td>`).join("")}</tr>`;
    })
    .join("\n");
  const failedRows = failed
    .map((r) => `<tr><td><code>${esc(r.job.dir)}</code></td><td>${esc(r.reason)}</td></tr>`)
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(plan.name)} — overparam sweep</title>
<style>
body{font-family:"DejaVu Sans",system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}
th{background:#f3f3f3}figure{margin:1.5em 0}figure svg{max-width:100%;height:auto}
.warn{color:#a40}code{font-size:12px}
</style></head><body>
<h1>${esc(plan.name)}</h1>
${input.description ? `<p>${esc(input.description)}</p>` : ""}
${input.interrupted ? `<p class="warn">Interrupted: this page covers the runs that finished; run the same command again to resume.</p>` : ""}
<p>${rows.length} runs (${plan.cells} grid points × ${plan.seeds.length} seed${plan.seeds.length === 1 ? "" : "s"}: ${plan.seeds.join(", ")}) — ${esc(outcomes)}; ${input.where}; ${formatNumber(input.wallSeconds)} s; ${esc(input.createdAt)}. A run <em>converged</em> when its final <code>${esc(plan.summary.converged.metric)}</code> ≤ ${formatNumber(plan.summary.converged.below)}, <em>stalled</em> when it finished above that, <em>diverged</em> when the loss blew up.</p>
<ul>${axes}</ul>
<p>Tables: <a href="runs.csv">runs.csv</a> (one row per run) · <a href="cells.csv">cells.csv</a> (one row per grid point) · run folders in <code>runs/</code>.</p>
${input.problems.length ? `<p class="warn">${input.problems.map(esc).join("<br>")}</p>` : ""}
${figures}
${failed.length ? `<h2>Failed runs (${failed.length})</h2><table><tr><th>run</th><th>error</th></tr>${failedRows}</table>` : ""}
<h2>Grid points</h2>
<table><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr>
${cellRows}
</table>
</body></html>
`;
}
