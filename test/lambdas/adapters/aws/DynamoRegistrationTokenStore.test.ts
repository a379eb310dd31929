import { ConditionalCheckFailedException, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoRegistrationTokenStore } from '../../../../lambdas/adapters/aws/DynamoRegistrationTokenStore.ts';
import { type LocalDynamo, startLocalDynamo } from '../../../support/localDynamo.ts';

const record = (expiresAt: number) => ({ agentId: 'laptop-1', createdAt: 1_000, expiresAt });

describe('DynamoRegistrationTokenStore', () => {
  let dynamo: LocalDynamo;
  let tokens: DynamoRegistrationTokenStore;

  beforeAll(async () => {
    dynamo = await startLocalDynamo();
    tokens = new DynamoRegistrationTokenStore(dynamo.client, dynamo.tables.registrationTokens);
  });
  afterAll(() => dynamo.close());

  it('hands a token out once, then never again', async () => {
    // Prepare
    await tokens.put('a'.repeat(64), record(10_000));

    // Act
    const first = await tokens.consume('a'.repeat(64), 5_000);
    const second = await tokens.consume('a'.repeat(64), 5_000);

    // Assess
    expect(first).toEqual(record(10_000));
    expect(second).toBeUndefined();
  });

  it('gives a token to exactly one of many concurrent consumers', async () => {
    // Prepare
    await tokens.put('b'.repeat(64), record(10_000));

    // Act
    const results = await Promise.all(
      Array.from({ length: 12 }, () => tokens.consume('b'.repeat(64), 5_000)),
    );

    // Assess
    expect(results.filter((r) => r !== undefined)).toHaveLength(1);
  });

  it('refuses an expired token and leaves it for TTL to remove', async () => {
    // Prepare
    await tokens.put('c'.repeat(64), record(10_000));

    // Act
    const atExpiry = await tokens.consume('c'.repeat(64), 10_000);

    // Assess
    expect(atExpiry).toBeUndefined();
    const { Item } = await dynamo.client.send(
      new GetItemCommand({
        TableName: dynamo.tables.registrationTokens,
        Key: { tokenHash: { S: 'c'.repeat(64) } },
      }),
    );
    expect(Item?.ttl?.N).toBe('10');
  });

  it('answers undefined for an unknown token', async () => {
    expect(await tokens.consume('d'.repeat(64), 1)).toBeUndefined();
  });

  it('never overwrites a stored token', async () => {
    // Prepare
    await tokens.put('e'.repeat(64), record(10_000));

    // Act
    const again = tokens.put('e'.repeat(64), { ...record(99_000), agentId: 'intruder' });

    // Assess
    await expect(again).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    expect(await tokens.consume('e'.repeat(64), 1)).toEqual(record(10_000));
  });
});
