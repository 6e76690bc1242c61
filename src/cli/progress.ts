import cliProgress from "cli-progress";

interface ProgressInfo {
  step: number;
  totalSteps: number;
  time: number;
  horizon: number;
  loss: number;
}

/**
 * A progress bar on a terminal (steps/s, ETA, current loss), shown only once a run has lasted
 * a second; plain log lines every ~10 s when stdout is not a TTY (CI logs).
 */
export class Progress {
  private bar: cliProgress.SingleBar | null = null;
  private readonly start = Date.now();
  private lastLog = Date.now();
  private readonly tty = Boolean(process.stdout.isTTY);

  constructor(
    private readonly label: string,
    private readonly quiet: boolean,
  ) {}

  update(p: ProgressInfo): void {
    if (this.quiet) return;
    const elapsed = (Date.now() - this.start) / 1000;
    if (elapsed < 1) return;
    // GD/SGD report steps of a known total; flow reports time against its horizon
    const flow = p.totalSteps === 0;
    const done = flow ? p.time : p.step;
    const total = flow ? p.horizon : p.totalSteps;
    const rate = p.step / elapsed;
    const loss = Number.isFinite(p.loss) ? p.loss.toExponential(3) : String(p.loss);
    if (this.tty) {
      if (!this.bar) {
        this.bar = new cliProgress.SingleBar(
          {
            format: `${this.label} [{bar}] {percentage}% | {value}/{total} ${flow ? "t" : "steps"} | {rate} ${flow ? "evals" : "steps"}/s | ETA {eta_formatted} | loss {loss}`,
            hideCursor: true,
            etaBuffer: 50,
          },
          cliProgress.Presets.shades_classic,
        );
        this.bar.start(total, done, { rate: "-", loss });
      }
      this.bar.update(flow ? Number(done.toPrecision(4)) : done, { rate: rate.toFixed(0), loss });
    } else if (Date.now() - this.lastLog >= 10_000) {
      this.lastLog = Date.now();
      const pct = total > 0 ? ((100 * done) / total).toFixed(1) : "?";
      process.stdout.write(
        `${this.label}: ${pct}% (${flow ? `t = ${done.toPrecision(4)}` : `step ${done}/${total}`}), ${rate.toFixed(0)} ${flow ? "evals" : "steps"}/s, loss ${loss}\n`,
      );
    }
  }

  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }
}
