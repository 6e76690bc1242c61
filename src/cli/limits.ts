import { totalmem } from "node:os";
import { Option } from "commander";
import { UserInputError } from "../io/specFile.js";
import { formatBytes, parseBytes, type ResourceLimits } from "../spec/resources.js";

/** Half the machine's memory: room for the rest of the system and for estimates that are low. */
export function defaultMaxMemory(): number {
  return Math.floor(totalmem() / 2);
}

export const DEFAULT_MAX_RUNS = 100_000;

export function limitOptions(): Option[] {
  return [
    new Option(
      "--max-memory <size>",
      `refuse runs estimated to need more memory than this, e.g. 8GB, 512MiB (default: half of this machine's ${formatBytes(totalmem())})`,
    ),
    new Option(
      "--max-runs <n>",
      `refuse sweeps that expand to more runs than this (default ${DEFAULT_MAX_RUNS})`,
    ),
  ];
}

export function resourceLimits(opts: { maxMemory?: string; maxRuns?: string }): ResourceLimits {
  let maxMemory = defaultMaxMemory();
  let memorySource = "half of this machine's memory; --max-memory";
  if (opts.maxMemory !== undefined) {
    const parsed = parseBytes(opts.maxMemory);
    if (parsed === null)
      throw new UserInputError([
        `--max-memory ${opts.maxMemory}: not a size; use e.g. 8GB, 512MiB or a number of bytes`,
      ]);
    maxMemory = parsed;
    memorySource = "--max-memory";
  }
  let maxRuns = DEFAULT_MAX_RUNS;
  if (opts.maxRuns !== undefined) {
    const n = Number(opts.maxRuns);
    if (!Number.isInteger(n) || n < 1)
      throw new UserInputError([`--max-runs ${opts.maxRuns}: must be a whole number ≥ 1`]);
    maxRuns = n;
  }
  return { maxMemory, memorySource, maxRuns };
}
