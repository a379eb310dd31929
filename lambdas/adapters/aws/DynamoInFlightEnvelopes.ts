import {
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { expiresAt } from '../../core/delivery/retrySchedule.ts';
import type { PendingEnvelope } from '../../core/ports.ts';
import { av, type Item, isConditionFailed, read, ttlSeconds } from './dynamoItem.ts';
import { pagedItems } from './pagedItems.ts';

/** Items outlive the envelope's 72 h by a day, so a late ack still finds the tombstone. */
const TOMBSTONE_GRACE_MS = 24 * 60 * 60 * 1000;

/** An envelope the dispatcher has taken from the queue, with what is needed to end it. */
export interface InFlightEnvelope extends PendingEnvelope {
  /** The receipt handle of the latest receive: SQS deletes or re-times a message only with that one. */
  readonly receiptHandle: string;
  /** Set when the sealed bytes are an S3 claim check. */
  readonly objectKey?: string;
}

/** What `track` found: the envelope is still waiting (with its attempts so far), or already completed. */
export type TrackResult =
  | { readonly state: 'waiting'; readonly attempts: number }
  | { readonly state: 'completed' };

/**
 * The in-flight table (`inFlight`): one item per envelope taken from the SQS queue, holding what an SQS
 * message can't — the attempt count and the latest receipt handle — plus, once acked or expired, a
 * tombstone (`completedAt`). The tombstone closes the races between the dispatcher and the ack path:
 * whoever comes second sees it, and a message that comes back after its ack is deleted, not published.
 * Waiting envelopes are indexed by agent (`byAgent`, sparse) so a reconnect can release them at once.
 *
 * @example
 * const inFlight = new DynamoInFlightEnvelopes(dynamo, env.IN_FLIGHT_TABLE);
 */
export class DynamoInFlightEnvelopes {
  readonly #client: DynamoDBClient;
  readonly #table: string;

  constructor(client: DynamoDBClient, tableName: string) {
    this.#client = client;
    this.#table = tableName;
  }

  /**
   * Records a receive of the envelope's message: stores its metadata on first sight and the new receipt
   * handle every time, unless the envelope already completed. Returns the attempts made so far.
   */
  async track(
    pending: Omit<PendingEnvelope, 'attempts'>,
    receiptHandle: string,
    objectKey?: string,
  ): Promise<TrackResult> {
    const values: Item = {
      ':agentId': av.s(pending.agentId),
      ':sourceId': av.s(pending.sourceId),
      ':deliveryId': av.s(pending.deliveryId),
      ':provider': av.s(pending.provider),
      ':receivedAt': av.n(pending.receivedAt),
      ':sizeBytes': av.n(pending.sizeBytes),
      ':zero': av.n(0),
      ':handle': av.s(receiptHandle),
      ':ttl': av.n(ttlSeconds(expiresAt(pending.receivedAt) + TOMBSTONE_GRACE_MS)),
    };
    let update =
      'SET agentId = :agentId, sourceId = :sourceId, deliveryId = :deliveryId, provider = :provider, receivedAt = :receivedAt, sizeBytes = :sizeBytes, attempts = if_not_exists(attempts, :zero), receiptHandle = :handle, waitingAgentId = :agentId, #ttl = :ttl';
    if (objectKey !== undefined) {
      update += ', objectKey = :objectKey';
      values[':objectKey'] = av.s(objectKey);
    }
    try {
      const { Attributes: item } = await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: { envelopeId: av.s(pending.envelopeId) },
          UpdateExpression: update,
          ConditionExpression: 'attribute_not_exists(completedAt)',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { state: 'waiting', attempts: item ? read.n(item, 'attempts') : 0 };
    } catch (error) {
      if (isConditionFailed(error)) return { state: 'completed' };
      throw error;
    }
  }

  /** Stores the attempt count after a publish; false when the envelope completed meanwhile. */
  async recordAttempts(envelopeId: string, attempts: number): Promise<boolean> {
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: { envelopeId: av.s(envelopeId) },
          UpdateExpression: 'SET attempts = :attempts',
          ConditionExpression: 'attribute_exists(envelopeId) AND attribute_not_exists(completedAt)',
          ExpressionAttributeValues: { ':attempts': av.n(attempts) },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  /** The waiting envelope, or undefined when unknown or completed. */
  async find(envelopeId: string): Promise<InFlightEnvelope | undefined> {
    const { Item: item } = await this.#client.send(
      new GetItemCommand({
        TableName: this.#table,
        Key: { envelopeId: av.s(envelopeId) },
        ConsistentRead: true,
      }),
    );
    if (!item || item.completedAt !== undefined) return undefined;
    const objectKey = read.optionalS(item, 'objectKey');
    return {
      envelopeId,
      agentId: read.s(item, 'agentId'),
      sourceId: read.s(item, 'sourceId'),
      deliveryId: read.s(item, 'deliveryId'),
      provider: read.s(item, 'provider'),
      receivedAt: read.n(item, 'receivedAt'),
      sizeBytes: read.n(item, 'sizeBytes'),
      attempts: read.n(item, 'attempts'),
      receiptHandle: read.s(item, 'receiptHandle'),
      ...(objectKey !== undefined ? { objectKey } : {}),
    };
  }

  /**
   * Turns the item into a tombstone (drops it from the agent index); false when it already was one, so
   * exactly one caller goes on to delete the message and record the outcome.
   */
  async markCompleted(envelopeId: string, now: number): Promise<boolean> {
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: { envelopeId: av.s(envelopeId) },
          UpdateExpression: 'SET completedAt = :now REMOVE waitingAgentId',
          ConditionExpression: 'attribute_exists(envelopeId) AND attribute_not_exists(completedAt)',
          ExpressionAttributeValues: { ':now': av.n(now) },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  /** Receipt handles of the agent's waiting envelopes, oldest first. */
  async waitingReceiptHandles(agentId: string): Promise<string[]> {
    const handles: string[] = [];
    for await (const item of pagedItems(
      this.#client,
      (start) =>
        new QueryCommand({
          TableName: this.#table,
          IndexName: 'byAgent',
          KeyConditionExpression: 'waitingAgentId = :agentId',
          ExpressionAttributeValues: { ':agentId': av.s(agentId) },
          ExclusiveStartKey: start,
        }),
    )) {
      const handle = read.optionalS(item, 'receiptHandle');
      if (handle !== undefined) handles.push(handle);
    }
    return handles;
  }
}
