/**
 * The papers `overparam reproduce` knows. To add one: write its presets (presets/*.yaml with
 * `paper: <key>` and a `reproduce` block) and a module exporting a Paper (figures + a list of
 * claim records, see claim.ts).
 */
import { duEtAl } from "./du.js";
import type { Paper } from "./types.js";
import { wangAbernethy } from "./wa.js";
import { xuDu } from "./xd.js";
import { zhouGeJin } from "./zgj.js";

export const papers: readonly Paper[] = [wangAbernethy, duEtAl, xuDu, zhouGeJin];
export const paperKeys: readonly string[] = papers.map((p) => p.key);
export function findPaper(key: string): Paper | undefined {
  return papers.find((p) => p.key === key);
}
