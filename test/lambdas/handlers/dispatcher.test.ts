import { randomBytes, randomUUID } from 'node:crypto';
import { ChangeMessageVisibilityCommand, DeleteMessageCommand } from '@aws-sdk/client-sqs';
import { sign } from '@octokit/webhooks-methods';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DynamoDeliveryLog } from '../../../lambdas/adapters/aws/DynamoDeliveryLog.ts';
import { claimCheckMessage, inlineMessage } from '../../../lambdas/adapters/aws/envelopeMessage.ts';
import { envelopeObjectKey } from '../../../lambdas/adapters/aws/queueSettings.ts';
import { topicsFor } from '../../../lambdas/core/delivery/topics.ts';
import { RETENTION_MS } from '../../../lambdas/core/ingress/limits.ts';
import type { QueuedEnvelope } from '../../../lambdas/core/ports.ts';
import { iotRuleEvent, lifecycleEvent, webhookEvent } from '../../support/awsEvents.ts';
import { type AwsHarness, QUEUE_URL, startAwsHarness } from '../../support/awsHarness.ts';
import { awsScenario, type LambdaHandler, type RegisteredAgent } from '../../support/awsScenario.ts';
import { OpenSslWorkspace } from '../../support/openssl.ts';

const SECRET = 'dispatcher-github-secret';
const context = {} as never;

