import type {
  Clock,
  DeliveryLog,
  Logger,
  PendingEnvelope,
  PresenceStore,
  TunnelPublisher,
} from '../ports.ts';
import { chunkEnvelope } from './chunkEnvelope.ts';
import { expiresAt, FIRST_RETRY_MS, isExpired, nextAttemptAt } from './retrySchedule.ts';
import { topicsFor } from './topics.ts';

export interface DispatchDeps {
  readonly publisher: TunnelPublisher;
  readonly presence: PresenceStore;
  readonly deliveryLog: DeliveryLog;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly random?: () => number;
}

/** What the runtime does with the envelope afterwards (SQLite row update, or SQS visibility/delete). */
export type DispatchDecision =
  /** 72 h passed: recorded as expired; remove it from the queue. */
  | { readonly action: 'expire' }
  /** Agent offline: keep it, don't count an attempt; it goes out when the agent connects. */
  | { readonly action: 'hold'; readonly retryAt: number }
  /** Published (not yet delivered): keep it until the agent acks; look again at `retryAt`. */
  | { readonly action: 'published'; readonly attempts: number; readonly retryAt: number }
  /** The publish itself failed: try again soon. */
  | { readonly action: 'retry'; readonly retryAt: number };

/**
 * One dispatch step for one waiting envelope, shared by the SQS dispatcher Lambda and the local edge's
 * dispatcher loop. A publish is not a delivery: only the agent's ack removes the envelope.
 *
 * @example
 * const decision = await dispatchEnvelope(deps, pending, sealedBytes);
 */
export async function dispatchEnvelope(
  deps: DispatchDeps,
  pending: PendingEnvelope,
  sealed: Uint8Array,
): Promise<DispatchDecision> {
  const now = deps.clock.now();
  if (isExpired(pending.receivedAt, now)) {
    await deps.deliveryLog.record({ ...logFields(pending), status: 'expired', updatedAt: now });
    deps.logger.warn('delivery_expired', { ...ids(pending), attempts: pending.attempts });
    return { action: 'expire' };
  }
  if (!(await deps.presence.isOnline(pending.agentId))) {
    const retryAt = nextAttemptAt(Math.max(1, pending.attempts), now, deps.random);
    return { action: 'hold', retryAt: notPastExpiry(retryAt, pending) };
  }
  const topic = topicsFor(pending.agentId).deliveries;
  try {
    for (const frame of chunkEnvelope(pending.envelopeId, sealed)) await deps.publisher.publish(topic, frame);
  } catch (error) {
    deps.logger.warn('publish_failed', {
      ...ids(pending),
      error: error instanceof Error ? error.name : 'unknown',
    });
    return { action: 'retry', retryAt: notPastExpiry(now + FIRST_RETRY_MS, pending) };
  }
  return { action: 'published', ...plannedPublish(pending, now, deps.random) };
}

/** Where a publish leaves an envelope in the queue: its attempt count, and when to look at it again. */
export interface PublishRecord {
  readonly attempts: number;
  readonly retryAt: number;
}

/**
 * What `dispatchEnvelope` decides once it has published `pending` at `now`: one attempt more, looked at
 * again after that attempt's backoff (never past the 72 h mark). A runtime that publishes a new envelope
 * right after storing it can store this with it, and needs no second write when the publish succeeds.
 *
 * @example
 * const planned = plannedPublish({ receivedAt, attempts: 0 }, clock.now());
 */
export function plannedPublish(
  pending: Pick<PendingEnvelope, 'receivedAt' | 'attempts'>,
  now: number,
  random?: () => number,
): PublishRecord {
  const attempts = pending.attempts + 1;
  return { attempts, retryAt: notPastExpiry(nextAttemptAt(attempts, now, random), pending) };
}

/** A look-again time no later than the envelope's 72 h mark (where it is recorded as expired). */
function notPastExpiry(at: number, pending: Pick<PendingEnvelope, 'receivedAt'>): number {
  return Math.min(at, expiresAt(pending.receivedAt));
}

function ids(p: PendingEnvelope) {
  return { envelopeId: p.envelopeId, agentId: p.agentId, sourceId: p.sourceId, deliveryId: p.deliveryId };
}

/** The delivery-log fields of a pending envelope (metadata only). */
export function logFields(p: PendingEnvelope) {
  return {
    envelopeId: p.envelopeId,
    agentId: p.agentId,
    sourceId: p.sourceId,
    provider: p.provider,
    deliveryId: p.deliveryId,
    receivedAt: p.receivedAt,
    sizeBytes: p.sizeBytes,
    attempts: p.attempts,
  };
}
