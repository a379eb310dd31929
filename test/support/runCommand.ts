import { spawn } from 'node:child_process';

/** What a command-line witness did: exit code (null when we stopped it), stdout bytes, stderr text. */
export interface CommandResult {
  readonly code: number | null;
  readonly stdout: Buffer;
  readonly stderr: string;
  /** True when the command was stopped by `timeoutMs` or `until`, not by itself. */
  readonly stopped: boolean;
}

export interface RunCommandOptions {
  /** Written to stdin; stdin stays open until the command exits or is stopped. */
  readonly input?: Uint8Array | string;
  /** Stop the command after this long (default 10 s). */
  readonly timeoutMs?: number;
  /** Stop the command as soon as its stdout so far satisfies this. */
  readonly until?: (stdout: Buffer) => boolean;
  /** Variables added to (or, when undefined, removed from) this process's environment. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Runs a command asynchronously (so a server in the same process keeps serving it) and collects its
 * output. Never rejects for a non-zero exit: tests assert on the result.
 *
 * @example
 * const result = await runCommand('mosquitto_sub', ['-h', '127.0.0.1', ...], { timeoutMs: 5000 });
 */
export function runCommand(
  command: string,
  args: readonly string[],
  options: RunCommandOptions = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const env = options.env ? withEnv(options.env) : process.env;
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let stopped = false;
    const stop = () => {
      stopped = true;
      child.kill('SIGTERM');
    };
    const timer = setTimeout(stop, options.timeoutMs ?? 10_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout.push(chunk);
      if (!stopped && options.until?.(Buffer.concat(stdout))) stop();
    });
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.stdin.on('error', () => {});
    if (options.input !== undefined) child.stdin.write(options.input);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr).toString(), stopped });
    });
  });
}

function withEnv(extra: Readonly<Record<string, string | undefined>>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}
