/**
 * `clawpulsar history export|delete`: the budget monitor's daily spend aggregates (90 days), as CSV or
 * JSON, and their deletion.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { type ManagementOptions, runManagement, withManagementOptions } from '../cli/managementCommand.ts';
import { EXIT, print, printError, UsageError } from '../cli/output.ts';

interface ExportOptions extends ManagementOptions {
  format: string;
  out?: string;
  from?: string;
  to?: string;
  provider?: string;
  key?: string;
}

interface DeleteOptions extends ManagementOptions {
  provider?: string;
  key?: string;
  all?: boolean;
}

/**
 * Registers `clawpulsar history …`.
 *
 * @example
 * registerHistory(program);
 */
export function registerHistory(program: Command): void {
  const history = program
    .command('history')
    .description('daily spend per provider and key, kept 90 days: export or delete it');

  withManagementOptions(
    history
      .command('export')
      .description('export the daily aggregates')
      .option('--format <format>', 'csv or json', 'csv')
      .option('--out <file>', 'write to this file (0600) instead of stdout')
      .option('--from <date>', 'first UTC date, YYYY-MM-DD (default: 90 days ago)')
      .option('--to <date>', 'last UTC date, YYYY-MM-DD (default: today)')
      .option('--provider <id>', 'only this provider')
      .option('--key <keyId>', 'only this key'),
  ).action(async (options: ExportOptions) => {
    if (options.format !== 'csv' && options.format !== 'json') {
      printError(options, new UsageError('--format is csv or json'));
      process.exitCode = EXIT.usage;
      return;
    }
    await runManagement(options, async (client) => {
      const query = new URLSearchParams({ format: options.format });
      if (options.from) query.set('from', options.from);
      if (options.to) query.set('to', options.to);
      if (options.provider) query.set('provider', options.provider);
      if (options.key) query.set('keyId', options.key);
      const text = await client.requestText('GET', `/v1/history?${query}`);
      if (!options.out) {
        process.stdout.write(options.format === 'json' ? `${text}\n` : text);
        return;
      }
      writeFileSync(options.out, options.format === 'json' ? `${text}\n` : text, { mode: 0o600 });
      print(options, { written: options.out }, `History written to ${options.out}.`);
    });
  });

  withManagementOptions(
    history
      .command('delete')
      .description('delete daily aggregates: one key, one provider, or --all')
      .option('--provider <id>', 'only this provider')
      .option('--key <keyId>', 'only this key')
      .option('--all', 'everything'),
  ).action(async (options: DeleteOptions) => {
    if (!options.all && !options.provider && !options.key) {
      printError(options, new UsageError('Say what to delete: --key KEYID, --provider ID, or --all'));
      process.exitCode = EXIT.usage;
      return;
    }
    await runManagement(options, async (client) => {
      const query = new URLSearchParams();
      if (options.provider) query.set('provider', options.provider);
      if (options.key) query.set('keyId', options.key);
      const result = await client.request<{ deleted: number }>(
        'DELETE',
        `/v1/history${query.size ? `?${query}` : ''}`,
      );
      print(options, result, `Deleted ${result.deleted} daily aggregates.`);
    });
  });
}
