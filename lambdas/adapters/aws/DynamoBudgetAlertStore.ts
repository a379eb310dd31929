import {
  DeleteItemCommand,
  type DynamoDBClient,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { AlertRecord, BudgetAlertStore } from '../../core/monitor/ports.ts';
import type { Clock } from '../../core/ports.ts';
import { claimWithExpiry } from './claimWithExpiry.ts';
import { av, read, ttlSeconds } from './dynamoItem.ts';
import { pagedItems } from './pagedItems.ts';

/**
 * The alert ledger in DynamoDB (table `budgetAlerts`, key `alertKey`; sparse index `byBudget` on
 * `budgetId` + `sentAt`, filled once an alert is recorded). A claim is one conditional PutItem, so
 * workers polling in parallel send each alert once; an expired claim may be taken over (TTL deletion
 * lags, so expiry is checked here).
 *
 * @example
 * const alerts = new DynamoBudgetAlertStore(dynamo, env.BUDGET_ALERTS_TABLE, clock);
 */
export class DynamoBudgetAlertStore implements BudgetAlertStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #clock: Clock;

  constructor(client: DynamoDBClient, tableName: string, clock: Clock) {
    this.#client = client;
    this.#table = tableName;
    this.#clock = clock;
  }

  claim(key: string, expiresAtMs: number): Promise<boolean> {
    return claimWithExpiry(this.#client, {
      table: this.#table,
      keyAttribute: 'alertKey',
      key,
      expiresAtMs,
      nowMs: this.#clock.now(),
    });
  }

  async release(key: string): Promise<void> {
    await this.#client.send(new DeleteItemCommand({ TableName: this.#table, Key: { alertKey: av.s(key) } }));
  }

  async record(entry: AlertRecord): Promise<void> {
    await this.#client.send(
      new UpdateItemCommand({
        TableName: this.#table,
        Key: { alertKey: av.s(entry.key) },
        UpdateExpression:
          'SET budgetId = :budgetId, sentAt = :sentAt, #record = :record, expiresAt = :expiresAt, #ttl = :ttl',
        ExpressionAttributeNames: { '#record': 'record', '#ttl': 'ttl' },
        ExpressionAttributeValues: {
          ':budgetId': av.s(entry.budgetId),
          ':sentAt': av.n(entry.sentAt),
          ':record': av.s(JSON.stringify(entry)),
          ':expiresAt': av.n(entry.expiresAt),
          ':ttl': av.n(ttlSeconds(entry.expiresAt)),
        },
      }),
    );
  }

  async list(budgetId: string, limit: number, nowMs: number): Promise<AlertRecord[]> {
    const records: AlertRecord[] = [];
    for await (const item of pagedItems(
      this.#client,
      (start) =>
        new QueryCommand({
          TableName: this.#table,
          IndexName: 'byBudget',
          KeyConditionExpression: 'budgetId = :budgetId',
          FilterExpression: 'expiresAt > :now',
          ExpressionAttributeValues: { ':budgetId': av.s(budgetId), ':now': av.n(nowMs) },
          ScanIndexForward: false,
          ExclusiveStartKey: start,
        }),
    )) {
      records.push(JSON.parse(read.s(item, 'record')) as AlertRecord);
      if (records.length >= limit) return records;
    }
    return records;
  }
}
