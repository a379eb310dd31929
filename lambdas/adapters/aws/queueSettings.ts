/**
 * Settings of the envelope queue (SQS standard queue, SSE-KMS) and its claim-check bucket, shared by the
 * adapters and the CDK stack.
 *
 * The 72 h promise: the dispatcher reads the envelope's own `receivedAt` on every receive and records it
 * as expired (then deletes it) on the first receive at or after receivedAt + 72 h; the visibility
 * timeouts it sets never reach past that instant. SQS's retention counts from the later SendMessage, and
 * a message that is invisible when its retention ends is dropped without a trace — so the queue keeps
 * messages one hour longer than 72 h: the dispatcher, not SQS, ends every envelope, and the hour is
 * the margin for a slow or throttled poller. Without a receive (dispatcher disabled for over an hour
 * past 72 h) SQS is the backstop and the delivery log keeps saying `queued`.
 */

/** SQS MessageRetentionPeriod: 72 h + 1 h (see above). */
export const ENVELOPE_QUEUE_RETENTION_SECONDS = 73 * 60 * 60;

/**
 * The queue's default visibility timeout, used only until the dispatcher sets each message's own. It is
 * six times the dispatcher's timeout, as the Lambda SQS event source recommends.
 */
export const DISPATCHER_TIMEOUT_SECONDS = 60;
export const ENVELOPE_QUEUE_VISIBILITY_SECONDS = 6 * DISPATCHER_TIMEOUT_SECONDS;

/** SQS caps ChangeMessageVisibility at 12 hours. */
export const MAX_VISIBILITY_SECONDS = 12 * 60 * 60;

/**
 * Messages are built to fit 256 KiB — SQS's long-standing limit, which every queue accepts whatever its
 * MaximumMessageSize — counted as SQS counts: body plus attribute names, types and values. Envelopes
 * whose base64 wouldn't fit go to S3 (claim check); API Gateway's 10 MB cap bounds those objects.
 */
export const MAX_SQS_MESSAGE_BYTES = 256 * 1024;

/** Claim-check objects live under this prefix; the bucket's lifecycle rule expires them after 4 days. */
export const ENVELOPE_OBJECT_PREFIX = 'envelopes/';
export const ENVELOPE_OBJECT_EXPIRY_DAYS = 4;

/** The claim-check object key of an envelope. */
export function envelopeObjectKey(agentId: string, envelopeId: string): string {
  return `${ENVELOPE_OBJECT_PREFIX}${agentId}/${envelopeId}`;
}
