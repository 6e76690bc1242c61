#!/usr/bin/env node
// Writes docs/claims.md from the claim records (dist/, so run `npm run build` first) and the
// report.json files given (default: overparam-results/report/report.json, the default --out of
// `overparam reproduce`). Usage: npm run claims -- /tmp/quick/report.json /tmp/full/report.json
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const { papers } = await import(path.join(root, "dist/reproduce/papers/index.js"));
const { renderClaimsDoc } = await import(path.join(root, "dist/reproduce/papers/claimsDoc.js"));

const args = process.argv.slice(2);
const files = args.length ? args : ["overparam-results/report/report.json"];
const reports = [];
for (const f of files) {
  if (!existsSync(f)) {
    process.stderr.write(`claims: ${f} does not exist (run \`npx overparam reproduce\` first)\n`);
    process.exit(2);
  }
  const r = JSON.parse(readFileSync(f, "utf8"));
  if (r.kind !== "overparam-report" || r.status !== "complete") {
    process.stderr.write(`claims: ${f} is not a complete overparam report\n`);
    process.exit(2);
  }
  reports.push(r);
}
const out = path.join(root, "docs", "claims.md");
writeFileSync(out, renderClaimsDoc(papers, reports));
process.stdout.write(
  `claims: wrote ${path.relative(process.cwd(), out)} from ${files.join(", ")}\n`,
);
