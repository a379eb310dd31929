import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoAgentRepository } from '../../adapters/aws/DynamoAgentRepository.ts';
import { DynamoBudgetAlertStore } from '../../adapters/aws/DynamoBudgetAlertStore.ts';
import { DynamoBudgetRepository } from '../../adapters/aws/DynamoBudgetRepository.ts';
import { DynamoProviderKeyRepository } from '../../adapters/aws/DynamoProviderKeyRepository.ts';
import { DynamoSpendHistory } from '../../adapters/aws/DynamoSpendHistory.ts';
import { fetchAlertWebhookSender } from '../../adapters/http/fetchAlertWebhookSender.ts';
import { fetchHttpClient } from '../../adapters/http/fetchHttpClient.ts';
import { ClawPulsarError } from '../../core/errors.ts';
import type { BudgetMonitorDeps } from '../../core/monitor/BudgetMonitorDeps.ts';
import type { Clock, KeyCustody, Logger } from '../../core/ports.ts';
import { once } from './once.ts';

export interface BudgetTables {
  readonly PROVIDER_KEYS_TABLE: string;
  readonly BUDGETS_TABLE: string;
  readonly SPEND_HISTORY_TABLE: string;
  readonly BUDGET_ALERTS_TABLE: string;
}

const NAMES = ['PROVIDER_KEYS_TABLE', 'BUDGETS_TABLE', 'SPEND_HISTORY_TABLE', 'BUDGET_ALERTS_TABLE'] as const;

/**
 * The budget tables of an environment: all four, or undefined when the monitor is not deployed. Some
 * but not all is a deployment mistake and fails the cold start.
 *
 * @example
 * const tables = budgetTablesOf(env);
 */
export function budgetTablesOf(
  env: Partial<Record<(typeof NAMES)[number], string>>,
): BudgetTables | undefined {
  const present = NAMES.filter((name) => env[name] !== undefined);
  if (present.length === 0) return undefined;
  if (present.length < NAMES.length) {
    throw new ClawPulsarError(
      'invalid_environment',
      `Invalid Lambda environment: the budget monitor needs all of ${NAMES.join(', ')}`,
      500,
      { variables: NAMES.filter((name) => env[name] === undefined) },
    );
  }
  return env as BudgetTables;
}

export interface AwsBudgetMonitorOptions {
  readonly tables: BudgetTables;
  readonly agentsTable: string;
  /** Provider keys and alert webhook secrets open with the data key (KmsKeyCustody, or deferredKmsCustody). */
  readonly custody: KeyCustody;
  readonly dynamo: DynamoDBClient;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Where agents' alerts are published; absent for the management function (it sends none). */
  readonly iotEndpoint?: string;
  readonly alertsTopicArn?: string;
}

/**
 * The budget monitor on AWS adapters: DynamoDB tables, KMS custody, IoT Core for agents' alerts, SNS for
 * email and SMS, fetch for provider usage APIs and alert webhooks (never to private addresses).
 *
 * @example
 * const monitor = awsBudgetMonitor({ tables, agentsTable: env.AGENTS_TABLE, custody, dynamo, clock, logger });
 */
export function awsBudgetMonitor(options: AwsBudgetMonitorOptions): BudgetMonitorDeps {
  const { dynamo, tables, clock, iotEndpoint, alertsTopicArn } = options;
  return {
    keys: new DynamoProviderKeyRepository(dynamo, tables.PROVIDER_KEYS_TABLE),
    budgets: new DynamoBudgetRepository(dynamo, tables.BUDGETS_TABLE),
    history: new DynamoSpendHistory(dynamo, tables.SPEND_HISTORY_TABLE),
    alerts: new DynamoBudgetAlertStore(dynamo, tables.BUDGET_ALERTS_TABLE, clock),
    custody: options.custody,
    http: fetchHttpClient(),
    agents: new DynamoAgentRepository(dynamo, options.agentsTable),
    clock,
    logger: options.logger,
    ...(iotEndpoint
      ? {
          tunnel: publishedOnDemand(async () =>
            (await import('./alertChannels.ts')).alertTunnel(iotEndpoint),
          ),
        }
      : {}),
    webhooks: fetchAlertWebhookSender({ allowPrivateTargets: false }),
    ...(alertsTopicArn
      ? {
          topic: publishedOnDemand(async () =>
            (await import('./alertChannels.ts')).alertTopic(alertsTopicArn),
          ),
        }
      : {}),
    // Lambda bills by the second: a provider that hangs must not hold a worker for the whole timeout.
    requestOptions: { timeoutMs: 20_000, maxRetries: 2, maxRetryAfterMs: 10_000 },
    concurrency: 10,
  };
}

/**
 * A `publish` port whose adapter is created by its first publish. Alerts are the exception in a poll,
 * so the IoT data-plane and SNS clients (alertChannels.ts) stay out of the cold start.
 */
function publishedOnDemand<A extends unknown[]>(
  load: () => Promise<{ publish(...args: A): Promise<void> }>,
): { publish(...args: A): Promise<void> } {
  const adapter = once(load);
  return { publish: async (...args) => (await adapter()).publish(...args) };
}
