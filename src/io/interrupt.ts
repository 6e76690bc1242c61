/**
 * Ctrl-C (and SIGTERM) for long commands: the first signal sets a shared-memory stop flag that
 * running experiments poll between steps, so they end "interrupted" with their data kept; a
 * second signal quits at once (exit 130).
 */
export interface StopHandler {
  /** Int32 flag shared with worker threads; non-zero means stop. */
  readonly stopFlag: SharedArrayBuffer;
  interrupted(): boolean;
  dispose(): void;
}

export function installStopHandler(message: string): StopHandler {
  const stopFlag = new SharedArrayBuffer(4);
  const stop = new Int32Array(stopFlag);
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    Atomics.store(stop, 0, 1);
    process.stderr.write(`\ninterrupting: ${message}…\n`);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  // a signal that came while the CLI was loading (bin/overparam.js remembers it)
  const g = globalThis as { __overparamEarlySignal?: string };
  if (g.__overparamEarlySignal) {
    g.__overparamEarlySignal = undefined;
    onSignal();
  }
  return {
    stopFlag,
    interrupted: () => interrupted,
    dispose: () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}