describe('dispatcher handler', () => {
  let aws: AwsHarness;
  let dispatcher: LambdaHandler;
  let ingress: LambdaHandler;
  let ack: LambdaHandler;
  let laptop: RegisteredAgent;
  let log: DynamoDeliveryLog;
  const ssl = new OpenSslWorkspace();

  beforeAll(async () => {
    aws = await startAwsHarness();
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const scenario = await awsScenario(aws, ssl);
    laptop = await scenario.registerAgent('laptop');
    await scenario.registerAgent('desk-1');
    await scenario.addSource('laptop', 'github', { provider: 'github', secrets: [SECRET] });
    await scenario.addSource('desk-1', 'github', { provider: 'github', secrets: [SECRET] });
    const presence = (await import('../../../lambdas/handlers/presence.ts')).handler as LambdaHandler;
    await presence(
      lifecycleEvent({
        clientId: 'laptop',
        eventType: 'connected',
        timestamp: Date.now(),
        sessionIdentifier: 's1',
        principalIdentifier: laptop.certificateId,
      }),
      context,
    );
    dispatcher = (await import('../../../lambdas/handlers/dispatcher.ts')).handler as LambdaHandler;
    ingress = (await import('../../../lambdas/handlers/ingress.ts')).handler as LambdaHandler;
    ack = (await import('../../../lambdas/handlers/ack.ts')).handler as LambdaHandler;
    log = new DynamoDeliveryLog(aws.dynamo.client, aws.env.DELIVERY_LOG_TABLE, { now: Date.now });
  });
  beforeEach(() => {
    aws.mocks.sqs.resetHistory();
    // Drain anything earlier tests left visible.
    while (aws.sqs.receive(10).length) {}
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    ssl.remove();
    await aws.close();
  });

  async function webhook(agentId: string): Promise<string> {
    const body = JSON.stringify({ id: randomUUID() });
    const response = await ingress(
      webhookEvent(agentId, 'github', body, {
        'x-github-delivery': randomUUID(),
        'x-hub-signature-256': await sign(SECRET, body),
        'content-type': 'application/json',
      }),
      context,
    );
    return JSON.parse(response.body).envelopeId;
  }

  function envelope(agentId: string, receivedAt: number, size = 200): QueuedEnvelope {
    return {
      envelopeId: randomUUID(),
      agentId,
      sourceId: 'github',
      deliveryId: randomUUID(),
      provider: 'github',
      receivedAt,
      sealed: randomBytes(size),
    };
  }

  function send(message: { body: string; attributes: Record<string, unknown> }): void {
    aws.sqs.sendMessage({
      QueueUrl: QUEUE_URL,
      MessageBody: message.body,
      MessageAttributes: message.attributes as never,
    });
  }

  function visibilityOf(receiptHandle: string): number | undefined {
    return aws.mocks.sqs
      .commandCalls(ChangeMessageVisibilityCommand)
      .find((call) => call.args[0].input.ReceiptHandle === receiptHandle)?.args[0].input.VisibilityTimeout;
  }

  it('keeps published and held envelopes, drops a foreign message and reports only what stays', async () => {
    // Prepare
    const online = await webhook('laptop');
    const offline = await webhook('desk-1');
    send({ body: 'not an envelope', attributes: { agentId: { DataType: 'String', StringValue: 'laptop' } } });
    const lost = envelope('laptop', Date.now());
    send(claimCheckMessage(lost, envelopeObjectKey('laptop', lost.envelopeId)));
    const records = aws.sqs.receive(10);
    const byEnvelope = (id: string) =>
      records.find((r) => r.messageAttributes.envelopeId?.stringValue === id);

    // Act
    const { batchItemFailures } = await dispatcher({ Records: records }, context);

    // Assess
    const kept = batchItemFailures.map((f: { itemIdentifier: string }) => f.itemIdentifier).sort();
    expect(records).toHaveLength(4);
    expect(kept).toEqual(
      [
        byEnvelope(online)?.messageId,
        byEnvelope(offline)?.messageId,
        byEnvelope(lost.envelopeId)?.messageId,
      ].sort(),
    );
    expect(aws.iotData.on(topicsFor('laptop').deliveries).length).toBeGreaterThan(0);
    expect(aws.iotData.on(topicsFor('desk-1').deliveries)).toEqual([]);
    // First redelivery 30 s ± 20 % later, for the published one and the held one alike.
    for (const id of [online, offline]) {
      const timeout = visibilityOf(byEnvelope(id)?.receiptHandle ?? '');
      expect(timeout).toBeGreaterThanOrEqual(24);
      expect(timeout).toBeLessThanOrEqual(36);
    }
  });

  it('records an envelope past 72 h as expired and deletes it, whatever the agent does', async () => {
    // Prepare
    const old = envelope('laptop', Date.now() - RETENTION_MS - 1_000);
    send(inlineMessage(old) as never);
    const [record] = aws.sqs.receive(10);

    // Act
    const { batchItemFailures } = await dispatcher({ Records: [record] }, context);

    // Assess
    expect(batchItemFailures).toEqual([]);
    expect(aws.mocks.sqs.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input)).toEqual([
      { QueueUrl: QUEUE_URL, ReceiptHandle: record?.receiptHandle },
    ]);
    const [entry] = await log.list({ agentId: 'laptop', status: 'expired', limit: 5 });
    expect(entry).toMatchObject({ envelopeId: old.envelopeId, status: 'expired', attempts: 0 });
    expect(aws.iotData.published.some((m) => m.payload.includes(Buffer.from(old.envelopeId)))).toBe(false);
  });

  it('never hides an envelope past its 72 h: the next look is at the expiry instant', async () => {
    // Prepare
    const nearlyOld = envelope('laptop', Date.now() - RETENTION_MS + 10_000);
    send(inlineMessage(nearlyOld) as never);
    const [record] = aws.sqs.receive(10);

    // Act
    await dispatcher({ Records: [record] }, context);

    // Assess
    const timeout = visibilityOf(record?.receiptHandle ?? '') ?? -1;
    expect(timeout).toBeGreaterThan(0);
    expect(timeout).toBeLessThanOrEqual(10);
  });

  it('deletes a message that comes back after its ack instead of publishing it again', async () => {
    // Prepare
    const envelopeId = await webhook('laptop');
    const [first] = aws.sqs.receive(10);
    await dispatcher({ Records: [first] }, context);
    aws.sqs.failNext(
      'DeleteMessage',
      Object.assign(new Error('unavailable'), { name: 'ServiceUnavailable' }),
    );
    await ack(
      iotRuleEvent(
        'laptop',
        topicsFor('laptop').acks,
        JSON.stringify({ envelopeId, statusCode: 200, attempts: 1, latencyMs: 5 }),
      ),
      context,
    );
    aws.sqs.changeMessageVisibility({
      QueueUrl: QUEUE_URL,
      ReceiptHandle: first?.receiptHandle,
      VisibilityTimeout: 0,
    });
    const published = aws.iotData.published.length;
    const [again] = aws.sqs.receive(10);

    // Act
    const { batchItemFailures } = await dispatcher({ Records: [again] }, context);

    // Assess
    expect(again?.messageAttributes.envelopeId?.stringValue).toBe(envelopeId);
    expect(batchItemFailures).toEqual([]);
    expect(aws.iotData.published.length).toBe(published);
    expect(aws.sqs.visibleAt(again?.messageId ?? '')).toBeUndefined();
  });

  it('reads a claim-check envelope from S3 and removes the object once it expires', async () => {
    // Prepare
    const big = envelope('laptop', Date.now() - RETENTION_MS - 1);
    const key = envelopeObjectKey('laptop', big.envelopeId);
    aws.s3.putObject({ Bucket: aws.env.ENVELOPE_BUCKET, Key: key, Body: big.sealed });
    send(claimCheckMessage(big, key));
    const [record] = aws.sqs.receive(10);

    // Act
    await dispatcher({ Records: [record] }, context);

    // Assess
    expect(aws.s3.objects.has(`${aws.env.ENVELOPE_BUCKET}/${key}`)).toBe(false);
    expect(aws.sqs.visibleAt(record?.messageId ?? '')).toBeUndefined();
  });

  it('refuses a claim check that points at another envelope', async () => {
    // Prepare
    const victim = envelope('desk-1', Date.now());
    const forged = envelope('laptop', Date.now());
    send(claimCheckMessage(forged, envelopeObjectKey('desk-1', victim.envelopeId)));
    const [record] = aws.sqs.receive(10);

    // Act
    const { batchItemFailures } = await dispatcher({ Records: [record] }, context);

    // Assess
    expect(batchItemFailures).toEqual([]);
    expect(aws.mocks.sqs.commandCalls(ChangeMessageVisibilityCommand)).toEqual([]);
  });
});
