/**
 * The CLI's progress display on stderr: a redrawn bar per stage on a terminal; on a pipe or in CI, one line
 * when a stage starts and one when it ends (no control characters in logs).
 */
import type { Progress, ProgressReport } from './core/lifecycle';

const width = 28;

export class ProgressBar implements Progress<ProgressReport> {
  private stage: string | undefined;
  private lastDraw = 0;
  private startedAt = Date.now();

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr, private readonly enabled = true) {}

  report(value: ProgressReport): void {
    if (!this.enabled) return;
    // A note (e.g. a movie the target editor cannot import) is a line of its own, on a terminal and a pipe alike.
    if (value.message?.startsWith('note: ')) {
      this.stream.write(`${this.stream.isTTY ? '\r\x1b[2K' : ''}${value.message}\n`);
      return;
    }
    const fraction = Math.min(1, Math.max(0, Number.isFinite(value.fraction) ? value.fraction : 0));
    if (value.stage !== this.stage) {
      this.endStage();
      this.stage = value.stage;
      this.startedAt = Date.now();
      if (!this.stream.isTTY) this.stream.write(`${value.stage}…\n`);
    }
    if (!this.stream.isTTY) return;
    const now = Date.now();
    if (fraction < 1 && now - this.lastDraw < 80) return;
    this.lastDraw = now;
    const filled = Math.round(fraction * width);
    const message = value.message ? `  ${value.message}` : '';
    this.stream.write(`\r\x1b[2K[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${String(Math.round(fraction * 100)).padStart(3)}% ${value.stage}${message}`.slice(0, (this.stream.columns || 100) + 8));
  }

  private endStage(): void {
    if (this.stage === undefined) return;
    const seconds = ((Date.now() - this.startedAt) / 1000).toFixed(1);
    if (this.stream.isTTY) this.stream.write(`\r\x1b[2K✓ ${this.stage} (${seconds} s)\n`);
    else this.stream.write(`${this.stage} done (${seconds} s)\n`);
  }

  /** Closes the last stage line. */
  done(): void {
    if (!this.enabled) return;
    this.endStage();
    this.stage = undefined;
  }
}
