import { existsSync, rmSync } from "node:fs";
import path from "node:path";
import { Command, CommanderError, Option } from "commander";
import { activations } from "../core/activations/registry.js";
import { metrics } from "../core/metrics/registry.js";
import type { ArrayStore } from "../core/setup/arrays.js";
import { installStopHandler, type StopHandler } from "../io/interrupt.js";
import { whileLocked } from "../io/lockedFolder.js";
import { describeIoError, isIoError } from "../io/outputFolder.js";
import { listPresets } from "../io/presets.js";
import { RunFolder } from "../io/runFolder.js";
import { loadSpecArrays, loadSpecDocument, UserInputError } from "../io/specFile.js";
import {
  defaultKernelChoice,
  KERNEL_CHOICES,
  type KernelChoice,
  unavailableReason,
} from "../kernels/index.js";
import { registerLabCommand } from "../lab/command.js";
import { reproduceCommand } from "../reproduce/command.js";
import { paperKeys } from "../reproduce/papers/index.js";
import { specJsonSchema } from "../spec/jsonSchema.js";
import { applyOverride, expandSweep, SpecOverrideError, setPath } from "../spec/overrides.js";
import { memoryProblem, sweepSize } from "../spec/resources.js";
import type { Spec } from "../spec/schema.js";
import { mergeSweepProblems, validateSpec } from "../spec/validate.js";
import { registerSweepCommands } from "../sweep/cli.js";
import { executeRun, packageVersion, RunFolderError } from "./execute.js";
import { limitOptions, resourceLimits } from "./limits.js";

const EXIT_BAD_INPUT = 2;
const EXIT_INTERRUPTED = 130;

interface RunOptions {
  out?: string;
  set: string[];
  seed?: string;
  saveWeights: boolean;
  saveInitialWeights: boolean;
  quiet: boolean;
  force: boolean;
  dryRun: boolean;
  kernels?: KernelChoice;
  maxMemory?: string;
  maxRuns?: string;
}

function timestamp(): string {
  return new Date().toISOString().replace(/[:.]/g, "-").replace(/Z$/, "");
}

/** One validated sweep point with its arrays loaded. */
interface PreparedRun {
  spec: Spec;
  arrays: ArrayStore;
  label: string;
  assignments: ReadonlyArray<readonly [string, unknown]>;
}

async function runCommand(ref: string, opts: RunOptions): Promise<number> {
  // One Ctrl-C handler for the whole command, validation and setup included.
  const stopper = installStopHandler("finishing the current step and saving what was recorded");
  try {
    return await runWithHandler(ref, opts, stopper);
  } finally {
    stopper.dispose();
  }
}

