import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { ClawPulsarError } from '../../core/errors.ts';
import type { EnvelopeQueue, QueuedEnvelope } from '../../core/ports.ts';
import { claimCheckMessage, inlineMessage } from './envelopeMessage.ts';
import { envelopeObjectKey, MAX_VISIBILITY_SECONDS } from './queueSettings.ts';
import type { S3EnvelopeStore } from './S3EnvelopeStore.ts';

/** SQS batch calls take at most 10 entries. */
const SQS_BATCH = 10;

/**
 * The envelope queue: an SQS standard queue (SSE-KMS, retention 73 h — see queueSettings.ts). An
 * envelope whose message fits 256 KiB travels inline as base64; a larger one (up to API Gateway's 10 MB
 * body, sealed) is written to S3 first and the message carries its key — the object is written before
 * the message, so a message never points at nothing. Only ciphertext and ids ever reach SQS or S3.
 *
 * @example
 * const queue = new SqsEnvelopeQueue(sqs, env.ENVELOPE_QUEUE_URL, new S3EnvelopeStore(bucket, keyArn));
 * await queue.enqueue(envelope);
 */
export class SqsEnvelopeQueue implements EnvelopeQueue {
  readonly #sqs: SQSClient;
  readonly #queueUrl: string;
  readonly #claimChecks: S3EnvelopeStore | undefined;

  constructor(sqs: SQSClient, queueUrl: string, claimChecks?: S3EnvelopeStore) {
    this.#sqs = sqs;
    this.#queueUrl = queueUrl;
    this.#claimChecks = claimChecks;
  }

  async enqueue(envelope: QueuedEnvelope): Promise<void> {
    let message = inlineMessage(envelope);
    if (!message) {
      if (!this.#claimChecks) {
        throw new ClawPulsarError(
          'claim_check_unavailable',
          'No claim-check store for a large envelope',
          500,
        );
      }
      const key = envelopeObjectKey(envelope.agentId, envelope.envelopeId);
      await this.#claimChecks.put(key, envelope.sealed);
      message = claimCheckMessage(envelope, key);
    }
    await this.#sqs.send(
      new SendMessageCommand({
        QueueUrl: this.#queueUrl,
        MessageBody: message.body,
        MessageAttributes: message.attributes,
      }),
    );
  }

  /** Hides a received message for `seconds` (clamped to SQS's 0…12 h): the next look at the envelope. */
  async hideFor(receiptHandle: string, seconds: number): Promise<void> {
    await this.#sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.#queueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: clampVisibility(seconds),
      }),
    );
  }

  /** Deletes a received message for good (acked or expired). */
  async delete(receiptHandle: string): Promise<void> {
    await this.#sqs.send(
      new DeleteMessageCommand({ QueueUrl: this.#queueUrl, ReceiptHandle: receiptHandle }),
    );
  }

  /**
   * Makes hidden messages visible now (visibility 0), so the dispatcher receives them at once. Returns how
   * many SQS accepted; a stale receipt handle (the message was received again, or deleted) is skipped.
   */
  async showNow(receiptHandles: readonly string[]): Promise<number> {
    let accepted = 0;
    for (let start = 0; start < receiptHandles.length; start += SQS_BATCH) {
      const batch = receiptHandles.slice(start, start + SQS_BATCH);
      const result = await this.#sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: this.#queueUrl,
          Entries: batch.map((handle, index) => ({
            Id: String(index),
            ReceiptHandle: handle,
            VisibilityTimeout: 0,
          })),
        }),
      );
      accepted += result.Successful?.length ?? 0;
    }
    return accepted;
  }
}

/** Whole seconds within what ChangeMessageVisibility accepts. */
export function clampVisibility(seconds: number): number {
  return Math.min(MAX_VISIBILITY_SECONDS, Math.max(0, Math.ceil(seconds)));
}
