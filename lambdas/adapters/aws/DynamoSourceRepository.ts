import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { SourceRepository, StoredSource } from '../../core/ports.ts';
import { av, type Item, read } from './dynamoItem.ts';
import { pagedItems } from './pagedItems.ts';

/**
 * Sources in DynamoDB (table `sources`, key `agentId` + `sourceId`). Secrets are only ever the KMS
 * ciphertext the core hands over; `createdAt` is kept from the first write.
 *
 * @example
 * const sources = new DynamoSourceRepository(dynamo, env.SOURCES_TABLE);
 */
export class DynamoSourceRepository implements SourceRepository {
  readonly #client: DynamoDBClient;
  readonly #table: string;

  constructor(client: DynamoDBClient, tableName: string) {
    this.#client = client;
    this.#table = tableName;
  }

  async get(agentId: string, sourceId: string): Promise<StoredSource | undefined> {
    const { Item: item } = await this.#client.send(
      new GetItemCommand({
        TableName: this.#table,
        Key: { agentId: av.s(agentId), sourceId: av.s(sourceId) },
        ConsistentRead: true,
      }),
    );
    return item ? toSource(item) : undefined;
  }

  async put(source: StoredSource): Promise<void> {
    await this.#client.send(
      new UpdateItemCommand({
        TableName: this.#table,
        Key: { agentId: av.s(source.agentId), sourceId: av.s(source.sourceId) },
        UpdateExpression:
          'SET provider = :provider, secretsCiphertext = :ciphertext, secretFingerprints = :fingerprints, hasVerifyToken = :hasVerifyToken, #options = :options, createdAt = if_not_exists(createdAt, :createdAt), updatedAt = :updatedAt',
        ExpressionAttributeNames: { '#options': 'options' },
        ExpressionAttributeValues: {
          ':provider': av.s(source.provider),
          ':ciphertext': av.b(source.secretsCiphertext),
          ':fingerprints': av.strings(source.secretFingerprints),
          ':hasVerifyToken': av.bool(source.hasVerifyToken),
          ':options': av.s(JSON.stringify(source.options)),
          ':createdAt': av.n(source.createdAt),
          ':updatedAt': av.n(source.updatedAt),
        },
      }),
    );
  }

  async delete(agentId: string, sourceId: string): Promise<boolean> {
    const { Attributes: old } = await this.#client.send(
      new DeleteItemCommand({
        TableName: this.#table,
        Key: { agentId: av.s(agentId), sourceId: av.s(sourceId) },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return old !== undefined;
  }

  async list(agentId?: string): Promise<StoredSource[]> {
    const sources: StoredSource[] = [];
    for await (const item of pagedItems(this.#client, (start) =>
      agentId === undefined
        ? new ScanCommand({ TableName: this.#table, ExclusiveStartKey: start, ConsistentRead: true })
        : new QueryCommand({
            TableName: this.#table,
            KeyConditionExpression: 'agentId = :agentId',
            ExpressionAttributeValues: { ':agentId': av.s(agentId) },
            ExclusiveStartKey: start,
            ConsistentRead: true,
          }),
    )) {
      sources.push(toSource(item));
    }
    return sources.sort((a, b) => compare(a.agentId, b.agentId) || compare(a.sourceId, b.sourceId));
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function toSource(item: Item): StoredSource {
  return {
    agentId: read.s(item, 'agentId'),
    sourceId: read.s(item, 'sourceId'),
    provider: read.s(item, 'provider'),
    secretsCiphertext: new Uint8Array(read.b(item, 'secretsCiphertext')),
    secretFingerprints: read.strings(item, 'secretFingerprints'),
    hasVerifyToken: read.bool(item, 'hasVerifyToken'),
    options: JSON.parse(read.s(item, 'options')) as Record<string, unknown>,
    createdAt: read.n(item, 'createdAt'),
    updatedAt: read.n(item, 'updatedAt'),
  };
}
