import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import middy from '@middy/core';
import { KmsKeyCustody } from '../adapters/aws/KmsKeyCustody.ts';
import { readBudgetPollMessage } from '../adapters/aws/SqsBudgetPollQueue.ts';
import { BadRequestError } from '../core/errors.ts';
import type { StoredProviderKey } from '../core/keys/ProviderKeyRepository.ts';
import { evaluateStoredBudgets } from '../core/monitor/evaluateStoredBudgets.ts';
import { budgetCovers, pollKeys } from '../core/monitor/pollBudgets.ts';
import { budgetWorkerEnv, loadEnv } from './env.ts';
import { awsBudgetMonitor } from './support/awsBudgetMonitor.ts';
import { errorName, lambdaLogger } from './support/lambdaLogger.ts';
import { type SqsBatchResponse, type SqsRecord, sqsEventSchema } from './support/sqsEvent.ts';

const env = loadEnv(budgetWorkerEnv);
const logger = lambdaLogger('budgetWorker');
const clock = { now: Date.now };
const monitor = awsBudgetMonitor({
  tables: env,
  agentsTable: env.AGENTS_TABLE,
  // Every poll opens provider keys: KMS is on the common path here.
  custody: new KmsKeyCustody(new KMSClient({}), env.DATA_KEY_ARN),
  dynamo: new DynamoDBClient({}),
  clock,
  logger,
  iotEndpoint: env.IOT_ENDPOINT,
  ...(env.BUDGET_ALERTS_TOPIC_ARN ? { alertsTopicArn: env.BUDGET_ALERTS_TOPIC_ARN } : {}),
});

async function pollRecord(record: SqsRecord): Promise<void> {
  const message = readBudgetPollMessage(record.body);
  const found = await Promise.all(message.keyIds.map((keyId) => monitor.keys.get(keyId)));
  // A key deleted since the fan-out is simply skipped.
  const keys = found.filter((key): key is StoredProviderKey => key !== undefined);
  const budgets = await monitor.budgets.list();
  const nowMs = clock.now();
  const polled = await pollKeys(
    monitor,
    keys,
    budgets.map((stored) => stored.budget),
    nowMs,
  );
  // Budgets fed by these keys; one spanning keys of other messages is evaluated by those workers too, and
  // the ledger's conditional claim sends each alert once whoever evaluates it first.
  const fed = budgets.filter((stored) => keys.some((key) => budgetCovers(stored.budget, key)));
  const evaluation = await evaluateStoredBudgets(monitor, fed, keys, nowMs);
  logger.info('budget_poll_batch_done', {
    messageId: record.messageId,
    keys: keys.length,
    keysFailed: polled.filter((result) => !result.ok).length,
    budgets: evaluation.budgets,
    alertsSent: evaluation.alertsSent,
    lagMs: nowMs - message.scheduledAt,
  });
}

/**
 * SQS event source on the budget poll queue (ReportBatchItemFailures): each message names up to ten
 * provider keys; they are polled a few at a time (each key's failure is recorded on the key, never
 * thrown), then the budgets they feed are evaluated and their due alerts sent. A message that failed as a
 * whole (a table unreachable) comes back after the visibility timeout; one that was never ours is dropped.
 *
 * @example
 * // Event source mapping: batchSize 1, maxConcurrency 50, reportBatchItemFailures true
 */
export const handler = middy<unknown, SqsBatchResponse>().handler(async (raw) => {
  const event = sqsEventSchema.parse(raw);
  const failed: string[] = [];
  for (const record of event.Records) {
    try {
      await pollRecord(record);
    } catch (error) {
      if (error instanceof BadRequestError) {
        logger.error('invalid_poll_message', { messageId: record.messageId });
        continue;
      }
      logger.error('budget_poll_batch_failed', { messageId: record.messageId, error: errorName(error) });
      failed.push(record.messageId);
    }
  }
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
});
