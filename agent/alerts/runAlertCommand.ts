import { spawn } from 'node:child_process';

export interface CommandResult {
  /** Exit code; null when it was killed (timeout) or could not start. */
  readonly code: number | null;
  /** Why it did not run to a zero exit, in a few words. */
  readonly reason?: string;
}

/**
 * Runs an alert command: argv without a shell, the alert JSON on stdin, the main figures in
 * `CLAWPULSAR_ALERT_*` variables, output discarded (it could be anything; the agent logs metadata only),
 * killed after `timeoutMs`.
 *
 * @example
 * await runAlertCommand(['openclaw', 'pause'], json, { CLAWPULSAR_ALERT_PERCENT: '81.2' }, 30_000);
 */
export function runAlertCommand(
  argv: readonly string[],
  stdin: string,
  env: Readonly<Record<string, string>>,
  timeoutMs: number,
): Promise<CommandResult> {
  return new Promise((resolve) => {
    const [file, ...args] = argv as [string, ...string[]];
    const child = spawn(file, args, {
      stdio: ['pipe', 'ignore', 'ignore'],
      env: { ...process.env, ...env },
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
    });
    child.once('error', (error: NodeJS.ErrnoException) =>
      resolve({ code: null, reason: `could not start (${error.code ?? 'error'})` }),
    );
    child.once('close', (code, signal) => {
      if (code === 0) resolve({ code });
      else resolve({ code, reason: signal ? `killed (${signal})` : `exit ${code}` });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(stdin);
  });
}
