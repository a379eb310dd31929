import { DeleteItemCommand, type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type {
  RegistrationTokenRecord,
  RegistrationTokenStore,
} from '../../core/identity/RegistrationTokenStore.ts';
import { av, isConditionFailed, read, ttlSeconds } from './dynamoItem.ts';

/**
 * Registration tokens by SHA-256 (table `registrationTokens`). `consume` is one conditional DeleteItem
 * that returns the old item: DynamoDB serialises writes to an item, so of two concurrent consumers only
 * one gets the record, and an expired token is never handed out even before TTL removes it.
 *
 * @example
 * const tokens = new DynamoRegistrationTokenStore(dynamo, env.REGISTRATION_TOKENS_TABLE);
 */
export class DynamoRegistrationTokenStore implements RegistrationTokenStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;

  constructor(client: DynamoDBClient, tableName: string) {
    this.#client = client;
    this.#table = tableName;
  }

  async put(tokenHash: string, record: RegistrationTokenRecord): Promise<void> {
    await this.#client.send(
      new PutItemCommand({
        TableName: this.#table,
        Item: {
          tokenHash: av.s(tokenHash),
          agentId: av.s(record.agentId),
          createdAt: av.n(record.createdAt),
          expiresAt: av.n(record.expiresAt),
          ttl: av.n(ttlSeconds(record.expiresAt)),
        },
        ConditionExpression: 'attribute_not_exists(tokenHash)',
      }),
    );
  }

  async consume(tokenHash: string, now: number): Promise<RegistrationTokenRecord | undefined> {
    try {
      const { Attributes: old } = await this.#client.send(
        new DeleteItemCommand({
          TableName: this.#table,
          Key: { tokenHash: av.s(tokenHash) },
          // A missing item fails the condition too (no expiresAt to compare).
          ConditionExpression: 'expiresAt > :now',
          ExpressionAttributeValues: { ':now': av.n(now) },
          ReturnValues: 'ALL_OLD',
        }),
      );
      if (!old) return undefined;
      return {
        agentId: read.s(old, 'agentId'),
        createdAt: read.n(old, 'createdAt'),
        expiresAt: read.n(old, 'expiresAt'),
      };
    } catch (error) {
      if (isConditionFailed(error)) return undefined;
      throw error;
    }
  }
}
