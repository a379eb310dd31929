/**
 * `clawpulsar budget`: read what a provider says was spent, with the same read-only clients the budget
 * monitor uses, so a user can check a key and see the figures before setting budgets on them.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { fetchHttpClient } from '../../lambdas/adapters/http/fetchHttpClient.ts';
import { formatMicros } from '../../lambdas/core/budget/money.ts';
import { BadRequestError, ClawPulsarError } from '../../lambdas/core/errors.ts';
import {
  createUsageClient,
  isUsageProviderId,
  USAGE_PROVIDERS,
} from '../../lambdas/core/usage/createUsageClient.ts';
import type { UsageProviderId } from '../../lambdas/core/usage/SpendReport.ts';
import { USAGE_PROVIDER_IDS } from '../../lambdas/core/usage/SpendReport.ts';
import { utcDayRange } from '../../lambdas/core/usage/utcDayRange.ts';
import { EXIT, print, printError, UsageError } from '../cli/output.ts';
import { readKeyFile } from '../cli/readKeyFile.ts';
import { registerBudgetManagement } from './budget/budgetManagement.ts';

/** Where the key comes from when no --key-file is given. */
export const PROVIDER_KEY_ENV = 'CLAWPULSAR_PROVIDER_KEY';

interface CommonOptions {
  readonly provider: UsageProviderId;
  readonly baseUrl?: string;
  readonly keyFile?: string;
  readonly timeout: number;
  readonly json?: boolean;
}

interface CheckOptions extends CommonOptions {
  readonly start: string;
  readonly end: string;
}

function parseProvider(value: string): UsageProviderId {
  if (isUsageProviderId(value)) return value;
  throw new InvalidArgumentError(`Unknown provider. Use one of: ${USAGE_PROVIDER_IDS.join(', ')}.`);
}

function parseTimeout(value: string): number {
  if (!/^\d{1,4}$/.test(value) || Number(value) === 0) {
    throw new InvalidArgumentError('--timeout takes whole seconds, e.g. --timeout 30.');
  }
  return Number(value);
}

/** Reads the key from --key-file or the environment; never prints it. */
function readKey(options: CommonOptions): string {
  const requirement = USAGE_PROVIDERS[options.provider].keyRequirement;
  if (options.keyFile !== undefined) return readKeyFile(options.keyFile, '--key-file');
  const key = process.env[PROVIDER_KEY_ENV]?.trim();
  if (!key) {
    throw new UsageError(`No provider key: pass --key-file FILE or set ${PROVIDER_KEY_ENV}. ${requirement}`);
  }
  if (/\s/.test(key))
    throw new UsageError('The provider key holds whitespace; put only the key in the file.');
  return key;
}

function clients(options: CommonOptions) {
  return createUsageClient({
    provider: options.provider,
    key: readKey(options),
    http: fetchHttpClient(),
    baseUrl: options.baseUrl,
  });
}

async function check(options: CheckOptions): Promise<void> {
  const range = utcDayRange(options.start, options.end);
  const { spend } = clients(options);
  if (!spend) {
    throw new UsageError(
      `${USAGE_PROVIDERS[options.provider].name} publishes a balance, not spend per day. Run: clawpulsar budget balance --provider ${options.provider}`,
    );
  }
  const report = await spend.readDailySpend(range, { timeoutMs: options.timeout * 1000 });
  const name = USAGE_PROVIDERS[options.provider].name;
  const unavailable = report.unavailableDates ?? [];
  const result = {
    provider: report.provider,
    total: { amount: formatMicros(report.totalMicros), currency: report.currency },
    days: report.days.map((day) => ({ date: day.date, amount: formatMicros(day.amountMicros) })),
    ...(unavailable.length > 0 ? { unavailableDates: unavailable } : {}),
  };
  const human = [
    `${name} spend ${report.start} to ${report.end} (UTC days, end excluded): $${result.total.amount}`,
    ...result.days.map(
      (day) =>
        `  ${day.date}  ${day.amount.padStart(14)}${unavailable.includes(day.date) ? '  (not reported yet)' : ''}`,
    ),
    ...(unavailable.length > 0
      ? [`${name} cannot report ${unavailable.length} of these days yet; they count as 0.`]
      : []),
  ].join('\n');
  print(options, result, human);
}

