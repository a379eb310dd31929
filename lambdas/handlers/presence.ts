import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import { DynamoAgentRepository } from '../adapters/aws/DynamoAgentRepository.ts';
import { DynamoCertificateRepository } from '../adapters/aws/DynamoCertificateRepository.ts';
import { DynamoInFlightEnvelopes } from '../adapters/aws/DynamoInFlightEnvelopes.ts';
import { DynamoPresenceStore } from '../adapters/aws/DynamoPresenceStore.ts';
import { SqsEnvelopeQueue } from '../adapters/aws/SqsEnvelopeQueue.ts';
import { handlePresence } from '../core/delivery/handlePresence.ts';
import { isValidId } from '../core/ids.ts';
import { authorizeAgentConnection } from '../core/registration/authorizeAgentConnection.ts';
import { loadEnv, presenceEnv } from './env.ts';
import { deferredIotEnforcement } from './support/deferredIotEnforcement.ts';
import { lambdaLogger } from './support/lambdaLogger.ts';
import { type LifecycleEvent, lifecycleEventSchema } from './support/lifecycleEvent.ts';

const env = loadEnv(presenceEnv);
const logger = lambdaLogger('presence');
const clock = { now: Date.now };
const dynamo = new DynamoDBClient({});
const presence = new DynamoPresenceStore(dynamo, env.PRESENCE_TABLE);
const certificates = new DynamoCertificateRepository(dynamo, env.CERTIFICATES_TABLE);
const agents = new DynamoAgentRepository(dynamo, env.AGENTS_TABLE);
const inFlight = new DynamoInFlightEnvelopes(dynamo, env.IN_FLIGHT_TABLE);
const queue = new SqsEnvelopeQueue(new SQSClient({}), env.ENVELOPE_QUEUE_URL);
// Most lifecycle events deactivate nothing and cut nothing: IoT Core's clients load when one does.
const enforcement = deferredIotEnforcement({ certificates, iotEndpoint: env.IOT_ENDPOINT });

/** An agent just came online: its waiting envelopes become visible now instead of at their backoff. */
async function flush(agentId: string): Promise<void> {
  const handles = await inFlight.waitingReceiptHandles(agentId);
  const released = await queue.showNow(handles);
  logger.info('envelopes_released', { agentId, waiting: handles.length, released });
}

export type PresenceOutcome = 'applied' | 'stale' | 'refused' | 'ignored';

/**
 * A connect must come from a certificate we issued to this agent, still active; it then supersedes the
 * agent's older certificates, which are deactivated in IoT Core. A refused connect is cut off and its
 * certificate deactivated — unless a newer event was already seen, because then the connection it
 * describes is gone and the live one must not be cut.
 */
async function admit(event: LifecycleEvent): Promise<'admitted' | 'stale' | 'refused'> {
  const agentId = event.clientId;
  const current = await presence.get(agentId);
  if (current && current.lastSeen > event.timestamp) return 'stale';
  const presented = (await certificates.listByAgent(agentId)).find(
    (record) => record.iot?.certificateId === event.principalIdentifier,
  );
  const allowed =
    presented !== undefined &&
    (await authorizeAgentConnection(
      { agents, certificates, clock, logger },
      { agentId, serialNumber: presented.serialNumber },
    ));
  if (!allowed) {
    if (!presented) logger.warn('tunnel_refused', { agentId, reason: 'unknown_certificate' });
    if (presented) await enforcement.deactivate(presented);
    await enforcement.disconnect(agentId);
    return 'refused';
  }
  for (const record of await certificates.listByAgent(agentId)) {
    if (record.status !== 'active') await enforcement.deactivate(record);
  }
  return 'admitted';
}

/**
 * IoT topic rule `SELECT * FROM '$aws/events/presence/+/+'`: connect and disconnect lifecycle events,
 * which IoT Core may deliver late, twice or out of order (the presence store keeps the newest). Events
 * of clients that are not agents are ignored, and so is the disconnect of a connection replaced by a
 * newer one of the same client (DUPLICATE_CLIENTID): the agent is still online through the new one.
 *
 * @example
 * // {"clientId":"laptop","timestamp":1573002230757,"eventType":"connected","sessionIdentifier":"a4666d2a…","principalIdentifier":"1234…","versionNumber":0}
 */
export const handler = middy<unknown, PresenceOutcome>().handler(async (raw) => {
  const parsed = lifecycleEventSchema.safeParse(raw);
  if (!parsed.success) {
    logger.warn('lifecycle_event_rejected', { fields: parsed.error.issues.map((i) => i.path.join('.')) });
    return 'ignored';
  }
  const event = parsed.data;
  if (!isValidId(event.clientId)) return 'ignored';
  const connected = event.eventType === 'connected';
  if (!connected && event.disconnectReason === 'DUPLICATE_CLIENTID') return 'ignored';
  if (connected) {
    const admission = await admit(event);
    if (admission !== 'admitted') return admission;
  }
  const applied = await handlePresence(
    { presence, logger, flush },
    { agentId: event.clientId, connected, at: event.timestamp, sessionId: event.sessionIdentifier },
  );
  return applied ? 'applied' : 'stale';
});
