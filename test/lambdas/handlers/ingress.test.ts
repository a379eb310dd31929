import { randomUUID } from 'node:crypto';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { sign } from '@octokit/webhooks-methods';
import twilioSdk from 'twilio';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readEnvelopeMessage } from '../../../lambdas/adapters/aws/envelopeMessage.ts';
import { openEnvelope } from '../../../lambdas/core/envelope/index.ts';
import { httpApiEvent, webhookEvent } from '../../support/awsEvents.ts';
import {
  type AwsHarness,
  BUCKET,
  PUBLIC_BASE_URL,
  QUEUE_URL,
  startAwsHarness,
} from '../../support/awsHarness.ts';
import { awsScenario, type LambdaHandler, type RegisteredAgent } from '../../support/awsScenario.ts';
import { DATA_KEY_ARN } from '../../support/FakeKms.ts';
import { OpenSslWorkspace } from '../../support/openssl.ts';

const GITHUB_SECRET = 'gh-ingress-secret';
const TWILIO_TOKEN = 'twilio-auth-token-0123456789abcdef';
const context = {} as never;

describe('ingress handler', () => {
  let aws: AwsHarness;
  let ingress: LambdaHandler;
  let agent: RegisteredAgent;
  const ssl = new OpenSslWorkspace();

  beforeAll(async () => {
    aws = await startAwsHarness();
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const scenario = await awsScenario(aws, ssl);
    agent = await scenario.registerAgent('laptop');
    await scenario.addSource('laptop', 'github', { provider: 'github', secrets: [GITHUB_SECRET] });
    await scenario.addSource('laptop', 'sms', { provider: 'twilio', secrets: [TWILIO_TOKEN] });
    ingress = (await import('../../../lambdas/handlers/ingress.ts')).handler as LambdaHandler;
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    ssl.remove();
    await aws.close();
  });

  /** Opens what the ingress put on the queue, as the agent would. */
  function lastQueued() {
    const input = aws.sqs.sent.at(-1);
    const record = {
      body: input?.MessageBody ?? '',
      messageAttributes: Object.fromEntries(
        Object.entries(input?.MessageAttributes ?? {}).map(([name, v]) => [
          name,
          { stringValue: v.StringValue, dataType: v.DataType },
        ]),
      ),
    };
    const received = readEnvelopeMessage(record);
    if (!('inline' in received.sealed)) throw new Error('expected an inline envelope');
    return {
      input,
      ...openEnvelope({
        recipientPrivateKey: agent.sealing.privateKey,
        envelope: received.sealed.inline,
        expectedAgentId: 'laptop',
      }),
    };
  }

  async function github(body: string, extra: Record<string, string> = {}, deliveryId = randomUUID()) {
    return ingress(
      webhookEvent('laptop', 'github', body, {
        'content-type': 'application/json',
        'x-github-delivery': deliveryId,
        'x-hub-signature-256': await sign(GITHUB_SECRET, body),
        ...extra,
      }),
      context,
    );
  }

  it('queues a verified webhook with its routing metadata and only ciphertext in the body', async () => {
    // Prepare
    const body = JSON.stringify({ zen: 'CANARY-ingress-body' });
    const deliveryId = randomUUID();

    // Act
    const response = await github(body, {}, deliveryId);

    // Assess
    expect(response.statusCode).toBe(200);
    const { envelopeId } = JSON.parse(response.body);
    // A UUIDv7, as the local edge's: the same envelope id scheme on both runtimes.
    expect(envelopeId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const call = aws.mocks.sqs.commandCalls(SendMessageCommand).at(-1)?.args[0].input;
    expect(call?.QueueUrl).toBe(QUEUE_URL);
    expect(call?.MessageAttributes).toMatchObject({
      envelopeId: { DataType: 'String', StringValue: envelopeId },
      agentId: { DataType: 'String', StringValue: 'laptop' },
      sourceId: { DataType: 'String', StringValue: 'github' },
      deliveryId: { DataType: 'String', StringValue: deliveryId },
      provider: { DataType: 'String', StringValue: 'github' },
      storage: { DataType: 'String', StringValue: 'inline' },
    });
    expect(call?.MessageBody).not.toContain('CANARY');
    expect(Buffer.from(call?.MessageBody ?? '', 'base64').toString('latin1')).not.toContain('CANARY');
    expect(Buffer.from(lastQueued().request.body).toString()).toBe(body);
  });

  it('puts a webhook too large for an SQS message in S3 under the data key, then queues its claim check', async () => {
    // Prepare: a body past SQS's 256 KiB once sealed and base64-encoded.
    const body = JSON.stringify({ blob: 'CANARY-large-'.padEnd(300_000, 'x') });
    const puts = aws.s3.puts.length;

    // Act
    const response = await github(body);

    // Assess
    expect(response.statusCode).toBe(200);
    const { envelopeId } = JSON.parse(response.body);
    const key = `envelopes/laptop/${envelopeId}`;
    expect(aws.s3.puts.slice(puts)).toEqual([
      {
        Bucket: BUCKET,
        Key: key,
        Body: expect.any(Uint8Array),
        ContentType: 'application/octet-stream',
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: DATA_KEY_ARN,
        BucketKeyEnabled: true,
      },
    ]);
    const sent = aws.sqs.sent.at(-1);
    expect(sent?.MessageBody).toBe(key);
    expect(sent?.MessageAttributes?.storage?.StringValue).toBe('s3');
    const stored = aws.s3.objects.get(`${BUCKET}/${key}`)?.body ?? Buffer.alloc(0);
    expect(stored.toString('latin1')).not.toContain('CANARY');
    const opened = openEnvelope({
      recipientPrivateKey: agent.sealing.privateKey,
      envelope: new Uint8Array(stored),
      expectedAgentId: 'laptop',
    });
    expect(Buffer.from(opened.request.body).toString()).toBe(body);
  });

  it("verifies a base64-encoded form post against the custom domain's URL, query included", async () => {
    // Prepare: Twilio signs the public URL plus the sorted form parameters (its SDK is the oracle).
    const form = new URLSearchParams({ Body: 'Hello CANARY', From: '+15005550006', MessageSid: 'SM123' });
    const url = `${PUBLIC_BASE_URL}/v1/hooks/laptop/sms?tenant=7`;
    const signature = twilioSdk.getExpectedTwilioSignature(TWILIO_TOKEN, url, Object.fromEntries(form));
    const event = webhookEvent(
      'laptop',
      'sms',
      new Uint8Array(Buffer.from(form.toString())),
      {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signature,
        'i-twilio-idempotency-token': randomUUID(),
      },
      { rawQueryString: 'tenant=7' },
    );

    // Act
    const response = await ingress(event, context);

    // Assess
    expect(event.isBase64Encoded).toBe(true);
    expect(response.statusCode).toBe(200);
    const { request } = lastQueued();
    expect(Buffer.from(request.body).toString()).toBe(form.toString());
    expect(request.query).toBe('tenant=7');
  });

  it('passes comma-joined repeated headers and the cookies API Gateway split off through to the agent', async () => {
    // Act
    const response = await ingress(
      {
        ...webhookEvent('laptop', 'github', '{"a":1}', {
          'content-type': 'application/json',
          'x-github-delivery': randomUUID(),
          'x-hub-signature-256': await sign(GITHUB_SECRET, '{"a":1}'),
          'x-forwarded-for': '192.0.2.1,198.51.100.7',
        }),
        cookies: ['session=abc', 'theme=dark'],
      },
      context,
    );

    // Assess
    expect(response.statusCode).toBe(200);
    const { request } = lastQueued();
    expect(request.headers['x-forwarded-for']).toBe('192.0.2.1,198.51.100.7');
    expect(request.headers.cookie).toBe('session=abc; theme=dark');
  });

  it('answers a retried delivery 200 without queueing it twice', async () => {
    // Prepare
    const deliveryId = randomUUID();
    await github('{"retry":1}', {}, deliveryId);
    const sent = aws.sqs.sent.length;

    // Act
    const retry = await github('{"retry":1}', {}, deliveryId);

    // Assess
    expect(JSON.parse(retry.body)).toEqual({ status: 'duplicate', deliveryId });
    expect(aws.sqs.sent.length).toBe(sent);
  });

  it('answers 503 when SendMessage fails, and accepts the provider retry once SQS is back', async () => {
    // Prepare
    const deliveryId = randomUUID();
    aws.sqs.failNext('SendMessage', Object.assign(new Error('throttled'), { name: 'RequestThrottled' }));

    // Act
    const failed = await github('{"flaky":1}', {}, deliveryId);
    const { Item: claim } = await aws.dynamo.client.send(
      new GetItemCommand({
        TableName: aws.env.DEDUPE_TABLE,
        Key: { dedupeKey: { S: `laptop/github/${deliveryId}` } },
      }),
    );
    const retried = await github('{"flaky":1}', {}, deliveryId);

    // Assess
    expect(failed.body).toContain('unavailable');
    expect(failed.statusCode).toBe(503);
    expect(JSON.parse(failed.body).error.code).toBe('unavailable');
    expect(claim).toBeUndefined();
    expect(retried.statusCode).toBe(200);
    expect(JSON.parse(retried.body).status).toBe('accepted');
  });

  it('refuses a bad signature with 401 and stores nothing', async () => {
    // Prepare
    const sent = aws.sqs.sent.length;
    const deliveryId = randomUUID();

    // Act
    const response = await ingress(
      webhookEvent('laptop', 'github', '{"x":1}', {
        'x-github-delivery': deliveryId,
        'x-hub-signature-256': await sign('wrong-secret', '{"x":1}'),
      }),
      context,
    );

    // Assess
    expect(response.statusCode).toBe(401);
    expect(aws.sqs.sent.length).toBe(sent);
    const { Item } = await aws.dynamo.client.send(
      new GetItemCommand({
        TableName: aws.env.DEDUPE_TABLE,
        Key: { dedupeKey: { S: `laptop/github/${deliveryId}` } },
      }),
    );
    expect(Item).toBeUndefined();
  });

  it.each([
    ['an unknown agent', webhookEvent('nobody-here', 'github', '{}', {}), 404],
    ['an unknown source', webhookEvent('laptop', 'nothing', '{}', {}), 404],
    ['an id that is not one', webhookEvent('LAPTOP', 'github', '{}', {}), 404],
    [
      'a PUT',
      {
        ...webhookEvent('laptop', 'github', '{}', {}),
        requestContext: {
          ...webhookEvent('laptop', 'github', '{}', {}).requestContext,
          http: { method: 'PUT', path: '/v1/hooks/laptop/github', sourceIp: '192.0.2.1' },
        },
      },
      405,
    ],
    ['a body over 10 MB', webhookEvent('laptop', 'github', new Uint8Array(10 * 1024 * 1024 + 1), {}), 413],
    ['an event that is not API Gateway v2', { version: '1.0', path: '/v1/hooks/laptop/github' }, 400],
  ])('answers %s with a clear error and queues nothing', async (_name, event, status) => {
    // Prepare
    const sent = aws.sqs.sent.length;

    // Act
    const response = await ingress(event, context);

    // Assess
    expect(response.statusCode).toBe(status);
    expect(JSON.parse(response.body).error.code).toEqual(expect.any(String));
    expect(aws.sqs.sent.length).toBe(sent);
  });

  describe('GET /healthz', () => {
    /** Every AWS call the handler makes, DynamoDB included (it talks to dynalite over HTTP). */
    function awsCalls(): number {
      return Object.values(aws.mocks).reduce((sum, mock) => sum + mock.calls().length, 0);
    }

    it('answers the liveness probe with 200 {"status":"ok"}, uncached, touching no table, key, queue or bucket', async () => {
      // Prepare
      const dynamoSend = vi.spyOn(DynamoDBClient.prototype, 'send');
      const before = awsCalls();
      const event = httpApiEvent({ method: 'GET', rawPath: '/healthz', headers: { accept: '*/*' } });

      // Act
      const response = await ingress(event, context);

      // Assess
      expect(response).toEqual({
        statusCode: 200,
        headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
        body: '{"status":"ok"}',
        isBase64Encoded: false,
      });
      expect(awsCalls()).toBe(before);
      expect(dynamoSend).not.toHaveBeenCalled();
      dynamoSend.mockRestore();
    });

    it('reveals nothing of the deployment: no id, account, region, address or version in the answer', async () => {
      // Prepare
      const event = httpApiEvent({
        method: 'GET',
        rawPath: '/healthz',
        rawQueryString: 'verbose=1&debug=true',
        headers: { 'x-forwarded-for': '198.51.100.7' },
      });

      // Act
      const response = await ingress(event, context);

      // Assess
      expect(response.statusCode).toBe(200);
      expect(JSON.parse(response.body)).toEqual({ status: 'ok' });
      const answer = JSON.stringify(response);
      for (const detail of [
        event.requestContext.requestId,
        event.requestContext.accountId,
        String(event.requestContext.apiId),
        'eu-west-1',
        '198.51.100.7',
        process.version,
        aws.env.AGENTS_TABLE,
        DATA_KEY_ARN,
      ]) {
        expect(answer).not.toContain(detail);
      }
    });

    it('is still the webhook route for an agent or source that happens to be called healthz', async () => {
      // Prepare
      const dynamoSend = vi.spyOn(DynamoDBClient.prototype, 'send');

      // Act
      const response = await ingress(webhookEvent('healthz', 'healthz', '{}', {}), context);

      // Assess
      expect(response.statusCode).toBe(404);
      expect(JSON.parse(response.body).error.code).toEqual(expect.any(String));
      expect(dynamoSend).toHaveBeenCalled();
      dynamoSend.mockRestore();
    });
  });
});