async function runWithHandler(
  ref: string,
  opts: RunOptions,
  stopper: StopHandler,
): Promise<number> {
  const kernels = opts.kernels ?? kernelDefault();
  const loaded = await loadSpecDocument(ref);
  let doc = loaded.doc;
  for (const assignment of opts.set) {
    doc = applyOverride(doc, assignment);
    // Setting a swept field fixes it: `--set student.width=1600` on a width sweep runs one width.
    const field = assignment.slice(0, assignment.indexOf("=")).trim();
    const sweep = doc.sweep as Record<string, unknown> | undefined;
    if (sweep && typeof sweep === "object" && field in sweep) {
      const { [field]: _fixed, ...rest } = sweep;
      doc = { ...doc, sweep: Object.keys(rest).length ? rest : undefined };
      if (doc.sweep === undefined) delete doc.sweep;
    }
  }
  if (opts.seed !== undefined) doc = setPath(doc, "seed", Number(opts.seed));
  const limits = resourceLimits(opts);
  const runs = sweepSize(doc);
  if (runs > limits.maxRuns)
    throw new UserInputError([
      `sweep: expands to ${runs} runs, more than --max-runs ${limits.maxRuns}; sweep fewer values or raise --max-runs`,
    ]);
  const points = expandSweep(doc);

  // Validate every combination (and load its arrays) before anything runs or is written.
  const prepared: PreparedRun[] = [];
  const problems: string[] = [];
  for (const point of points) {
    const v = validateSpec(point.doc);
    const prefix = point.label ? `[${point.label}] ` : "";
    if (!v.ok) {
      problems.push(...v.problems.map((p) => prefix + p));
      continue;
    }
    try {
      const arrays = await loadSpecArrays(v.spec, loaded.baseDir);
      const tooBig = memoryProblem(v.spec, limits.maxMemory, limits.memorySource, arrays);
      if (tooBig) {
        problems.push(prefix + tooBig);
        continue;
      }
      prepared.push({ spec: v.spec, arrays, label: point.label, assignments: point.assignments });
    } catch (e) {
      if (e instanceof UserInputError) problems.push(...e.problems.map((p) => prefix + p));
      else throw e;
    }
  }
  const labels = points.map((p) => p.label);
  if (problems.length) throw new UserInputError(mergeSweepProblems(problems, labels));
  if (opts.dryRun) {
    for (const p of prepared) process.stdout.write(`${JSON.stringify(p.spec, null, 2)}\n`);
    return 0;
  }

  requireKernels(kernels);
  if (stopper.interrupted()) return EXIT_INTERRUPTED; // nothing written yet
  const name = prepared[0].spec.name;
  const outDir = path.resolve(opts.out ?? path.join("overparam-results", `${name}-${timestamp()}`));
  const createdOut = !existsSync(outDir);
  const root = RunFolder.create(outDir, opts.force);
  let started = false;
  try {
    return await whileLocked(outDir, "run", stopper, () => {
      started = true;
      return runPrepared(prepared, opts, kernels, loaded.source, outDir, root, stopper);
    });
  } catch (e) {
    // refused before anything ran (the folder is another process's): leave no empty folder
    if (!started && createdOut) rmSync(outDir, { recursive: true, force: true });
    throw e;
  }
}

