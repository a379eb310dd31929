/**
 * Collects the lines written during one turn of the event loop and hands them over together at the end
 * of that turn (and on `flush()` or process exit). A busy relay logs a line per webhook; one system call
 * per line would cost more than the line itself, and a turn is short enough that nothing waits on it.
 *
 * @example
 * const stderr = new LineBuffer((lines) => process.stderr.write(lines.join('')));
 * stderr.push('{"event":"webhook_accepted"}\n');
 */
export class LineBuffer {
  readonly #drain: (lines: string[]) => void;
  #lines: string[] = [];
  readonly #flushOnExit = () => this.flush();

  constructor(drain: (lines: string[]) => void) {
    this.#drain = drain;
  }

  push(line: string): void {
    if (this.#lines.length === 0) {
      setImmediate(() => this.flush());
      process.once('exit', this.#flushOnExit);
    }
    this.#lines.push(line);
  }

  /** Hands the pending lines over now. */
  flush(): void {
    const lines = this.#lines;
    if (lines.length === 0) return;
    this.#lines = [];
    process.off('exit', this.#flushOnExit);
    this.#drain(lines);
  }
}
