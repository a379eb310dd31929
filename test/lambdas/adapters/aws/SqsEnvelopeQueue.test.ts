import { randomBytes } from 'node:crypto';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { inlineMessage, readEnvelopeMessage } from '../../../../lambdas/adapters/aws/envelopeMessage.ts';
import { MAX_SQS_MESSAGE_BYTES } from '../../../../lambdas/adapters/aws/queueSettings.ts';
import { S3EnvelopeStore } from '../../../../lambdas/adapters/aws/S3EnvelopeStore.ts';
import { clampVisibility, SqsEnvelopeQueue } from '../../../../lambdas/adapters/aws/SqsEnvelopeQueue.ts';
import type { QueuedEnvelope } from '../../../../lambdas/core/ports.ts';
import { DATA_KEY_ARN } from '../../../support/FakeKms.ts';
import { FakeS3 } from '../../../support/FakeS3.ts';
import { FakeSqs } from '../../../support/FakeSqs.ts';

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/111122223333/envelopes';
const BUCKET = 'envelopes-bucket';

function envelope(size: number, overrides: Partial<QueuedEnvelope> = {}): QueuedEnvelope {
  return {
    envelopeId: '0d9d4b1e-8f0f-4a57-9a43-9b8f6c1f2e3d',
    agentId: 'laptop',
    sourceId: 'github',
    deliveryId: '72d3162e-cc78-11e3-81ab-4c9367dc0958',
    provider: 'github',
    receivedAt: 1_760_000_000_000,
    sealed: randomBytes(size),
    ...overrides,
  };
}

/** What SQS would deliver to Lambda for a SendMessage input (attribute names kept, Lambda's field names). */
function asRecord(input: {
  MessageBody?: string;
  MessageAttributes?: Record<string, { StringValue?: string; DataType?: string }>;
}) {
  return {
    body: input.MessageBody ?? '',
    messageAttributes: Object.fromEntries(
      Object.entries(input.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        { stringValue: value.StringValue, dataType: value.DataType },
      ]),
    ),
  };
}

