import { type DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { PresenceEvent, PresenceReader, PresenceRecord, PresenceStore } from '../../core/ports.ts';
import { av, isConditionFailed, read } from './dynamoItem.ts';

/**
 * Agent presence in DynamoDB (table `presence`), fed by IoT Core's lifecycle events, which the docs say
 * may arrive out of order and duplicated. The newest event wins, decided by IoT's own timestamp in one
 * conditional UpdateItem (concurrent invocations can't interleave a read and a write): an event applies
 * when nothing newer was applied, and at an equal time only if it changes the state — so a duplicate
 * returns false and triggers no second flush, and whatever order the events of an agent's sessions
 * arrive in, the last one in time decides. (IoT Core also reports the replaced connection of a takeover,
 * DUPLICATE_CLIENTID, with a time after the new connect; the presence handler drops those, they say
 * nothing about the agent being offline.)
 *
 * @example
 * const presence = new DynamoPresenceStore(dynamo, env.PRESENCE_TABLE);
 */
export class DynamoPresenceStore implements PresenceStore, PresenceReader {
  readonly #client: DynamoDBClient;
  readonly #table: string;

  constructor(client: DynamoDBClient, tableName: string) {
    this.#client = client;
    this.#table = tableName;
  }

  async apply(event: PresenceEvent): Promise<boolean> {
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: { agentId: av.s(event.agentId) },
          UpdateExpression: 'SET connected = :connected, sessionId = :session, eventAt = :at, lastSeen = :at',
          ConditionExpression:
            'attribute_not_exists(agentId) OR eventAt < :at OR (eventAt = :at AND connected <> :connected)',
          ExpressionAttributeValues: {
            ':connected': av.bool(event.connected),
            ':session': av.s(event.sessionId),
            ':at': av.n(event.at),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  async isOnline(agentId: string): Promise<boolean> {
    return (await this.get(agentId))?.connected === true;
  }

  async get(agentId: string): Promise<PresenceRecord | undefined> {
    const { Item: item } = await this.#client.send(
      new GetItemCommand({ TableName: this.#table, Key: { agentId: av.s(agentId) }, ConsistentRead: true }),
    );
    if (!item) return undefined;
    return { agentId, connected: read.bool(item, 'connected'), lastSeen: read.n(item, 'lastSeen') };
  }
}
