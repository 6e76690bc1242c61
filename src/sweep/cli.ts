/** The `sweep` and `worker` commands' command-line definitions (registered by src/cli/main.ts). */
import { type Command, Option } from "commander";
import { limitOptions, resourceLimits } from "../cli/limits.js";
import { UserInputError } from "../io/specFile.js";
import type { KernelChoice } from "../kernels/index.js";
import { sweepCommand } from "./command.js";

export interface CliHelpers {
  kernelsOption: () => Option;
  kernelDefault: () => KernelChoice;
  requireKernels: (choice: KernelChoice) => void;
}

function wholeNumber(flag: string, text: string | undefined, min = 1): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min)
    throw new UserInputError([`${flag} ${text}: must be a whole number ≥ ${min}`]);
  return n;
}

export function registerSweepCommands(program: Command, h: CliHelpers): void {
  program
    .command("sweep")
    .description(
      "run a spec's sweep × seeds on all cores (or on queue workers), then write runs.csv, cells.csv, figures and index.html",
    )
    .argument(
      "<spec>",
      "a .yaml/.json spec file with a `sweep` (and `seeds`, `summary`), or a preset",
    )
    .option("-o, --out <dir>", "sweep folder (default: ./overparam-results/sweep-<name>)")
    .option("-j, --threads <n>", "worker threads (default: one per core)")
    .option("--dry-run", "print the plan, what is reused and a time estimate; run nothing", false)
    .option("-f, --force", "write into a non-empty folder that is not a sweep folder", false)
    .option("-q, --quiet", "no progress bar or summary lines", false)
    .option("--save-weights", "write each run's final weights (weights_final.npy)", false)
    .option(
      "--queue <url>",
      "put the runs on a BullMQ queue in Redis (redis://[user:pass@]host:port[/db], rediss://…) for `overparam worker` processes",
    )
    .option("--attempts <n>", "queue: attempts per run before it is marked failed", "3")
    .addOption(h.kernelsOption())
    .addOption(limitOptions()[0])
    .addOption(limitOptions()[1])
    .addHelpText(
      "after",
      `
Finished runs are kept in <out>/runs and reused when their resolved spec, input arrays and the
engine code are unchanged: an interrupted sweep resumes where it stopped.

Exit codes: 0 every run finished, 1 some run or figure failed (the summary is still written),
2 bad input, 130 interrupted (the summary covers what finished).

Examples:
  overparam sweep sweep-wa-k-eta
  overparam sweep my-sweep.yaml --out results/grid --threads 8
  overparam sweep sweep-wa-k-eta --queue redis://localhost:6379   # with \`overparam worker\` running`,
    )
    .action(
      async (
        spec: string,
        opts: {
          out?: string;
          threads?: string;
          dryRun: boolean;
          force: boolean;
          quiet: boolean;
          saveWeights: boolean;
          queue?: string;
          attempts: string;
          kernels?: KernelChoice;
          maxMemory?: string;
          maxRuns?: string;
        },
      ) => {
        const kernels = opts.kernels ?? h.kernelDefault();
        if (!opts.queue) h.requireKernels(kernels);
        process.exitCode = await sweepCommand(spec, {
          out: opts.out,
          threads: wholeNumber("--threads", opts.threads),
          dryRun: opts.dryRun,
          force: opts.force,
          quiet: opts.quiet,
          saveWeights: opts.saveWeights,
          queue: opts.queue,
          attempts: wholeNumber("--attempts", opts.attempts),
          kernels,
          limits: resourceLimits(opts),
        });
      },
    );

  program
    .command("worker")
    .description("take runs from a sweep's BullMQ queue in Redis and run them (on any machine)")
    .argument("<url>", "redis://[user:pass@]host:port[/db] or rediss://…")
    .option("-c, --concurrency <n>", "runs at a time (default: one per core)")
    .option("-q, --quiet", "no line per finished run", false)
    .addOption(
      new Option(
        "--lock-ms <ms>",
        "job lock duration; a killed worker's job is taken over after it",
      )
        .default("30000")
        .hideHelp(),
    )
    .addOption(h.kernelsOption())
    .addHelpText(
      "after",
      `
Ctrl-C stops taking runs and finishes the running ones; a second Ctrl-C interrupts them and
returns them to the queue. A worker whose engine differs from the sweep's refuses its runs.`,
    )
    .action(
      async (
        url: string,
        opts: { concurrency?: string; quiet: boolean; lockMs: string; kernels?: KernelChoice },
      ) => {
        const { workerCommand } = await import("../queue/worker.js");
        process.exitCode = await workerCommand(url, {
          concurrency: wholeNumber("--concurrency", opts.concurrency),
          quiet: opts.quiet,
          lockMs: wholeNumber("--lock-ms", opts.lockMs, 100) ?? 30_000,
          kernels: opts.kernels ?? h.kernelDefault(),
        });
      },
    );
}
