import { randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { sign } from '@octokit/webhooks-methods';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EnvelopeReassembler } from '../../../lambdas/core/delivery/EnvelopeReassembler.ts';
import { topicsFor } from '../../../lambdas/core/delivery/topics.ts';
import {
  generateSealingKeyPair,
  openEnvelope,
  sealingKeyToBase64url,
} from '../../../lambdas/core/envelope/index.ts';
import type { SealedRequest } from '../../../lambdas/core/envelope/types.ts';
import {
  customResourceEvent,
  httpApiEvent,
  iotRuleEvent,
  lifecycleEvent,
  webhookEvent,
} from '../../support/awsEvents.ts';
import {
  type AwsHarness,
  BUCKET,
  IOT_ENDPOINT,
  POLICY_NAME,
  QUEUE_URL,
  startAwsHarness,
} from '../../support/awsHarness.ts';
import { certificateIdOf } from '../../support/FakeIotRegistry.ts';
import { CA_KEY_ARN } from '../../support/FakeKms.ts';
import { OpenSslWorkspace } from '../../support/openssl.ts';

const GITHUB_SECRET = 'gh-secret-CANARY-7c1f0e';
const BODY_CANARY = 'BODY-CANARY-3f9a2b';
const context = {} as never;

type Handlers = {
  caBootstrap: (
    event: unknown,
    context: never,
  ) => Promise<{ PhysicalResourceId: string; Data?: Record<string, string> }>;
  management: (event: unknown, context: never) => Promise<{ statusCode: number; body: string }>;
  register: (event: unknown, context: never) => Promise<{ statusCode: number; body: string }>;
  presence: (event: unknown, context: never) => Promise<string>;
  ingress: (event: unknown, context: never) => Promise<{ statusCode: number; body: string }>;
  dispatcher: (
    event: unknown,
    context: never,
  ) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;
  ack: (event: unknown, context: never) => Promise<string>;
};

