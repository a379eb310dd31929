import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoProviderKeyRepository } from '../../../lambdas/adapters/aws/DynamoProviderKeyRepository.ts';
import { readBudgetPollMessage } from '../../../lambdas/adapters/aws/SqsBudgetPollQueue.ts';
import type { LambdaHandler } from '../../support/awsScenario.ts';
import { createBudgetTables } from '../../support/budgetTables.ts';
import { LOCAL_AWS, type LocalDynamo, startLocalDynamo } from '../../support/localDynamo.ts';

const POLL_QUEUE = 'https://sqs.eu-west-1.amazonaws.com/111122223333/clawpulsar-budget-poll';
const SCHEDULE = 'arn:aws:scheduler:eu-west-1:111122223333:schedule/default/clawpulsar-budget-poll';
const context = {} as never;

describe('budgetPoller handler', () => {
  let dynamo: LocalDynamo;
  let poller: LambdaHandler;
  const sqs = mockClient(SQSClient);

  beforeAll(async () => {
    dynamo = await startLocalDynamo();
    const tables = await createBudgetTables(dynamo);
    Object.assign(process.env, {
      AWS_REGION: LOCAL_AWS.region,
      AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      PROVIDER_KEYS_TABLE: tables.providerKeys,
      BUDGET_POLL_QUEUE_URL: POLL_QUEUE,
    });
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const keys = new DynamoProviderKeyRepository(dynamo.client, tables.providerKeys);
    for (let i = 0; i < 25; i++) {
      await keys.put({
        keyId: `key-${String(i).padStart(16, '0')}`,
        provider: 'openai',
        label: `org ${i}`,
        ciphertext: new Uint8Array([i]),
        fingerprint: 'sha256:00000000',
        last4: 'abcd',
        createdAt: i,
        updatedAt: i,
      });
    }
    poller = (await import('../../../lambdas/handlers/budgetPoller.ts')).handler as LambdaHandler;
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    sqs.restore();
    await dynamo.close();
  });

  it('fans every key id out in messages of ten, stamped with the scheduled time', async () => {
    const result = await poller(
      {
        source: 'clawpulsar.budget-poll',
        scheduledTime: '2025-03-15T12:05:00Z',
        executionId: 'd32c5kddcf5bb8c3',
        scheduleArn: SCHEDULE,
        attemptNumber: '1',
      },
      context,
    );

    expect(result).toEqual({ keys: 25, messages: 3 });
    const entries = sqs
      .commandCalls(SendMessageBatchCommand)
      .flatMap((call) => call.args[0].input.Entries ?? []);
    const messages = entries.map((entry) => readBudgetPollMessage(entry.MessageBody ?? ''));
    expect(messages.map((m) => m.keyIds.length)).toEqual([10, 10, 5]);
    expect(new Set(messages.map((m) => m.scheduledAt))).toEqual(
      new Set([Date.parse('2025-03-15T12:05:00Z')]),
    );
    expect(messages.flatMap((m) => m.keyIds)).toHaveLength(25);
  });

  it.each([
    [
      'an EventBridge rule event',
      { version: '0', source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} },
    ],
    [
      'context attributes left unfilled',
      {
        source: 'clawpulsar.budget-poll',
        scheduledTime: '<aws.scheduler.scheduled-time>',
        executionId: 'x',
        scheduleArn: SCHEDULE,
        attemptNumber: '1',
      },
    ],
    [
      'another schedule ARN shape',
      {
        source: 'clawpulsar.budget-poll',
        scheduledTime: '2025-03-15T12:05:00Z',
        executionId: 'x',
        scheduleArn: 'arn:aws:events:eu-west-1:111122223333:rule/x',
        attemptNumber: '1',
      },
    ],
  ])('refuses %s', async (_case, event) => {
    await expect(poller(event, context)).rejects.toMatchObject({ code: 'invalid_event' });
  });
});
