import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import { DynamoDeliveryLog } from '../adapters/aws/DynamoDeliveryLog.ts';
import { DynamoInFlightEnvelopes } from '../adapters/aws/DynamoInFlightEnvelopes.ts';
import { S3EnvelopeStore } from '../adapters/aws/S3EnvelopeStore.ts';
import { SqsEnvelopeQueue } from '../adapters/aws/SqsEnvelopeQueue.ts';
import { SqsPendingEnvelopes } from '../adapters/aws/SqsPendingEnvelopes.ts';
import { type AckDeps, type AckOutcome, handleAck } from '../core/delivery/handleAck.ts';
import { BadRequestError } from '../core/errors.ts';
import { ackEnv, loadEnv } from './env.ts';
import { readAgentMessage } from './support/iotRuleEvent.ts';
import { lambdaLogger } from './support/lambdaLogger.ts';

const env = loadEnv(ackEnv);
const logger = lambdaLogger('ack');
const clock = { now: Date.now };
const dynamo = new DynamoDBClient({});
const deps: AckDeps = {
  pending: new SqsPendingEnvelopes({
    inFlight: new DynamoInFlightEnvelopes(dynamo, env.IN_FLIGHT_TABLE),
    queue: new SqsEnvelopeQueue(new SQSClient({}), env.ENVELOPE_QUEUE_URL),
    claimChecks: new S3EnvelopeStore(env.ENVELOPE_BUCKET),
    clock,
    logger,
  }),
  deliveryLog: new DynamoDeliveryLog(dynamo, env.DELIVERY_LOG_TABLE, clock),
  clock,
  logger,
};

/**
 * IoT topic rule on `clawpulsar/+/acks` (see iotRuleEvent.ts for the SQL). The acking agent is the
 * broker's authenticated client id, which must match the topic — never a claim in the payload — and the
 * core refuses an ack for another agent's envelope. A malformed message is logged and dropped (a retry
 * would not mend it); a failing dependency throws, so the asynchronous invocation is retried.
 *
 * @example
 * // payload published by agent "laptop" on clawpulsar/laptop/acks: {"envelopeId":"…","statusCode":204,"attempts":1,"latencyMs":40}
 */
export const handler = middy<unknown, AckOutcome | 'rejected'>().handler(async (event) => {
  const message = readAgentMessage(event);
  if ('rejected' in message) {
    logger.warn('ack_rejected', { reason: message.rejected });
    return 'rejected';
  }
  try {
    return await handleAck(deps, message.agentId, message.payload);
  } catch (error) {
    if (!(error instanceof BadRequestError)) throw error;
    logger.warn('ack_rejected', { agentId: message.agentId, reason: error.code });
    return 'rejected';
  }
});