async function balance(options: CommonOptions): Promise<void> {
  const { balance: client } = clients(options);
  if (!client) {
    throw new UsageError(
      `${USAGE_PROVIDERS[options.provider].name} has no balance API. Run: clawpulsar budget check --provider ${options.provider} --start YYYY-MM-DD --end YYYY-MM-DD`,
    );
  }
  const snapshot = await client.readBalance({ timeoutMs: options.timeout * 1000 });
  const result = {
    provider: snapshot.provider,
    balances: snapshot.balances.map((entry) => ({
      amount: formatMicros(entry.amountMicros),
      currency: entry.currency,
    })),
    ...(snapshot.totalUsedMicros !== undefined
      ? { totalUsed: { amount: formatMicros(snapshot.totalUsedMicros), currency: 'usd' } }
      : {}),
    ...(snapshot.available !== undefined ? { available: snapshot.available } : {}),
  };
  const name = USAGE_PROVIDERS[options.provider].name;
  const human = [
    ...result.balances.map((entry) => `${name} balance: ${entry.amount} ${entry.currency.toUpperCase()}`),
    ...(result.totalUsed ? [`${name} lifetime spend: ${result.totalUsed.amount} USD`] : []),
    ...(snapshot.available === false ? [`${name} says the balance can no longer pay for API calls.`] : []),
  ].join('\n');
  print(options, result, human);
}

/** Runs a subcommand, mapping failures to exit codes: 2 for usage mistakes, 1 for provider failures. */
async function run<T extends CommonOptions>(
  options: T,
  action: (options: T) => Promise<void>,
): Promise<void> {
  try {
    await action(options);
  } catch (error) {
    if (error instanceof UsageError || error instanceof BadRequestError) {
      printError(options, error);
      process.exitCode = EXIT.usage;
    } else if (error instanceof ClawPulsarError) {
      printError(options, error);
      process.exitCode = EXIT.failed;
    } else {
      throw error;
    }
  }
}

function withCommonOptions(command: Command): Command {
  return command
    .requiredOption('--provider <id>', `provider id (${USAGE_PROVIDER_IDS.join(', ')})`, parseProvider)
    .option(
      '--base-url <url>',
      "the provider's API base URL (default: the provider's own; for proxies and tests)",
    )
    .option('--key-file <path>', `file holding the provider key (default: $${PROVIDER_KEY_ENV})`)
    .option('--timeout <seconds>', 'per-request timeout', parseTimeout, 30)
    .option('--json', 'print the result as JSON');
}

/**
 * Registers `clawpulsar budget check` and `clawpulsar budget balance`, and the budgets the monitor
 * watches: `budget add|list|status|remove`.
 *
 * @example
 * registerBudget(program);
 */
export function registerBudget(program: Command): void {
  const budget = program
    .command('budget')
    .description('Read LLM spend with read-only usage and billing keys');

  withCommonOptions(
    budget
      .command('check')
      .description("Print a provider's spend per UTC day over [start, end)")
      .requiredOption('--start <date>', 'first UTC day, YYYY-MM-DD')
      .requiredOption('--end <date>', 'day after the last, YYYY-MM-DD (excluded)'),
  )
    .addHelpText(
      'after',
      `
Examples:
  CLAWPULSAR_PROVIDER_KEY=sk-admin-… clawpulsar budget check --provider openai --start 2025-03-01 --end 2025-04-01
  clawpulsar budget check --provider anthropic --key-file ~/.config/anthropic-admin-key --start 2025-03-01 --end 2025-03-08 --json

The key is only ever sent to the provider's usage and billing endpoints.
Exit status: 0 ok, 1 the provider refused the key, failed or answered nonsense, 2 usage error.`,
    )
    .action((options: CheckOptions) => run(options, check));

  withCommonOptions(
    budget.command('balance').description("Print a provider's prepaid balance and lifetime spend"),
  )
    .addHelpText('after', '\nExit status: 0 ok, 1 the provider refused the key or failed, 2 usage error.')
    .action((options: CommonOptions) => run(options, balance));

  registerBudgetManagement(budget);
}
