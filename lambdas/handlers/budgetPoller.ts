import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import * as z from 'zod';
import { DynamoProviderKeyRepository } from '../adapters/aws/DynamoProviderKeyRepository.ts';
import { SqsBudgetPollQueue } from '../adapters/aws/SqsBudgetPollQueue.ts';
import { BadRequestError } from '../core/errors.ts';
import { budgetPollerEnv, loadEnv } from './env.ts';
import { lambdaLogger } from './support/lambdaLogger.ts';

const env = loadEnv(budgetPollerEnv);
const logger = lambdaLogger('budgetPoller');
const keys = new DynamoProviderKeyRepository(new DynamoDBClient({}), env.PROVIDER_KEYS_TABLE);
const queue = new SqsBudgetPollQueue(new SQSClient({}), env.BUDGET_POLL_QUEUE_URL);

/** The input the schedule's Lambda target sends, with Scheduler's context attributes filled in. */
export const budgetPollEventSchema = z
  .object({
    source: z.literal('clawpulsar.budget-poll'),
    scheduledTime: z.iso.datetime(),
    executionId: z.string().min(1).max(128),
    scheduleArn: z.string().regex(/^arn:aws[a-z-]*:scheduler:[a-z0-9-]+:\d{12}:schedule\/[\w.-]+\/[\w.-]+$/),
    attemptNumber: z.string().regex(/^\d{1,3}$/),
  })
  .strict();

/**
 * EventBridge Scheduler, every five minutes by default: reads every provider key id (not the keys) and
 * fans them out to the poll queue in messages of ten, where workers poll them in parallel — a thousand
 * keys become a hundred messages, polled within a minute. A retried invocation of the same schedule
 * time fans out again; polling is idempotent per key and window, and alerts are claimed once.
 *
 * @example
 * // Scheduler target input: {"source":"clawpulsar.budget-poll","scheduledTime":"<aws.scheduler.scheduled-time>", …}
 */
export const handler = middy<unknown, { keys: number; messages: number }>().handler(async (raw) => {
  const parsed = budgetPollEventSchema.safeParse(raw);
  if (!parsed.success) {
    throw new BadRequestError('invalid_event', 'Not the budget poll schedule input', {
      fields: parsed.error.issues.map((issue) => issue.path.join('.')),
    });
  }
  const event = parsed.data;
  const keyIds = await keys.listIds();
  const messages = await queue.fanOut(keyIds, Date.parse(event.scheduledTime));
  logger.info('budget_poll_fanned_out', {
    keys: keyIds.length,
    messages,
    executionId: event.executionId,
    attempt: Number(event.attemptNumber),
  });
  return { keys: keyIds.length, messages };
});
