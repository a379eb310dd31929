import { ClawPulsarError } from '../../lambdas/core/errors.ts';

/** Exit codes shared by every command: 0 ok, 1 the thing checked is bad/failed, 2 usage error. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export interface OutputOptions {
  readonly json?: boolean;
}

/**
 * Prints a command's result: the object as one JSON document with `--json`, else the human text.
 *
 * @example
 * print({ json: opts.json }, { valid: true }, 'valid (stripe-v1)');
 */
export function print(options: OutputOptions, result: unknown, human: string): void {
  if (options.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else process.stdout.write(`${human}\n`);
}

/** Prints an error so that a person knows what to do next, or as `{ "error": … }` with `--json`. */
export function printError(options: OutputOptions, error: unknown): void {
  const code = error instanceof ClawPulsarError ? error.code : 'error';
  const message = error instanceof Error ? error.message : String(error);
  if (options.json) process.stdout.write(`${JSON.stringify({ error: { code, message } }, null, 2)}\n`);
  else process.stderr.write(`clawpulsar: ${message}\n`);
}

/** A usage mistake on the command line: printed with a hint, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
