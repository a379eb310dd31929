import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { av, isConditionFailed, ttlSeconds } from './dynamoItem.ts';

/**
 * Claims `key` in a table with one conditional PutItem: succeeds when the key is new or its earlier
 * claim has expired. TTL deletion lags by up to days, so expiry is checked here, not left to TTL.
 * Used by the dedupe table (delivery ids, 72 h) and the alert ledger (once per threshold and period).
 *
 * @example
 * const claimed = await claimWithExpiry(dynamo, { table, keyAttribute: 'dedupeKey', key, expiresAtMs, nowMs });
 */
export async function claimWithExpiry(
  client: DynamoDBClient,
  claim: { table: string; keyAttribute: string; key: string; expiresAtMs: number; nowMs: number },
): Promise<boolean> {
  try {
    await client.send(
      new PutItemCommand({
        TableName: claim.table,
        Item: {
          [claim.keyAttribute]: av.s(claim.key),
          expiresAt: av.n(claim.expiresAtMs),
          ttl: av.n(ttlSeconds(claim.expiresAtMs)),
        },
        ConditionExpression: 'attribute_not_exists(#key) OR expiresAt <= :now',
        ExpressionAttributeNames: { '#key': claim.keyAttribute },
        ExpressionAttributeValues: { ':now': av.n(claim.nowMs) },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}
