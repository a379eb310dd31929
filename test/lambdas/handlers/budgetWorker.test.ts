import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { DecryptCommandInput } from '@aws-sdk/client-kms';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageBatchCommand, type SendMessageBatchCommandInput } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { budgetAlertMessageSchema } from '../../../lambdas/core/delivery/messages.ts';
import { type SimulatedProvider, startSimulatedProvider } from '../../../lambdas/edge/simulatedProvider.ts';
import { type AwsHarness, startAwsHarness } from '../../support/awsHarness.ts';
import { awsScenario, type LambdaHandler } from '../../support/awsScenario.ts';
import { createBudgetTables } from '../../support/budgetTables.ts';
import { FakeSqs } from '../../support/FakeSqs.ts';
import { OpenSslWorkspace } from '../../support/openssl.ts';

/**
 * The AWS budget monitor through its real handlers: management adds a key and a budget, the scheduled
 * poller fans key ids out to the poll queue, the worker polls the simulated provider (the key's base
 * URL), evaluates the budget and alerts the agent over IoT Core and the SNS topic — once.
 */
const POLL_QUEUE = 'https://sqs.eu-west-1.amazonaws.com/111122223333/clawpulsar-budget-poll';
const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:clawpulsar-budget-alerts';
const SCHEDULE = 'arn:aws:scheduler:eu-west-1:111122223333:schedule/default/clawpulsar-budget-poll';
// A canary in no known key shape: it must never be stored, logged or published in plaintext.
const PROVIDER_KEY = 'CANARYKEY-aws-8e2f61c0d9b7a543';
const context = {} as never;

/** The input EventBridge Scheduler sends the poller, context attributes filled in as Scheduler does. */
function scheduleEvent(scheduledTime: string, attempt = 1) {
  return {
    source: 'clawpulsar.budget-poll',
    scheduledTime,
    executionId: 'd32c5kddcf5bb8c3',
    scheduleArn: SCHEDULE,
    attemptNumber: String(attempt),
  };
}

