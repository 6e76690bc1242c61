#!/usr/bin/env node
// Thin launcher: the CLI is compiled from src/ to dist/ by `npm run build` (run by `npm ci`'s prepare).
// A Ctrl-C that arrives while the CLI's modules are still loading is remembered here and
// honoured by the command's own handler once it is installed (src/io/interrupt.ts), instead of
// killing the process at an arbitrary point.
const early = (signal) => {
  if (globalThis.__overparamEarlySignal) process.exit(130); // a second one: quit now
  globalThis.__overparamEarlySignal = signal;
};
process.on("SIGINT", early);
process.on("SIGTERM", early);
const { main } = await import("../dist/cli/main.js");
process.off("SIGINT", early);
process.off("SIGTERM", early);
await main(process.argv);
