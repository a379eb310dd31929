import { type ChildProcess, spawn } from 'node:child_process';
import { runCommand } from './runCommand.ts';

/** The built CLI, exactly as a user runs it (test/globalSetup.ts builds it). */
export const CLI = 'dist/clawpulsar.mjs';

/** A long-running CLI process (`dev`, `agent run`) whose output the test can wait on. */
export class CliProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly #exited: Promise<number | null>;

  constructor(args: readonly string[], env: Record<string, string> = {}) {
    this.child = spawn(process.execPath, [CLI, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    this.child.stdout?.on('data', (d: Buffer) => {
      this.stdout += d.toString();
    });
    this.child.stderr?.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
    this.#exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  /** Resolves when stdout or stderr matches `pattern`; rejects after `timeoutMs`. */
  async waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.stdout.match(pattern) ?? this.stderr.match(pattern);
      if (match) return match;
      if (this.child.exitCode !== null) {
        throw new Error(
          `process exited (${this.child.exitCode}) before ${pattern}:\n${this.stderr.slice(-2000)}`,
        );
      }
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${pattern}:\n${this.stderr.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Stops it (SIGTERM, or SIGKILL to simulate a crash) and waits for the exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.#exited;
  }
}

/** Runs one CLI command to completion; parses stdout as JSON when it is JSON. */
export async function cli(args: readonly string[], timeoutMs = 20_000) {
  const result = await runCommand(process.execPath, [CLI, ...args], { timeoutMs });
  const text = result.stdout.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { code: result.code, stdout: text, stderr: result.stderr, json: json as Record<string, unknown> };
}
