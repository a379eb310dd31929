import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDedupeStore } from '../../../../lambdas/adapters/aws/DynamoDedupeStore.ts';
import { type LocalDynamo, startLocalDynamo } from '../../../support/localDynamo.ts';

describe('DynamoDedupeStore', () => {
  let dynamo: LocalDynamo;
  let now = 1_000_000;
  let dedupe: DynamoDedupeStore;

  beforeAll(async () => {
    dynamo = await startLocalDynamo();
    dedupe = new DynamoDedupeStore(dynamo.client, dynamo.tables.dedupe, { now: () => now });
  });
  afterAll(() => dynamo.close());

  it('claims a delivery id once within its window', async () => {
    // Act
    const first = await dedupe.claim('laptop-1/github/d1', now + 1_000);
    const retry = await dedupe.claim('laptop-1/github/d1', now + 2_000);

    // Assess
    expect([first, retry]).toEqual([true, false]);
  });

  it('lets exactly one of many concurrent claims win', async () => {
    // Act
    const results = await Promise.all(
      Array.from({ length: 12 }, () => dedupe.claim('race/key/1', now + 1_000)),
    );

    // Assess
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('accepts the id again once its claim has expired, before TTL removed it', async () => {
    // Prepare
    await dedupe.claim('expiring/key/1', now + 1_000);
    now += 1_000;

    // Act
    const reclaimed = await dedupe.claim('expiring/key/1', now + 5_000);

    // Assess
    expect(reclaimed).toBe(true);
    const { Item } = await dynamo.client.send(
      new GetItemCommand({ TableName: dynamo.tables.dedupe, Key: { dedupeKey: { S: 'expiring/key/1' } } }),
    );
    expect(Item).toMatchObject({
      expiresAt: { N: String(now + 5_000) },
      ttl: { N: String(Math.ceil((now + 5_000) / 1000)) },
    });
  });

  it('frees a released claim for the provider retry', async () => {
    // Prepare
    await dedupe.claim('released/key/1', now + 1_000);

    // Act
    await dedupe.release('released/key/1');

    // Assess
    expect(await dedupe.claim('released/key/1', now + 1_000)).toBe(true);
  });
});