async function runPrepared(
  prepared: PreparedRun[],
  opts: RunOptions,
  kernels: KernelChoice,
  source: string,
  outDir: string,
  root: RunFolder,
  stopper: StopHandler,
): Promise<number> {
  const { stopFlag } = stopper;
  const name = prepared[0].spec.name;
  const sweep = prepared.length > 1 || prepared[0].assignments.length > 0;
  const index: Record<string, unknown>[] = [];
  let anyFailed = false;
  for (const [k, p] of prepared.entries()) {
    if (stopper.interrupted()) break;
    const dir = sweep ? path.join(outDir, p.label) : outDir;
    if (sweep) RunFolder.create(dir, opts.force); // refuses a non-empty folder without --force
    const label = sweep ? `${name} ${p.label} (${k + 1}/${prepared.length})` : name;
    const manifest = await executeRun({
      dir,
      spec: p.spec,
      arrays: p.arrays,
      source,
      sweep: p.assignments,
      saveWeights: opts.saveWeights,
      saveInitialWeights: opts.saveInitialWeights,
      quiet: opts.quiet,
      stopFlag,
      label,
      kernels: { choice: kernels },
    });
    const line = `${label}: ${manifest.status} — ${manifest.reason} (final loss ${manifest.finalLoss}, ${Number(manifest.wallSeconds).toFixed(2)} s) → ${path.relative(process.cwd(), dir) || "."}`;
    if (!opts.quiet) process.stdout.write(`${line}\n`);
    if (manifest.status === "failed") anyFailed = true;
    index.push({
      folder: sweep ? p.label : ".",
      ...Object.fromEntries(p.assignments),
      status: manifest.status,
      finalLoss: manifest.finalLoss,
      wallSeconds: manifest.wallSeconds,
    });
    if (sweep) root.writeJson("index.json", { name, source, runs: index });
  }
  if (stopper.interrupted()) return EXIT_INTERRUPTED;
  return anyFailed ? 1 : 0;
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name("overparam")
    .description(
      "A laboratory for the training dynamics of over-parameterized two-layer networks in the teacher–student setting.",
    )
    .version(packageVersion)
    .showHelpAfterError("(run with --help for usage)")
    // usage errors (unknown option, bad choice, missing argument) are bad input: exit code 2
    .exitOverride();

  program
    .command("run")
    .description(
      "run one experiment (or a sweep) from a spec file or a built-in preset and write a run folder",
    )
    .argument(
      "<spec>",
      "a .yaml/.json spec file, or the name of a preset (see `overparam presets`)",
    )
    .option(
      "-o, --out <dir>",
      "run folder to write (default: ./overparam-results/<name>-<timestamp>)",
    )
    .option(
      "-s, --set <path=value>",
      "override a spec field, e.g. --set student.width=10 (repeatable; value read as YAML)",
      collect,
      [],
    )
    .option("--seed <n>", "shorthand for --set seed=<n>")
    .option("--save-weights", "write the final weights as weights_final.npy (m×d)", false)
    .option(
      "--save-initial-weights",
      "also write the initial weights as weights_initial.npy",
      false,
    )
    .option("-q, --quiet", "no progress bar or summary line", false)
    .option("-f, --force", "write into an existing non-empty output folder", false)
    .option("--dry-run", "validate and print the fully resolved spec(s) without running", false)
    .addOption(kernelsOption())
    .addOption(limitOptions()[0])
    .addOption(limitOptions()[1])
    .addHelpText(
      "after",
      `
The run folder holds manifest.json (resolved spec, seed, version, git commit, times, status
completed|diverged|interrupted|failed, summary) and metrics.csv (one row per recorded step,
log-spaced, plus the last; per-neuron metrics as name[i] columns).

Exit codes: 0 completed or diverged (a divergence is a result), 1 failed, 2 bad input,
130 interrupted (Ctrl-C keeps everything recorded so far).

Examples:
  overparam run xd-fig1 --set student.width=3
  overparam run my-spec.yaml --out results/a --save-weights
  overparam run wa-fig1 --set 'sweep={seed: [0, 1, 2]}'`,
    )
    .action(async (spec: string, opts: RunOptions) => {
      process.exitCode = await runCommand(spec, opts);
    });

  program
    .command("reproduce")
    .description(
      "run the presets of the papers (all by default), draw their figures and write report.html with a verdict per claim",
    )
    .argument("[papers...]", `paper keys: ${paperKeys.join(", ")} (default: all)`)
    .option("--full", "the papers' own sizes and horizons (slow; prints an estimate first)", false)
    .addOption(
      new Option("--tiny", "smoke-test sizes from each preset's reproduce.tiny (for tests)")
        .default(false)
        .hideHelp(),
    )
    .option(
      "-o, --out <dir>",
      "results folder (report.html, figures/, runs/)",
      "overparam-results/report",
    )
    .option("-j, --threads <n>", "worker threads (default: one per core)")
    .option(
      "-f, --force",
      "write into a non-empty folder that is not an overparam results folder",
      false,
    )
    .option("-q, --quiet", "no progress bar or summary lines", false)
    .option("--dry-run", "print the runs and the time estimate; run and write nothing", false)
    .addOption(kernelsOption())
    .addOption(limitOptions()[0])
    .addOption(limitOptions()[1])
    .addHelpText(
      "after",
      `
Finished runs are kept in <out>/runs and reused when their resolved spec and the engine code
are unchanged, so an interrupted reproduction resumes where it stopped and re-drawing is fast.

Exit codes: 0 all runs finished and the report was written (verdicts may still say
"not reproduced": that is a result), 1 a run or figure failed (the report is still written),
2 bad input, 130 interrupted (the report covers what finished).

Examples:
  overparam reproduce
  overparam reproduce wa xd --out results/wa-xd
  overparam reproduce --full`,
    )
    .action(
      async (
        keys: string[],
        opts: {
          full: boolean;
          tiny: boolean;
          out: string;
          threads?: string;
          force: boolean;
          quiet: boolean;
          dryRun: boolean;
          kernels?: KernelChoice;
          maxMemory?: string;
          maxRuns?: string;
        },
      ) => {
        if (opts.full && opts.tiny) throw new UserInputError(["--full and --tiny: choose one"]);
        const kernels = opts.kernels ?? kernelDefault();
        requireKernels(kernels);
        process.exitCode = await reproduceCommand(keys, {
          mode: opts.full ? "full" : opts.tiny ? "tiny" : "quick",
          dryRun: opts.dryRun,
          out: opts.out,
          force: opts.force,
          quiet: opts.quiet,
          threads: opts.threads === undefined ? undefined : Number(opts.threads),
          kernels,
          limits: resourceLimits(opts),
        });
      },
    );

  registerSweepCommands(program, { kernelsOption, kernelDefault, requireKernels });

  program
    .command("presets")
    .description("list the built-in specs")
    .action(async () => {
      const presets = await listPresets();
      const width = Math.max(...presets.map((p) => p.name.length));
      for (const p of presets)
        process.stdout.write(
          `${p.name.padEnd(width)}  ${p.paper ? `[${p.paper}] ` : ""}${p.description}\n`,
        );
    });

  program
    .command("metrics")
    .description("list the metrics a spec can record")
    .action(() => {
      const width = Math.max(...metrics.map((m) => m.name.length));
      for (const m of metrics) process.stdout.write(`${m.name.padEnd(width)}  ${m.description}\n`);
    });

  program
    .command("activations")
    .description("list the built-in activations")
    .action(() => {
      for (const a of Object.values(activations))
        process.stdout.write(`${a.name.padEnd(10)}  ${a.description}\n`);
    });
  program
    .command("schema")
    .description(
      "print the JSON Schema of spec files (for editors: `# yaml-language-server: $schema=<file>`)",
    )
    .action(() => {
      process.stdout.write(`${JSON.stringify(specJsonSchema(), null, 2)}\n`);
    });

  registerLabCommand(program);
  program.addOption(new Option("--no-color", "disable colors").hideHelp());
  return program;
}

