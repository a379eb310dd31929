import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoInFlightEnvelopes } from '../../../../lambdas/adapters/aws/DynamoInFlightEnvelopes.ts';
import { type LocalDynamo, startLocalDynamo } from '../../../support/localDynamo.ts';

const RECEIVED = Date.UTC(2026, 4, 1);
const pending = (envelopeId: string, agentId = 'laptop-1', receivedAt = RECEIVED) => ({
  envelopeId,
  agentId,
  sourceId: 'github',
  deliveryId: `d-${envelopeId}`,
  provider: 'github',
  receivedAt,
  sizeBytes: 512,
});

describe('DynamoInFlightEnvelopes', () => {
  let dynamo: LocalDynamo;
  let inFlight: DynamoInFlightEnvelopes;

  beforeAll(async () => {
    dynamo = await startLocalDynamo();
    inFlight = new DynamoInFlightEnvelopes(dynamo.client, dynamo.tables.inFlight);
  });
  afterAll(() => dynamo.close());

  it('tracks every receive with the latest receipt handle and keeps the attempt count', async () => {
    // Act
    const first = await inFlight.track(pending('e1'), 'handle-1');
    await inFlight.recordAttempts('e1', 1);
    const second = await inFlight.track(pending('e1'), 'handle-2');

    // Assess
    expect(first).toEqual({ state: 'waiting', attempts: 0 });
    expect(second).toEqual({ state: 'waiting', attempts: 1 });
    expect(await inFlight.find('e1')).toEqual({ ...pending('e1'), attempts: 1, receiptHandle: 'handle-2' });
  });

  it('remembers a claim-check object and expires the item a day after the 72 h window', async () => {
    // Act
    await inFlight.track(pending('big-1'), 'h', 'envelopes/laptop-1/big-1');

    // Assess
    expect((await inFlight.find('big-1'))?.objectKey).toBe('envelopes/laptop-1/big-1');
    const { Item } = await dynamo.client.send(
      new GetItemCommand({ TableName: dynamo.tables.inFlight, Key: { envelopeId: { S: 'big-1' } } }),
    );
    expect(Item?.ttl?.N).toBe(String(Math.ceil((RECEIVED + 96 * 3_600_000) / 1000)));
  });

  it('completes an envelope once, and a later receive sees the tombstone', async () => {
    // Prepare
    await inFlight.track(pending('e2'), 'handle-1');

    // Act
    const first = await inFlight.markCompleted('e2', RECEIVED + 10);
    const second = await inFlight.markCompleted('e2', RECEIVED + 20);
    const afterwards = await inFlight.track(pending('e2'), 'handle-3');
    const attempts = await inFlight.recordAttempts('e2', 5);

    // Assess
    expect([first, second]).toEqual([true, false]);
    expect(afterwards).toEqual({ state: 'completed' });
    expect(attempts).toBe(false);
    expect(await inFlight.find('e2')).toBeUndefined();
  });

  it('does not record attempts for an envelope it never saw', async () => {
    expect(await inFlight.recordAttempts('ghost', 1)).toBe(false);
    expect(await inFlight.markCompleted('ghost', 1)).toBe(false);
  });

  it("lists an agent's waiting envelopes by their latest receipt handles, not completed ones or others'", async () => {
    // Prepare
    await inFlight.track(pending('w1', 'flush-1', RECEIVED + 1), 'old-w1');
    await inFlight.track(pending('w1', 'flush-1', RECEIVED + 1), 'new-w1');
    await inFlight.track(pending('w2', 'flush-1', RECEIVED + 2), 'w2');
    await inFlight.track(pending('w3', 'flush-1', RECEIVED + 3), 'w3');
    await inFlight.track(pending('x1', 'other-1', RECEIVED + 1), 'x1');
    await inFlight.markCompleted('w3', RECEIVED + 10);

    // Act
    const handles = await inFlight.waitingReceiptHandles('flush-1');

    // Assess
    expect(handles).toEqual(['new-w1', 'w2']);
  });
});
