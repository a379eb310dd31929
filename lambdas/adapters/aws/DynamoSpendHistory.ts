import {
  BatchWriteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import type {
  DailySpendRecord,
  HistoryFilter,
  HistoryQuery,
  SpendHistory,
} from '../../core/monitor/ports.ts';
import type { UsageProviderId } from '../../core/usage/SpendReport.ts';
import { av, type Item, isConditionFailed, read, ttlSeconds } from './dynamoItem.ts';
import { pagedItems } from './pagedItems.ts';

/** BatchWriteItem takes at most 25 requests. */
const BATCH = 25;
const UNPROCESSED_RETRIES = 5;

/**
 * Daily spend aggregates in DynamoDB (table `spendHistory`, key `keyId` + `date`; index `byProvider` on
 * `provider` + `dateKey` = `date#keyId`). Each row expires 90 days after its date through TTL, and reads
 * skip expired rows themselves because TTL deletes lag by up to days.
 *
 * @example
 * const history = new DynamoSpendHistory(dynamo, env.SPEND_HISTORY_TABLE);
 */
export class DynamoSpendHistory implements SpendHistory {
  readonly #client: DynamoDBClient;
  readonly #table: string;

  constructor(client: DynamoDBClient, tableName: string) {
    this.#client = client;
    this.#table = tableName;
  }

  async upsert(records: readonly DailySpendRecord[]): Promise<void> {
    await this.#batch(records.map((record) => ({ PutRequest: { Item: toItem(record) } })));
  }

  async latestReading(keyId: string, nowMs: number): Promise<DailySpendRecord | undefined> {
    // Newest first: the first live reading is the latest.
    for await (const item of pagedItems(
      this.#client,
      (start) =>
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: 'keyId = :keyId',
          FilterExpression: 'attribute_exists(readingAt) AND expiresAt > :now',
          ExpressionAttributeValues: { ':keyId': av.s(keyId), ':now': av.n(nowMs) },
          ScanIndexForward: false,
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
    )) {
      return toRecord(item);
    }
    return undefined;
  }

  async applyReading(
    record: DailySpendRecord,
    expected: { readonly date: string; readonly atMs: number } | null,
  ): Promise<boolean> {
    // The newest reading of a key is on the newest row: a previous reading from today's row must be the
    // one still there; one from an earlier day means today's row must not have a reading yet.
    const sameRow = expected !== null && expected.date === record.date;
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: toItem(record),
          ConditionExpression: sameRow ? 'readingAt = :expected' : 'attribute_not_exists(readingAt)',
          ...(sameRow ? { ExpressionAttributeValues: { ':expected': av.n(expected.atMs) } } : {}),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  async list(query: HistoryQuery, nowMs: number): Promise<DailySpendRecord[]> {
    const items = await this.#find(query, nowMs);
    return items
      .map(toRecord)
      .sort(
        (a, b) => compare(a.date, b.date) || compare(a.provider, b.provider) || compare(a.keyId, b.keyId),
      );
  }

  async delete(filter: HistoryFilter): Promise<number> {
    const items = await this.#find(
      {
        ...(filter.provider ? { provider: filter.provider } : {}),
        ...(filter.keyId ? { keyIds: [filter.keyId] } : {}),
      },
      undefined,
    );
    await this.#batch(
      items.map((item) => ({
        DeleteRequest: { Key: { keyId: item.keyId as Item[string], date: item.date as Item[string] } },
      })),
    );
    return items.length;
  }

  /** Items matching `query`; expired ones left out unless `nowMs` is undefined. */
  async #find(query: HistoryQuery, nowMs: number | undefined): Promise<Item[]> {
    const values: Item = {};
    const filters: string[] = [];
    if (nowMs !== undefined) {
      filters.push('expiresAt > :now');
      values[':now'] = av.n(nowMs);
    }
    const from = query.from ?? '0000-00-00';
    const to = query.to ?? '9999-99-99';
    const items: Item[] = [];
    const drain = async (make: (start: Item | undefined) => QueryCommand | ScanCommand) => {
      for await (const item of pagedItems(this.#client, make)) items.push(item);
    };
    const filterExpression = (extra: string[] = []) => {
      const all = [...filters, ...extra];
      return all.length > 0 ? { FilterExpression: all.join(' AND ') } : {};
    };

    if (query.keyIds && query.keyIds.length > 0) {
      for (const keyId of new Set(query.keyIds)) {
        const extra = query.provider ? ['provider = :provider'] : [];
        await drain(
          (start) =>
            new QueryCommand({
              TableName: this.#table,
              KeyConditionExpression: 'keyId = :keyId AND #date BETWEEN :from AND :to',
              ExpressionAttributeNames: { '#date': 'date' },
              ExpressionAttributeValues: {
                ...values,
                ':keyId': av.s(keyId),
                ':from': av.s(from),
                ':to': av.s(to),
                ...(query.provider ? { ':provider': av.s(query.provider) } : {}),
              },
              ...filterExpression(extra),
              ConsistentRead: true,
              ExclusiveStartKey: start,
            }),
        );
      }
    } else if (query.provider) {
      await drain(
        (start) =>
          new QueryCommand({
            TableName: this.#table,
            IndexName: 'byProvider',
            KeyConditionExpression: 'provider = :provider AND dateKey BETWEEN :from AND :to',
            ExpressionAttributeValues: {
              ...values,
              ':provider': av.s(query.provider as string),
              ':from': av.s(from),
              // `#` sorts before every key id character, `~` after: the whole last day is in range.
              ':to': av.s(`${to}#~`),
            },
            ...filterExpression(),
            ExclusiveStartKey: start,
          }),
      );
    } else {
      await drain(
        (start) =>
          new ScanCommand({
            TableName: this.#table,
            ExpressionAttributeNames: { '#date': 'date' },
            ExpressionAttributeValues: { ...values, ':from': av.s(from), ':to': av.s(to) },
            ...filterExpression(['#date BETWEEN :from AND :to']),
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
      );
    }
    return items;
  }

  async #batch(requests: WriteRequest[]): Promise<void> {
    for (let i = 0; i < requests.length; i += BATCH) {
      let pending: WriteRequest[] = requests.slice(i, i + BATCH);
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > UNPROCESSED_RETRIES) {
          throw new Error(`DynamoDB left ${pending.length} history writes unprocessed`);
        }
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
        const { UnprocessedItems: left } = await this.#client.send(
          new BatchWriteItemCommand({ RequestItems: { [this.#table]: pending } }),
        );
        pending = left?.[this.#table] ?? [];
      }
    }
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function toItem(record: DailySpendRecord): Item {
  return {
    keyId: av.s(record.keyId),
    date: av.s(record.date),
    provider: av.s(record.provider),
    dateKey: av.s(`${record.date}#${record.keyId}`),
    amountMicros: av.n(record.amountMicros),
    ...(record.reading
      ? { readingMicros: av.n(record.reading.valueMicros), readingAt: av.n(record.reading.atMs) }
      : {}),
    updatedAt: av.n(record.updatedAt),
    expiresAt: av.n(record.expiresAt),
    ttl: av.n(ttlSeconds(record.expiresAt)),
  };
}

function toRecord(item: Item): DailySpendRecord {
  const readingMicros = read.optionalN(item, 'readingMicros');
  const readingAt = read.optionalN(item, 'readingAt');
  return {
    provider: read.s(item, 'provider') as UsageProviderId,
    keyId: read.s(item, 'keyId'),
    date: read.s(item, 'date'),
    amountMicros: read.n(item, 'amountMicros'),
    ...(readingMicros !== undefined && readingAt !== undefined
      ? { reading: { valueMicros: readingMicros, atMs: readingAt } }
      : {}),
    updatedAt: read.n(item, 'updatedAt'),
    expiresAt: read.n(item, 'expiresAt'),
  };
}