function kernelsOption(): Option {
  return new Option(
    "--kernels <backend>",
    "matrix products of large empirical losses: blas (the system's OpenBLAS, or $OVERPARAM_BLAS; multithreaded), onnx (ONNX Runtime, multithreaded), wasm (WebAssembly SIMD, multithreaded, the same numbers on any number of threads), portable (pure TypeScript) or auto (blas when it loads, else onnx, else wasm; default, or $OVERPARAM_KERNELS)",
  ).choices(KERNEL_CHOICES);
}

/** `--kernels blas|onnx` is a promise: fail before anything runs when the backend cannot load. */
function requireKernels(choice: KernelChoice): void {
  const reason = unavailableReason(choice);
  if (reason) throw new UserInputError([`--kernels ${choice}: ${reason}`]);
}

/** $OVERPARAM_KERNELS or "auto"; a bad value is a one-line input error. */
function kernelDefault(): KernelChoice {
  try {
    return defaultKernelChoice();
  } catch (e) {
    throw new UserInputError([(e as Error).message]);
  }
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export async function main(argv: string[]): Promise<void> {
  // Past a file size limit (ulimit -f) a write should fail with EFBIG, reported like a full
  // disk, rather than the signal killing the process with half-written files.
  process.on("SIGXFSZ", () => {});
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander has printed the message (or the help / version) already
      process.exitCode = e.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
    } else if (e instanceof UserInputError) {
      for (const p of e.problems) process.stderr.write(`error: ${p}\n`);
      process.exitCode = EXIT_BAD_INPUT;
    } else if (e instanceof SpecOverrideError) {
      process.stderr.write(`error: ${e.message}\n`);
      process.exitCode = EXIT_BAD_INPUT;
    } else if (e instanceof RunFolderError) {
      process.stderr.write(`error: ${e.message}\n`);
      process.exitCode = 1;
    } else if (isIoError(e)) {
      // the disk refused (full, read-only, a file size limit): say so in one line
      const where = e.path ? `${e.path}: ` : "";
      process.stderr.write(`error: ${where}${describeIoError(e)}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`overparam: internal error: ${(e as Error).stack ?? e}\n`);
      process.exitCode = 1;
    }
  }
  // The command is done (its results written) but the process may take a moment to wind down
  // (worker threads ending): a Ctrl-C now ends it with the command's own exit code instead of
  // a death by signal. Commands that keep running (the lab's server) have their own handlers.
  const g = globalThis as { __overparamEarlySignal?: string };
  if (g.__overparamEarlySignal) process.exit(130); // came while loading; no command took it
  for (const signal of ["SIGINT", "SIGTERM"] as const)
    if (process.listenerCount(signal) === 0)
      process.on(signal, () => process.exit(Number(process.exitCode ?? 0)));
}
