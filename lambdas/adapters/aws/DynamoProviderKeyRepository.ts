import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import type {
  KeyPollState,
  ProviderKeyRepository,
  StoredProviderKey,
} from '../../core/keys/ProviderKeyRepository.ts';
import type { UsageProviderId } from '../../core/usage/SpendReport.ts';
import { av, type Item, isConditionFailed, read } from './dynamoItem.ts';
import { pagedItems } from './pagedItems.ts';

const pollSchema = z.object({
  lastPolledAt: z.number(),
  ok: z.boolean(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  coveredFrom: z.string().optional(),
});

/**
 * The key vault in DynamoDB (table `providerKeys`, key `keyId`): the key only as KMS ciphertext. The table
 * has no point-in-time recovery, so a deleted key is gone for good.
 *
 * @example
 * const keys = new DynamoProviderKeyRepository(dynamo, env.PROVIDER_KEYS_TABLE);
 */
export class DynamoProviderKeyRepository implements ProviderKeyRepository {
  readonly #client: DynamoDBClient;
  readonly #table: string;

  constructor(client: DynamoDBClient, tableName: string) {
    this.#client = client;
    this.#table = tableName;
  }

  async get(keyId: string): Promise<StoredProviderKey | undefined> {
    const { Item: item } = await this.#client.send(
      new GetItemCommand({ TableName: this.#table, Key: { keyId: av.s(keyId) }, ConsistentRead: true }),
    );
    return item ? toKey(item) : undefined;
  }

  async put(key: StoredProviderKey): Promise<void> {
    // Poll state is the poller's: an update of the key material leaves it as it is.
    await this.#client.send(
      new UpdateItemCommand({
        TableName: this.#table,
        Key: { keyId: av.s(key.keyId) },
        UpdateExpression: `SET provider = :provider, label = :label, ciphertext = :ciphertext, fingerprint = :fingerprint, last4 = :last4, simulated = :simulated, createdAt = if_not_exists(createdAt, :createdAt), updatedAt = :updatedAt${key.baseUrl !== undefined ? ', baseUrl = :baseUrl' : ''}${key.baseUrl === undefined ? ' REMOVE baseUrl' : ''}`,
        ExpressionAttributeValues: {
          ':provider': av.s(key.provider),
          ':label': av.s(key.label),
          ':ciphertext': av.b(key.ciphertext),
          ':fingerprint': av.s(key.fingerprint),
          ':last4': av.s(key.last4),
          ':simulated': av.bool(key.simulated === true),
          ':createdAt': av.n(key.createdAt),
          ':updatedAt': av.n(key.updatedAt),
          ...(key.baseUrl !== undefined ? { ':baseUrl': av.s(key.baseUrl) } : {}),
        },
      }),
    );
  }

  async recordPoll(keyId: string, state: KeyPollState): Promise<boolean> {
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: { keyId: av.s(keyId) },
          UpdateExpression: 'SET poll = :poll',
          // A key deleted while it was being polled stays deleted.
          ConditionExpression: 'attribute_exists(keyId)',
          ExpressionAttributeValues: { ':poll': av.s(JSON.stringify(state)) },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  async delete(keyId: string): Promise<boolean> {
    const { Attributes: old } = await this.#client.send(
      new DeleteItemCommand({ TableName: this.#table, Key: { keyId: av.s(keyId) }, ReturnValues: 'ALL_OLD' }),
    );
    return old !== undefined;
  }

  async list(): Promise<StoredProviderKey[]> {
    const keys: StoredProviderKey[] = [];
    for await (const item of pagedItems(
      this.#client,
      (start) => new ScanCommand({ TableName: this.#table, ExclusiveStartKey: start, ConsistentRead: true }),
    )) {
      keys.push(toKey(item));
    }
    return keys.sort((a, b) => a.createdAt - b.createdAt || (a.keyId < b.keyId ? -1 : 1));
  }

  /** Every key id, for the poller's fan-out (the ciphertext is not read). */
  async listIds(): Promise<string[]> {
    const ids: string[] = [];
    for await (const item of pagedItems(
      this.#client,
      (
        start, // Only the id: the poller's IAM policy allows reading no other attribute (dynamodb:Attributes).
      ) =>
        new ScanCommand({
          TableName: this.#table,
          Select: 'SPECIFIC_ATTRIBUTES',
          ProjectionExpression: 'keyId',
          ExclusiveStartKey: start,
        }),
    )) {
      ids.push(read.s(item, 'keyId'));
    }
    return ids.sort();
  }
}

function toKey(item: Item): StoredProviderKey {
  const baseUrl = read.optionalS(item, 'baseUrl');
  const poll = read.optionalS(item, 'poll');
  return {
    keyId: read.s(item, 'keyId'),
    provider: read.s(item, 'provider') as UsageProviderId,
    label: read.s(item, 'label'),
    ...(baseUrl !== undefined ? { baseUrl } : {}),
    ciphertext: new Uint8Array(read.b(item, 'ciphertext')),
    fingerprint: read.s(item, 'fingerprint'),
    last4: read.s(item, 'last4'),
    createdAt: read.n(item, 'createdAt'),
    updatedAt: read.n(item, 'updatedAt'),
    ...(poll !== undefined ? { poll: pollSchema.parse(JSON.parse(poll)) } : {}),
    ...(item.simulated?.BOOL ? { simulated: true } : {}),
  };
}
