import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import { DynamoDeliveryLog } from '../adapters/aws/DynamoDeliveryLog.ts';
import { DynamoInFlightEnvelopes } from '../adapters/aws/DynamoInFlightEnvelopes.ts';
import { DynamoPresenceStore } from '../adapters/aws/DynamoPresenceStore.ts';
import { readEnvelopeMessage } from '../adapters/aws/envelopeMessage.ts';
import { IotTunnelPublisher } from '../adapters/aws/IotTunnelPublisher.ts';
import { S3EnvelopeStore } from '../adapters/aws/S3EnvelopeStore.ts';
import { SqsEnvelopeQueue } from '../adapters/aws/SqsEnvelopeQueue.ts';
import { SqsPendingEnvelopes } from '../adapters/aws/SqsPendingEnvelopes.ts';
import { type DispatchDeps, dispatchEnvelope } from '../core/delivery/dispatchEnvelope.ts';
import { BadRequestError } from '../core/errors.ts';
import { dispatcherEnv, loadEnv } from './env.ts';
import { errorName, lambdaLogger } from './support/lambdaLogger.ts';
import { type SqsBatchResponse, type SqsRecord, sqsEventSchema } from './support/sqsEvent.ts';

const env = loadEnv(dispatcherEnv);
const logger = lambdaLogger('dispatcher');
const clock = { now: Date.now };
const dynamo = new DynamoDBClient({});
const queue = new SqsEnvelopeQueue(new SQSClient({}), env.ENVELOPE_QUEUE_URL);
const claimChecks = new S3EnvelopeStore(env.ENVELOPE_BUCKET);
const inFlight = new DynamoInFlightEnvelopes(dynamo, env.IN_FLIGHT_TABLE);
const pending = new SqsPendingEnvelopes({ inFlight, queue, claimChecks, clock, logger });
const deps: DispatchDeps = {
  publisher: new IotTunnelPublisher(new IoTDataPlaneClient({ endpoint: `https://${env.IOT_ENDPOINT}` })),
  presence: new DynamoPresenceStore(dynamo, env.PRESENCE_TABLE),
  deliveryLog: new DynamoDeliveryLog(dynamo, env.DELIVERY_LOG_TABLE, clock),
  clock,
  logger,
};

/** Whether SQS should forget the message (`done`) or keep it for its next visibility (`keep`). */
type RecordOutcome = 'done' | 'keep';

/**
 * One envelope message, one core dispatch step. A publish is not a delivery, so a published (or held,
 * or failed-to-publish) envelope stays in the queue: its visibility is set to the core's next look and
 * the record is reported as a batch item failure, which is how an SQS event source keeps a message.
 * Only the ack path (SqsPendingEnvelopes) or expiry removes it.
 *
 * The 72 h promise: every receive reads the envelope's own `receivedAt`; the core caps each next look at
 * receivedAt + 72 h, so the first receive after that records the envelope as expired and deletes it.
 * SQS retention is 73 h (queueSettings.ts) so the message is still there for that receive, and the
 * queue has no redrive policy — no maxReceiveCount can move a live envelope aside. A receive of an
 * envelope that was acked meanwhile finds its tombstone and deletes the message without publishing.
 */
async function dispatchRecord(record: SqsRecord): Promise<RecordOutcome> {
  let received: ReturnType<typeof readEnvelopeMessage>;
  try {
    received = readEnvelopeMessage(record);
  } catch (error) {
    if (!(error instanceof BadRequestError)) throw error;
    // Not a message the ingress wrote: nothing to deliver or record; drop it.
    logger.error('invalid_envelope_message', { messageId: record.messageId, ...error.data });
    return 'done';
  }
  const { envelopeId } = received.pending;
  const objectKey = 'objectKey' in received.sealed ? received.sealed.objectKey : undefined;
  const tracked = await inFlight.track(received.pending, record.receiptHandle, objectKey);
  if (tracked.state === 'completed') {
    await pending.completeReceived(envelopeId, record.receiptHandle, objectKey);
    return 'done';
  }
  const sealed =
    'inline' in received.sealed ? received.sealed.inline : await claimChecks.get(received.sealed.objectKey);
  const decision = await dispatchEnvelope(deps, { ...received.pending, attempts: tracked.attempts }, sealed);
  if (decision.action === 'expire') {
    await pending.completeReceived(envelopeId, record.receiptHandle, objectKey);
    return 'done';
  }
  if (decision.action === 'published' && !(await inFlight.recordAttempts(envelopeId, decision.attempts))) {
    // Acked while we were publishing.
    await pending.completeReceived(envelopeId, record.receiptHandle, objectKey);
    return 'done';
  }
  try {
    await queue.hideFor(record.receiptHandle, (decision.retryAt - clock.now()) / 1000);
  } catch (error) {
    // Usually an ack deleted the message in between; otherwise it returns after the queue's default.
    logger.warn('visibility_change_failed', { envelopeId, error: errorName(error) });
  }
  return 'keep';
}

/**
 * SQS event source on the envelope queue (ReportBatchItemFailures): records are dispatched in parallel;
 * a record whose step failed is kept too, and comes back after the queue's visibility timeout.
 *
 * @example
 * // Event source mapping: batchSize 10, reportBatchItemFailures true
 */
export const handler = middy<unknown, SqsBatchResponse>().handler(async (raw) => {
  const event = sqsEventSchema.parse(raw);
  const outcomes = await Promise.all(
    event.Records.map(async (record) => {
      try {
        return await dispatchRecord(record);
      } catch (error) {
        logger.error('dispatch_failed', { messageId: record.messageId, error: errorName(error) });
        return 'keep' as const;
      }
    }),
  );
  return {
    batchItemFailures: event.Records.filter((_, index) => outcomes[index] === 'keep').map((record) => ({
      itemIdentifier: record.messageId,
    })),
  };
});
