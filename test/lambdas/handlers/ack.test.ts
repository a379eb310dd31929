import { randomUUID } from 'node:crypto';
import { sign } from '@octokit/webhooks-methods';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoDeliveryLog } from '../../../lambdas/adapters/aws/DynamoDeliveryLog.ts';
import { topicsFor } from '../../../lambdas/core/delivery/topics.ts';
import { iotRuleEvent, webhookEvent } from '../../support/awsEvents.ts';
import { type AwsHarness, startAwsHarness } from '../../support/awsHarness.ts';
import { awsScenario, type LambdaHandler } from '../../support/awsScenario.ts';
import { OpenSslWorkspace } from '../../support/openssl.ts';

const SECRET = 'ack-github-secret';
const context = {} as never;

describe('ack handler', () => {
  let aws: AwsHarness;
  let ack: LambdaHandler;
  let ingress: LambdaHandler;
  let dispatcher: LambdaHandler;
  let log: DynamoDeliveryLog;
  const ssl = new OpenSslWorkspace();

  beforeAll(async () => {
    aws = await startAwsHarness();
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const scenario = await awsScenario(aws, ssl);
    await scenario.registerAgent('laptop');
    await scenario.registerAgent('intruder');
    await scenario.addSource('laptop', 'github', { provider: 'github', secrets: [SECRET] });
    ack = (await import('../../../lambdas/handlers/ack.ts')).handler as LambdaHandler;
    ingress = (await import('../../../lambdas/handlers/ingress.ts')).handler as LambdaHandler;
    dispatcher = (await import('../../../lambdas/handlers/dispatcher.ts')).handler as LambdaHandler;
    log = new DynamoDeliveryLog(aws.dynamo.client, aws.env.DELIVERY_LOG_TABLE, { now: Date.now });
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    ssl.remove();
    await aws.close();
  });

  /** A webhook for laptop, received by the dispatcher once (so it is in flight). */
  async function inFlightEnvelope(): Promise<{ envelopeId: string; messageId: string }> {
    const body = JSON.stringify({ n: randomUUID() });
    const response = await ingress(
      webhookEvent('laptop', 'github', body, {
        'x-github-delivery': randomUUID(),
        'x-hub-signature-256': await sign(SECRET, body),
      }),
      context,
    );
    const { envelopeId } = JSON.parse(response.body);
    const records = aws.sqs.receive(10);
    await dispatcher({ Records: records }, context);
    const record = records.find((r) => r.messageAttributes.envelopeId?.stringValue === envelopeId);
    return { envelopeId, messageId: record?.messageId ?? '' };
  }

  const ackFrom = (clientId: string, topicAgent: string, payload: unknown) =>
    ack(iotRuleEvent(clientId, topicsFor(topicAgent).acks, JSON.stringify(payload)), context);

  it('completes a delivery on a 2xx ack: message deleted, log delivered with the status and attempts', async () => {
    // Prepare
    const { envelopeId, messageId } = await inFlightEnvelope();

    // Act
    const outcome = await ackFrom('laptop', 'laptop', {
      envelopeId,
      statusCode: 202,
      attempts: 2,
      latencyMs: 30,
    });

    // Assess
    expect(outcome).toBe('delivered');
    expect(aws.sqs.visibleAt(messageId)).toBeUndefined();
    const [entry] = (await log.list({ agentId: 'laptop', limit: 20 })).filter(
      (e) => e.envelopeId === envelopeId,
    );
    expect(entry).toMatchObject({ status: 'delivered', statusCode: 202, attempts: 2 });
  });

  it('records a final 4xx as failed and keeps a 5xx waiting for the next attempt', async () => {
    // Prepare
    const final = await inFlightEnvelope();
    const retry = await inFlightEnvelope();

    // Act
    const failed = await ackFrom('laptop', 'laptop', {
      envelopeId: final.envelopeId,
      statusCode: 404,
      attempts: 1,
      latencyMs: 3,
    });
    const ignored = await ackFrom('laptop', 'laptop', {
      envelopeId: retry.envelopeId,
      statusCode: 503,
      attempts: 1,
      latencyMs: 3,
    });

    // Assess
    expect([failed, ignored]).toEqual(['failed', 'ignored-retry']);
    expect(aws.sqs.visibleAt(final.messageId)).toBeUndefined();
    expect(aws.sqs.visibleAt(retry.messageId)).toBeGreaterThan(Date.now());
  });

  it("refuses an ack for another agent's envelope, and leaves it waiting", async () => {
    // Prepare
    const { envelopeId, messageId } = await inFlightEnvelope();

    // Act
    const outcome = await ackFrom('intruder', 'intruder', {
      envelopeId,
      statusCode: 200,
      attempts: 1,
      latencyMs: 1,
    });

    // Assess
    expect(outcome).toBe('forbidden');
    expect(aws.sqs.visibleAt(messageId)).toBeDefined();
  });

  it('drops a message whose client id and topic disagree, whatever its payload claims', async () => {
    // Prepare
    const { envelopeId, messageId } = await inFlightEnvelope();

    // Act
    const outcome = await ackFrom('intruder', 'laptop', {
      envelopeId,
      statusCode: 200,
      attempts: 1,
      latencyMs: 1,
    });

    // Assess
    expect(outcome).toBe('rejected');
    expect(aws.sqs.visibleAt(messageId)).toBeDefined();
  });

  it.each([
    ['invalid JSON', iotRuleEvent('laptop', 'clawpulsar/laptop/acks', '{not json')],
    [
      'an unknown field',
      iotRuleEvent(
        'laptop',
        'clawpulsar/laptop/acks',
        JSON.stringify({ envelopeId: 'e', statusCode: 200, attempts: 1, latencyMs: 1, agentId: 'x' }),
      ),
    ],
    [
      'a status out of range',
      iotRuleEvent(
        'laptop',
        'clawpulsar/laptop/acks',
        JSON.stringify({ envelopeId: 'e', statusCode: 999, attempts: 1, latencyMs: 1 }),
      ),
    ],
    ['a rule event without the payload', { clientId: 'laptop', topicAgentId: 'laptop' }],
    ['a client id that is not an agent id', iotRuleEvent('Not/An/Agent', 'clawpulsar/Not/acks', '{}')],
  ])('rejects %s without touching anything', async (_name, event) => {
    expect(await ack(event, context)).toBe('rejected');
  });

  it('answers unknown for an envelope it has no record of', async () => {
    expect(
      await ackFrom('laptop', 'laptop', {
        envelopeId: randomUUID(),
        statusCode: 200,
        attempts: 1,
        latencyMs: 1,
      }),
    ).toBe('unknown');
  });
});