describe('the AWS runtime end to end', () => {
  let aws: AwsHarness;
  let h: Handlers;
  const ssl = new OpenSslWorkspace();
  const logLines: string[] = [];

  beforeAll(async () => {
    aws = await startAwsHarness();
    vi.spyOn(process.stdout, 'write').mockImplementation((line) => {
      logLines.push(String(line));
      return true;
    });
    h = {
      caBootstrap: (await import('../../../lambdas/handlers/caBootstrap.ts')).handler,
      management: (await import('../../../lambdas/handlers/management.ts')).handler,
      register: (await import('../../../lambdas/handlers/register.ts')).handler,
      presence: (await import('../../../lambdas/handlers/presence.ts')).handler,
      ingress: (await import('../../../lambdas/handlers/ingress.ts')).handler,
      dispatcher: (await import('../../../lambdas/handlers/dispatcher.ts')).handler,
      ack: (await import('../../../lambdas/handlers/ack.ts')).handler,
    } as unknown as Handlers;
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    ssl.remove();
    await aws.close();
  });

  /** The Lambda SQS poller: receive a batch, invoke, delete what the function did not report as failed. */
  async function pollDispatcher(): Promise<{ received: number; kept: number }> {
    const records = aws.sqs.receive(10);
    if (records.length === 0) return { received: 0, kept: 0 };
    const { batchItemFailures } = await h.dispatcher({ Records: records }, context);
    const kept = new Set(batchItemFailures.map((f) => f.itemIdentifier));
    for (const record of records) {
      if (!kept.has(record.messageId))
        aws.sqs.deleteMessage({ QueueUrl: QUEUE_URL, ReceiptHandle: record.receiptHandle });
    }
    return { received: records.length, kept: kept.size };
  }

  it('takes a signed webhook to the agent as ciphertext only, and records the delivery once acked', async () => {
    // Prepare: the CA, an agent registered through the API, a GitHub source, the agent online.
    const ca = await h.caBootstrap(customResourceEvent('Create', { CaSigningKeyArn: CA_KEY_ARN }), context);
    expect([...aws.iot.cas.values()]).toEqual([
      expect.objectContaining({ mode: 'SNI_ONLY', status: 'ACTIVE' }),
    ]);

    const management = (method: string, rawPath: string, body?: unknown, rawQueryString = '') =>
      h.management(
        httpApiEvent({
          method,
          rawPath,
          rawQueryString,
          routeKey: 'ANY /v1/{proxy+}',
          iamUserArn: 'arn:aws:iam::111122223333:user/operator',
          ...(body === undefined
            ? {}
            : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
        }),
        context,
      );
    const token = JSON.parse((await management('POST', '/v1/tokens', { agentId: 'laptop' })).body)
      .token as string;

    const sealing = generateSealingKeyPair();
    const registered = await h.register(
      httpApiEvent({
        method: 'POST',
        rawPath: '/v1/register',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          token,
          csrPem: ssl.csr('agent'),
          sealingPublicKey: sealingKeyToBase64url(sealing.publicKey),
        }),
      }),
      context,
    );
    expect(registered.statusCode).toBe(201);
    const registration = JSON.parse(registered.body);
    expect(registration.tunnel).toMatchObject({ host: IOT_ENDPOINT, port: 8883, serverName: IOT_ENDPOINT });
    const certificateId = certificateIdOf(registration.certificatePem);
    expect(aws.iot.certificates.get(certificateId)).toMatchObject({
      status: 'ACTIVE',
      mode: 'SNI_ONLY',
      caId: ca.PhysicalResourceId,
    });
    expect(aws.iot.certificates.get(certificateId)?.policies).toEqual(new Set([POLICY_NAME]));
    expect(aws.iot.certificates.get(certificateId)?.things).toEqual(new Set(['laptop']));

    const source = await management('PUT', '/v1/agents/laptop/sources/github', {
      provider: 'github',
      secrets: [GITHUB_SECRET],
    });
    expect(source.statusCode).toBe(200);

    const reassembler = new EnvelopeReassembler();
    const opened: { envelopeId: string; request: SealedRequest }[] = [];
    const frames: number[] = [];
    aws.iotData.connect('laptop', topicsFor('laptop').deliveries, (frame) => {
      frames.push(frame.byteLength);
      const whole = reassembler.accept(frame, Date.now());
      if (!whole) return;
      const { request, binding } = openEnvelope({
        recipientPrivateKey: sealing.privateKey,
        envelope: whole.envelope,
        expectedAgentId: 'laptop',
      });
      opened.push({ envelopeId: binding.envelopeId, request });
    });
    const session = randomUUID().replaceAll('-', '');
    expect(
      await h.presence(
        lifecycleEvent({
          clientId: 'laptop',
          eventType: 'connected',
          timestamp: Date.now(),
          sessionIdentifier: session,
          principalIdentifier: certificateId,
        }),
        context,
      ),
    ).toBe('applied');

    // A small webhook, and one too large for an SQS message (S3 claim check, several MQTT chunks).
    const small = JSON.stringify({ action: 'opened', note: BODY_CANARY });
    const large = JSON.stringify({ action: 'synchronize', blob: `${BODY_CANARY}${'x'.repeat(300_000)}` });
    const webhook = async (body: string) =>
      h.ingress(
        webhookEvent('laptop', 'github', body, {
          'content-type': 'application/json',
          'x-github-delivery': randomUUID(),
          'x-github-event': 'pull_request',
          'x-hub-signature-256': await sign(GITHUB_SECRET, body),
        }),
        context,
      );

    // Act
    const accepted = [await webhook(small), await webhook(large)];
    const firstPoll = await pollDispatcher();
    const envelopeIds = accepted.map((r) => JSON.parse(r.body).envelopeId as string);
    const acks = await Promise.all(
      envelopeIds.map((envelopeId) =>
        h.ack(
          iotRuleEvent(
            'laptop',
            topicsFor('laptop').acks,
            JSON.stringify({ envelopeId, statusCode: 204, attempts: 1, latencyMs: 12 }),
          ),
          context,
        ),
      ),
    );
    const deliveries = JSON.parse(
      (await management('GET', '/v1/deliveries', undefined, 'agentId=laptop')).body,
    ).deliveries;

    // Assess
    expect(accepted.map((r) => r.statusCode)).toEqual([200, 200]);
    expect(firstPoll).toEqual({ received: 2, kept: 2 });
    expect(opened.map((o) => Buffer.from(o.request.body).toString('utf8')).sort()).toEqual(
      [small, large].sort(),
    );
    expect(opened.every((o) => o.request.headers['x-github-event'] === 'pull_request')).toBe(true);
    expect(frames.length).toBeGreaterThan(3);
    expect(Math.max(...frames)).toBeLessThanOrEqual(128 * 1024);
    expect(acks).toEqual(['delivered', 'delivered']);
    expect(aws.sqs.size()).toBe(0);
    expect([...aws.s3.objects.keys()].filter((key) => key.startsWith(`${BUCKET}/`))).toEqual([]);
    expect(aws.s3.puts).toHaveLength(1);
    expect(aws.s3.puts[0]).toMatchObject({
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: aws.env.DATA_KEY_ARN,
    });
    expect(deliveries.map((d: { status: string; statusCode: number }) => [d.status, d.statusCode])).toEqual([
      ['delivered', 204],
      ['delivered', 204],
    ]);

    // Nothing that left the functions — queue, objects, key service, tables, logs — holds a body or secret.
    const { Items } = await aws.dynamo.client.send(new ScanCommand({ TableName: aws.env.SOURCES_TABLE }));
    const written = [
      JSON.stringify(aws.sqs.sent),
      ...aws.sqs.sent.map((message) => Buffer.from(message.MessageBody ?? '', 'base64').toString('latin1')),
      ...aws.s3.puts.map((put) => Buffer.from(put.Body as Uint8Array).toString('latin1')),
      JSON.stringify(aws.kms.requests.map((r) => ({ ...(r as object), Plaintext: undefined }))),
      JSON.stringify(Items),
      ...logLines,
    ].join('\n');
    for (const canary of [
      BODY_CANARY,
      Buffer.from(BODY_CANARY).toString('base64').slice(0, 16),
      GITHUB_SECRET,
    ]) {
      expect(written).not.toContain(canary);
    }
  });

  it('sends waiting envelopes at once when the agent comes back online', async () => {
    // Prepare: the agent goes offline; a webhook arrives and is held.
    const certificateId = [...aws.iot.certificates.keys()][0] as string;
    const later = Date.now() + 1_000;
    await h.presence(
      lifecycleEvent({
        clientId: 'laptop',
        eventType: 'disconnected',
        timestamp: later,
        sessionIdentifier: 's-gone',
        principalIdentifier: certificateId,
      }),
      context,
    );
    const body = JSON.stringify({ action: 'closed' });
    const response = await h.ingress(
      webhookEvent('laptop', 'github', body, {
        'content-type': 'application/json',
        'x-github-delivery': randomUUID(),
        'x-hub-signature-256': await sign(GITHUB_SECRET, body),
      }),
      context,
    );
    const held = await pollDispatcher();
    const publishedBefore = aws.iotData.published.length;
    expect(aws.sqs.receive(10)).toEqual([]); // hidden until its next look

    // Act
    await h.presence(
      lifecycleEvent({
        clientId: 'laptop',
        eventType: 'connected',
        timestamp: later + 1_000,
        sessionIdentifier: 's-back',
        principalIdentifier: certificateId,
      }),
      context,
    );
    const released = await pollDispatcher();

    // Assess
    expect(response.statusCode).toBe(200);
    expect(held).toEqual({ received: 1, kept: 1 });
    expect(released).toEqual({ received: 1, kept: 1 });
    expect(aws.iotData.published.length).toBeGreaterThan(publishedBefore);
  });
});
