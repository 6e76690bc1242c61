import type { Command } from "commander";
import { defaultAppDir, startLabServer } from "./server.js";

interface LabOptions {
  port?: string;
  host: string;
  results?: string;
}

/** `overparam lab`: serves the interactive laboratory (and optionally a results folder). */
export function registerLabCommand(program: Command): void {
  program
    .command("lab")
    .description(
      "serve the interactive laboratory: pick a preset or edit a spec and watch it train in your browser",
    )
    .option("-p, --port <n>", "port to listen on (default: one the system chooses)")
    .option("--host <address>", "interface to bind", "127.0.0.1")
    .option(
      "--results <dir>",
      "also list and open the run folders and reproduce reports under this folder",
    )
    .addHelpText(
      "after",
      `
The page runs the engine in a Web Worker in the browser; the server only hands out files
(the lab's own from ${defaultAppDir}, and with --results the files under that folder, never
anything outside it). Stop it with Ctrl-C.

Examples:
  overparam lab
  overparam lab --port 8080 --results overparam-results`,
    )
    .action(async (opts: LabOptions) => {
      const port = opts.port === undefined ? 0 : Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        process.stderr.write(`error: --port ${opts.port}: must be an integer 0..65535\n`);
        process.exitCode = 2;
        return;
      }
      let lab: Awaited<ReturnType<typeof startLabServer>>;
      try {
        lab = await startLabServer({ port, host: opts.host, resultsDir: opts.results });
      } catch (e) {
        process.stderr.write(`error: ${(e as Error).message}\n`);
        process.exitCode = 2;
        return;
      }
      process.stdout.write(`overparam lab: ${lab.url}\n`);
      if (opts.results)
        process.stdout.write(`results from ${opts.results} at ${lab.url}#results\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          lab.close().then(resolve);
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      });
    });
}
