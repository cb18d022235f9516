/**
 * A progress line for steps that take more than a few seconds: a spinner with elapsed time on a terminal,
 * and plain start and end lines in logs (CI, CodeBuild), where carriage returns only add noise.
 */
export class Progress {
  private readonly started = Date.now();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    if (stream.isTTY) {
      const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
      let frame = 0;
      this.timer = setInterval(() => {
        stream.write(`\r${frames[frame++ % frames.length]} ${label} ${this.elapsed()}`);
      }, 100);
    } else {
      stream.write(`… ${label}\n`);
    }
  }

  elapsed(): string {
    return `${((Date.now() - this.started) / 1000).toFixed(1)} s`;
  }

  /** Ends the line with ✓ or ✗ and the elapsed time. */
  done(ok = true, detail = ''): void {
    if (this.timer) clearInterval(this.timer);
    const clear = this.stream.isTTY ? '\r\x1b[K' : '';
    this.stream.write(`${clear}${ok ? '✓' : '✗'} ${this.label} (${this.elapsed()})${detail ? ` ${detail}` : ''}\n`);
  }
}
