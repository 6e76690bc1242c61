import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import YAML from "yaml";
import { presetDirectory } from "./specFile.js";

export interface PresetInfo {
  name: string;
  paper: string;
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
