import type { Command } from 'commander';
import { ClawPulsarError } from '../../lambdas/core/errors.ts';
import { ManagementClient } from './ManagementClient.ts';
import { EXIT, printError } from './output.ts';
import { type ManagementTargetOptions, resolveManagementTarget } from './resolveManagementTarget.ts';
import { withStackOptions } from './stackOptions.ts';

export interface ManagementOptions extends ManagementTargetOptions {
  json?: boolean;
}

/** Adds the options every management command shares: an edge, or a deployed stack, and `--json`. */
export function withManagementOptions(command: Command): Command {
  return withStackOptions(
    command
      .option('--edge <url>', 'management API URL (default: the local edge in --data-dir)')
      .option('--token-file <file>', 'file holding the management bearer token (with --edge)')
      .option('--data-dir <dir>', 'local edge data dir (default ~/.clawpulsar/edge)'),
  ).option('--json', 'print JSON for scripts');
}

/**
 * Runs a management action with a client, printing errors so a person knows what to do next, and
 * setting the exit code (1 when the API refused or could not be reached, 2 when the command line does
 * not lead to a management API: no local edge, an unknown stack, no AWS credentials).
 */
export async function runManagement(
  options: ManagementOptions,
  action: (client: ManagementClient) => Promise<void>,
): Promise<void> {
  let client: ManagementClient;
  try {
    client = new ManagementClient(await resolveManagementTarget(options));
  } catch (error) {
    printError(options, error);
    process.exitCode = error instanceof ClawPulsarError && error.status >= 500 ? EXIT.failed : EXIT.usage;
    return;
  }
  try {
    await action(client);
  } catch (error) {
    printError(options, error);
    process.exitCode = EXIT.failed;
  }
}

/** Formats epoch milliseconds for people. */
export function when(ms: number | undefined): string {
  return ms === undefined
    ? '-'
    : new Date(ms)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, 'Z');
}

/** A plain text table: columns padded to their widest cell. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}
