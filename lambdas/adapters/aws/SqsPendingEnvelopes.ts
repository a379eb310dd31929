import type { Clock, Logger, PendingEnvelope, PendingEnvelopes } from '../../core/ports.ts';
import type { DynamoInFlightEnvelopes } from './DynamoInFlightEnvelopes.ts';
import type { S3EnvelopeStore } from './S3EnvelopeStore.ts';
import type { SqsEnvelopeQueue } from './SqsEnvelopeQueue.ts';

export interface SqsPendingEnvelopesDeps {
  readonly inFlight: DynamoInFlightEnvelopes;
  readonly queue: SqsEnvelopeQueue;
  readonly claimChecks: S3EnvelopeStore;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * The ack path's view of the queue in AWS: an envelope is found in the in-flight table, and completing it
 * writes the tombstone first (the decision), then deletes the SQS message with the latest receipt handle
 * and the claim-check object. If a delete fails or the handle went stale, the message comes back, the
 * dispatcher sees the tombstone and deletes it then — an acked envelope is never published again.
 *
 * @example
 * const pending = new SqsPendingEnvelopes({ inFlight, queue, claimChecks, clock, logger });
 * await handleAck({ pending, deliveryLog, clock, logger }, agentId, payload);
 */
export class SqsPendingEnvelopes implements PendingEnvelopes {
  readonly #deps: SqsPendingEnvelopesDeps;

  constructor(deps: SqsPendingEnvelopesDeps) {
    this.#deps = deps;
  }

  find(envelopeId: string): Promise<PendingEnvelope | undefined> {
    return this.#deps.inFlight.find(envelopeId);
  }

  async complete(envelopeId: string): Promise<void> {
    const envelope = await this.#deps.inFlight.find(envelopeId);
    if (!envelope) return;
    await this.completeReceived(envelopeId, envelope.receiptHandle, envelope.objectKey);
  }

  /**
   * Completes an envelope whose message the caller holds (the dispatcher on expiry, or on finding a
   * tombstone): tombstone, then message and object deletes, each failure logged and left to the next
   * receive.
   */
  async completeReceived(envelopeId: string, receiptHandle: string, objectKey?: string): Promise<void> {
    const { inFlight, queue, claimChecks, clock, logger } = this.#deps;
    await inFlight.markCompleted(envelopeId, clock.now());
    try {
      await queue.delete(receiptHandle);
    } catch (error) {
      logger.warn('queue_delete_failed', { envelopeId, error: errorName(error) });
    }
    if (objectKey === undefined) return;
    try {
      await claimChecks.delete(objectKey);
    } catch (error) {
      logger.warn('claim_check_delete_failed', { envelopeId, error: errorName(error) });
    }
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown';
}
