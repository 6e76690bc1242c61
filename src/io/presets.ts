import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import YAML from "yaml";
import type { SpecInput } from "../spec/schema.js";
import { loadSpecDocument, presetDirectory } from "./specFile.js";

export interface PresetInfo {
  name: string;
  /** The paper it reproduces (wa, du, xd, zgj), or "" for none. */
  paper: string;
  /** The first line of its description. */
  description: string;
}

/** The built-in specs in presets/, each with its one-line description. */
export async function listPresets(): Promise<PresetInfo[]> {
  const files = (await readdir(presetDirectory)).filter((f) => f.endsWith(".yaml")).sort();
  return Promise.all(
    files.map(async (f) => {
      const doc = YAML.parse(await readFile(path.join(presetDirectory, f), "utf8")) as Record<
        string,
        unknown
      >;
      return {
        name: f.replace(/\.yaml$/, ""),
        paper: String(doc.paper ?? ""),
        description: String(doc.description ?? "").split("\n")[0],
      };
    }),
  );
}

/** The built-in specs (the library's name for listPresets). */
export const presets = listPresets;

/**
 * A preset's spec document as written (its sweep, if any, not expanded); pass it to
 * simulate after choosing one point, e.g. `{ ...doc, sweep: undefined }`.
 */
export async function loadPreset(name: string): Promise<SpecInput> {
  return (await loadSpecDocument(name)).doc as SpecInput;
}