describe('SqsEnvelopeQueue', () => {
  const sqsMock = mockClient(SQSClient);
  const s3Mock = mockClient(S3Client);
  let sqs: FakeSqs;
  let s3: FakeS3;
  const queue = new SqsEnvelopeQueue(
    new SQSClient({ region: 'eu-west-1' }),
    QUEUE_URL,
    new S3EnvelopeStore(BUCKET, DATA_KEY_ARN, { region: 'eu-west-1' }),
  );

  beforeEach(() => {
    sqsMock.reset();
    s3Mock.reset();
    // The queue at SQS's classic 256 KiB MaximumMessageSize: the adapter must fit it.
    sqs = new FakeSqs({ retentionSeconds: 262_800, visibilitySeconds: 360, maxMessageBytes: 256 * 1024 });
    s3 = new FakeS3();
    sqsMock.on(SendMessageCommand).callsFake(async (input) => sqs.sendMessage(input));
    s3Mock.on(PutObjectCommand).callsFake(async (input) => s3.putObject(input));
  });
  afterAll(() => {
    sqsMock.restore();
    s3Mock.restore();
  });

  it('sends a small envelope inline: base64 body, routing attributes, nothing else', async () => {
    // Prepare
    const queued = envelope(1000);

    // Act
    await queue.enqueue(queued);

    // Assess
    expect(sqsMock.commandCalls(SendMessageCommand)[0]?.args[0].input).toEqual({
      QueueUrl: QUEUE_URL,
      MessageBody: Buffer.from(queued.sealed).toString('base64'),
      MessageAttributes: {
        envelopeId: { DataType: 'String', StringValue: queued.envelopeId },
        agentId: { DataType: 'String', StringValue: 'laptop' },
        sourceId: { DataType: 'String', StringValue: 'github' },
        deliveryId: { DataType: 'String', StringValue: queued.deliveryId },
        provider: { DataType: 'String', StringValue: 'github' },
        receivedAt: { DataType: 'Number', StringValue: '1760000000000' },
        sizeBytes: { DataType: 'Number', StringValue: '1000' },
        storage: { DataType: 'String', StringValue: 'inline' },
      },
    });
    expect(s3Mock.commandCalls(PutObjectCommand)).toEqual([]);
  });

  it('puts a large envelope in S3 (SSE-KMS) before sending a claim check', async () => {
    // Prepare
    const queued = envelope(300_000);

    // Act
    await queue.enqueue(queued);

    // Assess
    const key = `envelopes/laptop/${queued.envelopeId}`;
    expect(s3Mock.commandCalls(PutObjectCommand)[0]?.args[0].input).toMatchObject({
      Bucket: BUCKET,
      Key: key,
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: DATA_KEY_ARN,
      BucketKeyEnabled: true,
    });
    expect(Buffer.from(s3.objects.get(`${BUCKET}/${key}`)?.body ?? [])).toEqual(Buffer.from(queued.sealed));
    const sent = sqsMock.commandCalls(SendMessageCommand)[0]?.args[0].input;
    expect(sent?.MessageBody).toBe(key);
    expect(sent?.MessageAttributes?.storage?.StringValue).toBe('s3');
    expect(readEnvelopeMessage(asRecord(sent ?? {}))).toEqual({
      pending: expect.objectContaining({ envelopeId: queued.envelopeId, sizeBytes: 300_000 }),
      sealed: { objectKey: key },
    });
  });

  it('sends nothing when the S3 write fails', async () => {
    // Prepare
    s3Mock.on(PutObjectCommand).rejects(Object.assign(new Error('no'), { name: 'ServiceUnavailable' }));

    // Act
    const attempt = queue.enqueue(envelope(300_000));

    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'ServiceUnavailable' });
    expect(sqsMock.commandCalls(SendMessageCommand)).toEqual([]);
  });

  it('inlines exactly the envelopes whose message fits 256 KiB, and every message it sends is accepted', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 190_000, max: 200_000 }),
        fc.string({ minLength: 1, maxLength: 200 }),
        async (size, deliveryId) => {
          const queued = envelope(size, { deliveryId });
          const inline = inlineMessage(queued);
          // SQS counts each attribute's name, data type and value (independent of the adapter's sum).
          const pairs: [string, string, string][] = [
            ['envelopeId', 'String', queued.envelopeId],
            ['agentId', 'String', 'laptop'],
            ['sourceId', 'String', 'github'],
            ['deliveryId', 'String', deliveryId],
            ['provider', 'String', 'github'],
            ['receivedAt', 'Number', String(queued.receivedAt)],
            ['sizeBytes', 'Number', String(size)],
            ['storage', 'String', 'inline'],
          ];
          const attributeBytes = pairs.reduce((sum, parts) => sum + Buffer.byteLength(parts.join('')), 0);
          const fits = Math.ceil(size / 3) * 4 + attributeBytes <= MAX_SQS_MESSAGE_BYTES;
          expect(inline !== undefined).toBe(fits);
          await queue.enqueue(queued); // FakeSqs refuses anything over 256 KiB
        },
      ),
      { numRuns: 80 },
    );
  });

  it('round-trips the message format and rejects tampered messages', async () => {
    // Prepare
    const queued = envelope(64);
    await queue.enqueue(queued);
    const record = asRecord(sqsMock.commandCalls(SendMessageCommand)[0]?.args[0].input ?? {});

    // Act
    const read = readEnvelopeMessage(record);

    // Assess
    expect(read).toEqual({
      pending: {
        envelopeId: queued.envelopeId,
        agentId: 'laptop',
        sourceId: 'github',
        deliveryId: queued.deliveryId,
        provider: 'github',
        receivedAt: queued.receivedAt,
        sizeBytes: 64,
      },
      sealed: { inline: Buffer.from(queued.sealed) },
    });
    const tampered = [
      { ...record, body: Buffer.from(randomBytes(65)).toString('base64') },
      {
        ...record,
        messageAttributes: {
          ...record.messageAttributes,
          agentId: { stringValue: 'Bad/Agent', dataType: 'String' },
        },
      },
      {
        ...record,
        messageAttributes: {
          ...record.messageAttributes,
          receivedAt: { stringValue: 'soon', dataType: 'Number' },
        },
      },
      {
        ...record,
        messageAttributes: {
          ...record.messageAttributes,
          storage: { stringValue: 'somewhere', dataType: 'String' },
        },
      },
      {
        ...record,
        messageAttributes: {
          ...record.messageAttributes,
          storage: { stringValue: 's3', dataType: 'String' },
        },
        body: 'envelopes/other/x',
      },
      { ...record, messageAttributes: {} },
    ];
    for (const message of tampered) {
      expect(() => readEnvelopeMessage(message)).toThrow(
        expect.objectContaining({ code: 'invalid_envelope_message' }),
      );
    }
  });

  it('sets, clamps and batches visibility changes, and deletes by receipt handle', async () => {
    // Prepare
    sqsMock.on(ChangeMessageVisibilityBatchCommand).callsFake(async (input) => ({
      Successful: input.Entries.map((e: { Id: string }) => ({ Id: e.Id })),
      Failed: [],
    }));
    const handles = Array.from({ length: 23 }, (_, i) => `rh-${i}`);

    // Act
    await queue.hideFor('rh-a', 29.2);
    await queue.hideFor('rh-b', 99_999);
    await queue.delete('rh-c');
    const released = await queue.showNow(handles);

    // Assess
    expect(sqsMock.commandCalls(ChangeMessageVisibilityCommand).map((c) => c.args[0].input)).toEqual([
      { QueueUrl: QUEUE_URL, ReceiptHandle: 'rh-a', VisibilityTimeout: 30 },
      { QueueUrl: QUEUE_URL, ReceiptHandle: 'rh-b', VisibilityTimeout: 43_200 },
    ]);
    expect(sqsMock.commandCalls(DeleteMessageCommand)[0]?.args[0].input).toEqual({
      QueueUrl: QUEUE_URL,
      ReceiptHandle: 'rh-c',
    });
    const batches = sqsMock
      .commandCalls(ChangeMessageVisibilityBatchCommand)
      .map((c) => c.args[0].input.Entries ?? []);
    expect(batches.map((b) => b.length)).toEqual([10, 10, 3]);
    expect(batches.flat().every((entry) => entry.VisibilityTimeout === 0)).toBe(true);
    expect(batches.flat().map((entry) => entry.ReceiptHandle)).toEqual(handles);
    expect(released).toBe(23);
    expect([clampVisibility(-5), clampVisibility(0.1), clampVisibility(43_201)]).toEqual([0, 1, 43_200]);
  });
});
