import { DeleteItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Clock, DedupeStore } from '../../core/ports.ts';
import { claimWithExpiry } from './claimWithExpiry.ts';
import { av } from './dynamoItem.ts';

/**
 * Provider delivery ids seen in the last 72 h (table `dedupe`). A claim is one conditional PutItem: it
 * succeeds when the key is new or its earlier claim has expired (TTL deletion lags by up to days, so
 * expiry is checked here, not left to TTL).
 *
 * @example
 * const dedupe = new DynamoDedupeStore(dynamo, env.DEDUPE_TABLE, clock);
 */
export class DynamoDedupeStore implements DedupeStore {
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
      keyAttribute: 'dedupeKey',
      key,
      expiresAtMs,
      nowMs: this.#clock.now(),
    });
  }

  async release(key: string): Promise<void> {
    await this.#client.send(new DeleteItemCommand({ TableName: this.#table, Key: { dedupeKey: av.s(key) } }));
  }
}
