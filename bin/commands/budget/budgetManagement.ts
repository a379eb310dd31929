/**
 * `clawpulsar budget add|list|status|remove`: the budgets the monitor evaluates on every poll. Amounts are
 * given in dollars on the command line and travel as integer micro-dollars.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { formatUsd } from '../../../lambdas/core/budget/buildAlertMessage.ts';
import { parseDecimalMicros } from '../../../lambdas/core/budget/money.ts';
import type { BudgetView } from '../../../lambdas/core/monitor/BudgetView.ts';
import type { BudgetStatus } from '../../../lambdas/core/monitor/budgetStatus.ts';
import type { BudgetChange } from '../../../lambdas/core/monitor/putBudget.ts';
import { USAGE_PROVIDER_IDS } from '../../../lambdas/core/usage/SpendReport.ts';
import {
  type ManagementOptions,
  runManagement,
  table,
  when,
  withManagementOptions,
} from '../../cli/managementCommand.ts';
import { EXIT, print, printError } from '../../cli/output.ts';

interface AddOptions extends ManagementOptions {
  id?: string;
  name: string;
  provider: string;
  key: string[];
  period: string;
  limit: string;
  timeZone: string;
  weekStartsOn?: string;
  threshold: string;
  forecastThreshold?: string;
  burnRate?: string;
  notifyAgent: string[];
  webhook: string[];
  sns?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

function dollars(value: string): number {
  try {
    return parseDecimalMicros(value.replace(/^\$/, ''), 'dollars');
  } catch {
    throw new InvalidArgumentError('give an amount in dollars, e.g. 100 or 12.50');
  }
}

function percents(value: string): number[] {
  const list = value.split(',').map((part) => Number(part.trim()));
  if (list.some((n) => !Number.isFinite(n) || n <= 0)) {
    throw new InvalidArgumentError('give percentages separated by commas, e.g. 50,80,100');
  }
  return list;
}

function webhook(text: string): { id: string; url: string; format: string } {
  const match = /^([a-z0-9][a-z0-9-]{2,62})=(\S+?)(?:,(standard|slack|discord))?$/.exec(text);
  if (!match)
    throw new InvalidArgumentError('use ID=URL or ID=URL,slack (formats: standard, slack, discord)');
  return { id: match[1] as string, url: match[2] as string, format: match[3] ?? 'standard' };
}

/** The budget body from the command line. */
function budgetBody(options: AddOptions): Record<string, unknown> {
  const limitMicros = dollars(options.limit);
  return {
    ...(options.id ? { id: options.id } : {}),
    name: options.name,
    scope: { provider: options.provider, ...(options.key.length ? { keyIds: options.key } : {}) },
    period: options.period,
    timeZone: options.timeZone,
    ...(options.weekStartsOn !== undefined ? { weekStartsOn: Number(options.weekStartsOn) } : {}),
    limitMicros,
    thresholds: [
      ...percents(options.threshold).map((percent) => ({
        id: `actual-${percent}`,
        basis: 'actual',
        percent,
      })),
      ...(options.forecastThreshold ? percents(options.forecastThreshold) : []).map((percent) => ({
        id: `forecast-${percent}`,
        basis: 'forecast',
        percent,
      })),
    ],
    ...(options.burnRate ? { burnRate: { multiplier: Number(options.burnRate) } } : {}),
    ...(options.notifyAgent.length ? { notifyAgents: options.notifyAgent } : {}),
    ...(options.webhook.length ? { notifyWebhooks: options.webhook.map(webhook) } : {}),
    ...(options.sns === false ? { notifySns: false } : {}),
  };
}

function describeStatus(status: BudgetStatus): string {
  const { budget } = status;
  const lines = [
    `${budget.name} (${budget.id}): ${formatUsd(status.spentMicros)} of ${formatUsd(status.limitMicros)} (${status.percent.toFixed(1)}%) in ${status.period.key} (${status.period.timeZone})`,
    `  forecast at period end: ${formatUsd(status.forecast.p50Micros)} (P90 ${formatUsd(status.forecast.p90Micros)}), ${formatUsd(status.forecast.dailyRateMicros)}/day`,
    ...status.thresholds.map(
      (t) =>
        `  ${t.crossed ? '●' : '○'} ${t.id.padEnd(14)} ${formatUsd(t.amountMicros).padStart(12)} on ${t.basis === 'actual' ? 'spend' : `${t.band} forecast`}${t.crossed ? '  crossed' : ''}`,
    ),
  ];
  if (status.alerts.length) {
    lines.push('  alerts sent:');
    for (const alert of status.alerts) {
      const channels =
        alert.channels.map((c) => `${c.channel}${c.ok ? '' : ` (${c.error})`}`).join(', ') || 'status only';
      lines.push(`    ${when(alert.sentAt)}  ${alert.subject}  → ${channels}`);
    }
  }
  for (const key of status.keys) {
    lines.push(
      `  key ${key.keyId} "${key.label}": last poll ${when(key.lastPoll?.lastPolledAt)}${key.lastPoll && !key.lastPoll.ok ? ` FAILED: ${key.lastPoll.error?.message ?? ''}` : ''}`,
    );
  }
  return lines.join('\n');
}