describe('budget poller and worker handlers', () => {
  let aws: AwsHarness;
  let provider: SimulatedProvider;
  let pollQueue: FakeSqs;
  let poller: LambdaHandler;
  let worker: LambdaHandler;
  let api: Awaited<ReturnType<typeof awsScenario>>['api'];
  let stdout = '';
  const sns = mockClient(SNSClient);
  const ssl = new OpenSslWorkspace();

  beforeAll(async () => {
    aws = await startAwsHarness();
    const tables = await createBudgetTables(aws.dynamo);
    Object.assign(process.env, {
      PROVIDER_KEYS_TABLE: tables.providerKeys,
      BUDGETS_TABLE: tables.budgets,
      SPEND_HISTORY_TABLE: tables.spendHistory,
      BUDGET_ALERTS_TABLE: tables.budgetAlerts,
      BUDGET_POLL_QUEUE_URL: POLL_QUEUE,
      BUDGET_ALERTS_TOPIC_ARN: TOPIC,
    });
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      stdout += String(chunk);
      return true;
    });
    pollQueue = new FakeSqs({ retentionSeconds: 3600, visibilitySeconds: 60 });
    aws.mocks.sqs.on(SendMessageBatchCommand).callsFake(async (input: SendMessageBatchCommandInput) => {
      expect(input.QueueUrl).toBe(POLL_QUEUE);
      for (const entry of input.Entries ?? [])
        pollQueue.sendMessage({ QueueUrl: POLL_QUEUE, MessageBody: entry.MessageBody });
      return {
        Successful: (input.Entries ?? []).map((e) => ({ Id: e.Id, MessageId: e.Id, MD5OfMessageBody: '' })),
        Failed: [],
      };
    });
    sns.on(PublishCommand).resolves({ MessageId: 'sns-1' });
    provider = await startSimulatedProvider({
      key: PROVIDER_KEY,
      logger: { info() {}, warn() {}, error() {} },
    });
    const now = new Date();
    for (let day = 1; day <= now.getUTCDate(); day++) {
      provider.setDailySpend(
        new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), day)).toISOString().slice(0, 10),
        0,
      );
    }

    const scenario = await awsScenario(aws, ssl);
    api = scenario.api;
    await scenario.registerAgent('laptop');
    poller = (await import('../../../lambdas/handlers/budgetPoller.ts')).handler as LambdaHandler;
    worker = (await import('../../../lambdas/handlers/budgetWorker.ts')).handler as LambdaHandler;
  });
  beforeEach(() => {
    sns.resetHistory();
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    sns.restore();
    ssl.remove();
    await provider.close();
    await aws.close();
  });

  /** One scheduled run: the poller's fan-out, then every poll message through the worker. */
  async function scheduledRun(): Promise<{ keys: number; messages: number }> {
    const fanned = await poller(scheduleEvent(new Date().toISOString().replace(/\.\d+Z$/, 'Z')), context);
    for (let records = pollQueue.receive(1); records.length > 0; records = pollQueue.receive(1)) {
      const result = await worker({ Records: records }, context);
      expect(result).toEqual({ batchItemFailures: [] });
      for (const record of records)
        pollQueue.deleteMessage({ QueueUrl: POLL_QUEUE, ReceiptHandle: record.receiptHandle });
    }
    return fanned;
  }

  const alertsTo = (agentId: string) =>
    aws.iotData.published.filter((m) => m.topic === `clawpulsar/${agentId}/alerts`);

  it('adds a key through management, validated with one usage call and stored as KMS ciphertext', async () => {
    const added = await api('POST', '/v1/keys', {
      provider: 'openai',
      label: 'aws org',
      key: PROVIDER_KEY,
      baseUrl: provider.url,
    });

    expect(added.statusCode).toBe(201);
    expect(added.body.permission).toMatch(/Admin key/);
    expect(JSON.stringify(added.body)).not.toContain(PROVIDER_KEY);
    const encrypt = aws.kms.requests.find(
      (r) =>
        (r as { EncryptionContext?: Record<string, string> }).EncryptionContext?.purpose === 'provider-key',
    ) as { EncryptionContext: Record<string, string> };
    expect(encrypt.EncryptionContext).toEqual({ purpose: 'provider-key', keyId: added.body.key.keyId });
  });

  it('polls on schedule and alerts the agent and SNS once when spend crosses 80 %, however often it runs', async () => {
    // Prepare
    const { body: list } = await api('GET', '/v1/keys');
    const keyId = list.keys[0].keyId as string;
    const created = await api('POST', '/v1/budgets', {
      id: 'aws-month',
      name: 'AWS OpenAI',
      scope: { provider: 'openai', keyIds: [keyId] },
      period: 'month',
      timeZone: 'UTC',
      limitMicros: 100_000_000,
      thresholds: [{ id: 'p80', basis: 'actual', percent: 80 }],
      notifyAgents: ['laptop'],
    });
    expect(created.statusCode).toBe(201);
    expect(await scheduledRun()).toEqual({ keys: 1, messages: 1 });
    expect(alertsTo('laptop')).toHaveLength(0);

    // Act: today's spend so far reaches about $85
    const elapsed = (Date.now() % 86_400_000) / 86_400_000;
    provider.setDailySpend(
      new Date().toISOString().slice(0, 10),
      Math.ceil(85_000_000 / Math.max(elapsed, 1e-6)),
    );
    await scheduledRun();
    await scheduledRun();
    await scheduledRun();

    // Assess
    const published = alertsTo('laptop');
    expect(published).toHaveLength(1);
    expect(published[0]!.qos).toBe(1);
    const message = budgetAlertMessageSchema.parse(JSON.parse(published[0]!.payload.toString('utf8')));
    expect(message).toMatchObject({ budgetId: 'aws-month', thresholdId: 'p80', limitMicros: 100_000_000 });
    expect(message.percent).toBeGreaterThanOrEqual(80);
    const publishes = sns.commandCalls(PublishCommand).map((call) => call.args[0].input);
    expect(publishes).toEqual([
      {
        TopicArn: TOPIC,
        Subject: message.subject,
        Message: message.text,
        MessageAttributes: {
          budgetId: { DataType: 'String', StringValue: 'aws-month' },
          provider: { DataType: 'String', StringValue: 'openai' },
          kind: { DataType: 'String', StringValue: 'threshold' },
          alertId: { DataType: 'String', StringValue: message.alertId },
        },
      },
    ]);
    const status = await api('GET', '/v1/budgets/aws-month/status');
    expect(status.body.alerts).toEqual([
      expect.objectContaining({
        thresholdId: 'p80',
        channels: [
          { channel: 'agent:laptop', ok: true },
          { channel: 'sns', ok: true },
        ],
      }),
    ]);
  });

  it('decrypts keys only under their provider-key context, and sends them only to the usage endpoint', () => {
    const decrypts = aws.kms.requests.filter(
      (r) => (r as DecryptCommandInput).CiphertextBlob !== undefined && !('Plaintext' in (r as object)),
    );
    const keyDecrypts = decrypts.filter(
      (r) => (r as DecryptCommandInput).EncryptionContext?.purpose === 'provider-key',
    );
    expect(keyDecrypts.length).toBeGreaterThanOrEqual(4);
    for (const request of provider.requests) {
      expect(request).toMatchObject({ method: 'GET', path: '/v1/organization/costs', authorized: true });
    }
  });

  it('never stores or logs the key in plaintext', async () => {
    for (const table of Object.values(await listTables())) {
      const { Items: items = [] } = await aws.dynamo.client.send(new ScanCommand({ TableName: table }));
      const text = JSON.stringify(items, (_k, v) =>
        v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v,
      );
      expect(text.includes(PROVIDER_KEY), table).toBe(false);
    }
    expect(stdout).toContain('budget_poll_batch_done');
    expect(stdout.includes(PROVIDER_KEY)).toBe(false);
    for (const message of aws.iotData.published) expect(message.payload.includes(PROVIDER_KEY)).toBe(false);
  });

  it('drops a poll message it never wrote, without retrying it', async () => {
    pollQueue.sendMessage({ QueueUrl: POLL_QUEUE, MessageBody: '{"keyIds":["../etc"],"scheduledAt":1}' });
    const result = await worker({ Records: pollQueue.receive(1) }, context);
    expect(result).toEqual({ batchItemFailures: [] });
    expect(stdout).toContain('invalid_poll_message');
  });

  async function listTables(): Promise<Record<string, string>> {
    const env = process.env;
    return {
      keys: env.PROVIDER_KEYS_TABLE as string,
      budgets: env.BUDGETS_TABLE as string,
      history: env.SPEND_HISTORY_TABLE as string,
      alerts: env.BUDGET_ALERTS_TABLE as string,
      ...Object.fromEntries(Object.entries(aws.dynamo.tables)),
    };
  }
});
