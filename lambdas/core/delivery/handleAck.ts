import type { Clock, DeliveryLog, Logger, PendingEnvelopes } from '../ports.ts';
import { classifyStatus } from './classifyStatus.ts';
import { logFields } from './dispatchEnvelope.ts';
import { ackMessageSchema, parseMessage } from './messages.ts';

export interface AckDeps {
  readonly pending: PendingEnvelopes;
  readonly deliveryLog: DeliveryLog;
  readonly clock: Clock;
  readonly logger: Logger;
}

export type AckOutcome = 'delivered' | 'failed' | 'ignored-retry' | 'unknown' | 'forbidden';

/**
 * Handles an agent's ack. `connectionAgentId` comes from the authenticated connection (the certificate's
 * identity, which the broker or IoT policy pins to the client id and topic) — never from the payload, so
 * an agent can't complete another agent's deliveries.
 *
 * @example
 * await handleAck(deps, 'laptop', payloadBytes);
 */
export async function handleAck(
  deps: AckDeps,
  connectionAgentId: string,
  payload: Uint8Array,
): Promise<AckOutcome> {
  const ack = parseMessage(ackMessageSchema, payload, 'ack');
  const pending = await deps.pending.find(ack.envelopeId);
  if (!pending) return 'unknown';
  if (pending.agentId !== connectionAgentId) {
    deps.logger.warn('ack_forbidden', { envelopeId: ack.envelopeId, agentId: connectionAgentId });
    return 'forbidden';
  }
  const status = classifyStatus(ack.statusCode);
  if (status === 'retry') return 'ignored-retry';
  const now = deps.clock.now();
  // The log first: it is an idempotent upsert, so if completing fails the redelivered envelope's ack
  // writes it again; and the local edge commits both in one transaction.
  await deps.deliveryLog.record({
    ...logFields(pending),
    attempts: Math.max(pending.attempts, ack.attempts),
    status,
    statusCode: ack.statusCode,
    latencyMs: now - pending.receivedAt,
    updatedAt: now,
  });
  await deps.pending.complete(ack.envelopeId);
  deps.logger.info('delivery_acked', {
    envelopeId: ack.envelopeId,
    agentId: connectionAgentId,
    status,
    statusCode: ack.statusCode,
  });
  return status;
}