/**
 * Adds the budget management subcommands to `clawpulsar budget`.
 *
 * @example
 * registerBudgetManagement(program.command('budget'));
 */
export function registerBudgetManagement(budget: Command): void {
  const localZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  withManagementOptions(
    budget
      .command('add')
      .description('add a budget: a limit per day, week or month, thresholds, and who is told')
      .requiredOption('--name <name>', 'a name people will read in alerts')
      .requiredOption('--provider <id>', `provider (${USAGE_PROVIDER_IDS.join(', ')})`)
      .requiredOption('--limit <dollars>', 'limit per period in dollars, e.g. 100')
      .option('--id <id>', 'budget id (default: generated)')
      .option(
        '--key <keyId>',
        'count only this key (repeatable; default: every key of the provider)',
        collect,
        [],
      )
      .option('--period <period>', 'day, week or month', 'month')
      .option('--time-zone <zone>', 'IANA time zone the periods follow', localZone)
      .option('--week-starts-on <n>', 'first day of a week, 0 = Sunday … 6 = Saturday (default 1)')
      .option('--threshold <percents>', 'alert when spend reaches these percentages', '50,80,100')
      .option('--forecast-threshold <percents>', 'alert when the P50 forecast reaches these percentages')
      .option('--burn-rate <multiplier>', 'alarm when hourly spend runs this many times above normal')
      .option(
        '--notify-agent <agentId>',
        'agent to tell over its tunnel, or "*" for all (repeatable)',
        collect,
        [],
      )
      .option(
        '--webhook <id=url[,format]>',
        'also POST alerts here: standard (signed), slack or discord',
        collect,
        [],
      )
      .option('--no-sns', 'do not publish to the SNS alerts topic (AWS)'),
  ).action(async (options: AddOptions) => {
    let body: Record<string, unknown>;
    try {
      body = budgetBody(options);
    } catch (error) {
      printError(options, error);
      process.exitCode = EXIT.usage;
      return;
    }
    await runManagement(options, async (client) => {
      const change = await client.request<BudgetChange>('POST', '/v1/budgets', body);
      const secrets = Object.entries(change.webhookSecrets ?? {});
      print(
        options,
        change,
        [
          `Budget "${change.budget.name}" (${change.budget.id}): ${formatUsd(change.budget.limitMicros)} per ${change.budget.period}.`,
          ...secrets.map(
            ([id, secret]) =>
              `Webhook "${id}" signing secret (shown once; verify with any Standard Webhooks library): ${secret}`,
          ),
          `See where it stands: clawpulsar budget status ${change.budget.id}`,
        ].join('\n'),
      );
    });
  });

  withManagementOptions(budget.command('list').description('list budgets')).action(
    async (options: ManagementOptions) => {
      await runManagement(options, async (client) => {
        const { budgets } = await client.request<{ budgets: BudgetView[] }>('GET', '/v1/budgets');
        const human = budgets.length
          ? table(
              ['ID', 'NAME', 'PROVIDER', 'PERIOD', 'LIMIT', 'THRESHOLDS', 'NOTIFY'],
              budgets.map((b) => [
                b.id,
                b.name,
                b.scope.provider,
                `${b.period} (${b.timeZone})`,
                formatUsd(b.limitMicros),
                b.thresholds.map((t) => t.id).join(' '),
                [
                  ...(b.notifyAgents ?? []).map((a) => `agent:${a}`),
                  ...b.notifyWebhooks.map((w) => `webhook:${w.id}`),
                ].join(' ') || '-',
              ]),
            )
          : 'No budgets yet. Add one: clawpulsar budget add --name "OpenAI" --provider openai --limit 100 --notify-agent my-laptop';
        print(options, { budgets }, human);
      });
    },
  );

  withManagementOptions(
    budget
      .command('status <budgetId>')
      .description('spend, limit, forecast, thresholds and alerts of a budget'),
  ).action(async (budgetId: string, options: ManagementOptions) => {
    await runManagement(options, async (client) => {
      const status = await client.request<BudgetStatus>(
        'GET',
        `/v1/budgets/${encodeURIComponent(budgetId)}/status`,
      );
      print(options, status, describeStatus(status));
    });
  });

  withManagementOptions(budget.command('remove <budgetId>').description('delete a budget')).action(
    async (budgetId: string, options: ManagementOptions) => {
      await runManagement(options, async (client) => {
        const result = await client.request('DELETE', `/v1/budgets/${encodeURIComponent(budgetId)}`);
        print(options, result, `Budget ${budgetId} deleted.`);
      });
    },
  );
}
