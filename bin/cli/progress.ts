const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * Runs one step that may take more than a moment, showing it on stderr: a spinner on a terminal, plain
 * "… label" / "✓ label (1.2 s)" lines otherwise, and "✗ label" when it throws (the error goes on).
 *
 * @example
 * const agent = await step('Registering this machine', () => registerWithEdge(options));
 */
export async function step<T>(
  label: string,
  action: () => Promise<T>,
  out: NodeJS.WriteStream = process.stderr,
): Promise<T> {
  const started = Date.now();
  const tty = out.isTTY === true;
  let frame = 0;
  const timer = tty
    ? setInterval(() => out.write(`\r${FRAMES[frame++ % FRAMES.length]} ${label}…`), 80)
    : undefined;
  if (!tty) out.write(`… ${label}\n`);
  const clear = () => {
    if (timer) clearInterval(timer);
    if (tty) out.write('\r\x1b[2K');
  };
  try {
    const result = await action();
    clear();
    out.write(`✓ ${label} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
    return result;
  } catch (error) {
    clear();
    out.write(`✗ ${label}\n`);
    throw error;
  }
}
