import { type DynamoDBClient, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type {
  Clock,
  DeliveryLog,
  DeliveryLogEntry,
  DeliveryLogFilter,
  DeliveryLogReader,
  DeliveryStatus,
} from '../../core/ports.ts';
import { av, type Item, isConditionFailed, read, ttlSeconds } from './dynamoItem.ts';
import { pagedItems } from './pagedItems.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
/** The delivery log keeps 90 days of metadata. */
export const DELIVERY_LOG_RETENTION_MS = 90 * DAY_MS;
const DAYS_PER_ROUND = 7;

/**
 * The delivery log in DynamoDB (table `deliveryLog`): metadata only, one item per envelope, expiring 90
 * days after its last update. Listing by agent uses the `byAgent` index; listing everything walks the
 * `byDay` index (UTC day of receipt) backwards from the newest day, so no query scans the table.
 *
 * @example
 * const log = new DynamoDeliveryLog(dynamo, env.DELIVERY_LOG_TABLE, clock);
 */
export class DynamoDeliveryLog implements DeliveryLog, DeliveryLogReader {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #clock: Clock;

  constructor(client: DynamoDBClient, tableName: string, clock: Clock) {
    this.#client = client;
    this.#table = tableName;
    this.#clock = clock;
  }

  /**
   * Writes the entry's current state. A `queued` entry never overwrites a later state: the ingress
   * writes it after the enqueue, and a fast agent can have acked by then. The size is the first record's
   * (the ingress records the webhook's body; dispatch and ack know only the sealed envelope's size), as
   * the local edge's log keeps it.
   */
  async record(e: DeliveryLogEntry): Promise<void> {
    const values: Item = {
      ':agentId': av.s(e.agentId),
      ':sourceId': av.s(e.sourceId),
      ':provider': av.s(e.provider),
      ':deliveryId': av.s(e.deliveryId),
      ':receivedAt': av.n(e.receivedAt),
      ':receivedDay': av.s(utcDay(e.receivedAt)),
      ':sizeBytes': av.n(e.sizeBytes),
      ':status': av.s(e.status),
      ':attempts': av.n(e.attempts),
      ':updatedAt': av.n(e.updatedAt),
      ':ttl': av.n(ttlSeconds(e.updatedAt + DELIVERY_LOG_RETENTION_MS)),
    };
    const set = [
      'agentId = :agentId',
      'sourceId = :sourceId',
      'provider = :provider',
      'deliveryId = :deliveryId',
      'receivedAt = :receivedAt',
      'receivedDay = :receivedDay',
      'sizeBytes = if_not_exists(sizeBytes, :sizeBytes)',
      '#status = :status',
      'attempts = :attempts',
      'updatedAt = :updatedAt',
      '#ttl = :ttl',
    ];
    const remove: string[] = [];
    if (e.statusCode !== undefined) {
      set.push('statusCode = :statusCode');
      values[':statusCode'] = av.n(e.statusCode);
    } else remove.push('statusCode');
    if (e.latencyMs !== undefined) {
      set.push('latencyMs = :latencyMs');
      values[':latencyMs'] = av.n(e.latencyMs);
    } else remove.push('latencyMs');
    const queued = e.status === 'queued';
    if (queued) values[':queued'] = av.s('queued');
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: { envelopeId: av.s(e.envelopeId) },
          UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
          ...(queued ? { ConditionExpression: 'attribute_not_exists(envelopeId) OR #status = :queued' } : {}),
          ExpressionAttributeNames: { '#status': 'status', '#ttl': 'ttl' },
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (queued && isConditionFailed(error)) return;
      throw error;
    }
  }

  /**
   * Newest first, at most `filter.limit` entries. Without an agent, days are read a week at a time in
   * parallel (each day's index partition is already in time order, so concatenating them in day order
   * keeps the order), which bounds a sparse 90-day walk to 13 round trips.
   */
  async list(filter: DeliveryLogFilter): Promise<DeliveryLogEntry[]> {
    const now = this.#clock.now();
    const before = filter.before ?? now + 1;
    const filters: string[] = [];
    const names: Record<string, string> = {};
    const values: Item = { ':before': av.n(before) };
    if (filter.sourceId !== undefined) {
      filters.push('sourceId = :sourceId');
      values[':sourceId'] = av.s(filter.sourceId);
    }
    if (filter.status !== undefined) {
      filters.push('#status = :status');
      names['#status'] = 'status';
      values[':status'] = av.s(filter.status);
    }
    const collect = async (indexName: string, keyName: string, key: string, max: number) => {
      const found: DeliveryLogEntry[] = [];
      for await (const item of pagedItems(
        this.#client,
        (start) =>
          new QueryCommand({
            TableName: this.#table,
            IndexName: indexName,
            KeyConditionExpression: `${keyName} = :key AND receivedAt < :before`,
            ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}),
            ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
            ExpressionAttributeValues: { ...values, ':key': av.s(key) },
            ScanIndexForward: false,
            ExclusiveStartKey: start,
          }),
      )) {
        found.push(toEntry(item));
        if (found.length >= max) return found;
      }
      return found;
    };

    if (filter.agentId !== undefined) return collect('byAgent', 'agentId', filter.agentId, filter.limit);
    const days: string[] = [];
    const oldest = utcDayStart(now - DELIVERY_LOG_RETENTION_MS);
    for (let day = utcDayStart(Math.min(before - 1, now)); day >= oldest; day -= DAY_MS)
      days.push(utcDay(day));
    const entries: DeliveryLogEntry[] = [];
    for (let i = 0; i < days.length && entries.length < filter.limit; i += DAYS_PER_ROUND) {
      const remaining = filter.limit - entries.length;
      const window = days.slice(i, i + DAYS_PER_ROUND);
      const parts = await Promise.all(window.map((day) => collect('byDay', 'receivedDay', day, remaining)));
      for (const part of parts) entries.push(...part);
    }
    return entries.slice(0, filter.limit);
  }
}

/** `YYYY-MM-DD` of an instant, in UTC: the `byDay` index's partition. */
export function utcDay(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

function utcDayStart(at: number): number {
  return at - (((at % DAY_MS) + DAY_MS) % DAY_MS);
}

function toEntry(item: Item): DeliveryLogEntry {
  const statusCode = read.optionalN(item, 'statusCode');
  const latencyMs = read.optionalN(item, 'latencyMs');
  return {
    envelopeId: read.s(item, 'envelopeId'),
    agentId: read.s(item, 'agentId'),
    sourceId: read.s(item, 'sourceId'),
    provider: read.s(item, 'provider'),
    deliveryId: read.s(item, 'deliveryId'),
    receivedAt: read.n(item, 'receivedAt'),
    sizeBytes: read.n(item, 'sizeBytes'),
    status: read.s(item, 'status') as DeliveryStatus,
    attempts: read.n(item, 'attempts'),
    ...(statusCode !== undefined ? { statusCode } : {}),
    ...(latencyMs !== undefined ? { latencyMs } : {}),
    updatedAt: read.n(item, 'updatedAt'),
  };
}
