import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { BadRequestError } from '../../core/errors.ts';
import { idSchema } from '../../core/ids.ts';
import type { PendingEnvelope, QueuedEnvelope } from '../../core/ports.ts';
import { envelopeObjectKey, MAX_SQS_MESSAGE_BYTES } from './queueSettings.ts';

/**
 * The SQS message format of a queued envelope. Routing metadata travels as message attributes (ids,
 * times and sizes — never content); the body is the sealed envelope in base64, or, for a claim check,
 * the S3 object key. Attribute `storage` says which.
 *
 * | attribute    | type   | value                                    |
 * |--------------|--------|------------------------------------------|
 * | envelopeId   | String | the ingress's envelope id                |
 * | agentId      | String | agent the envelope is sealed to          |
 * | sourceId     | String | the source it came in on                 |
 * | deliveryId   | String | the provider's delivery id               |
 * | provider     | String | provider id                              |
 * | receivedAt   | Number | ms since the epoch; the 72 h count start |
 * | sizeBytes    | Number | sealed envelope size                     |
 * | storage      | String | `inline` (body = base64) or `s3` (key)   |
 */
export interface EnvelopeMessage {
  readonly body: string;
  readonly attributes: Record<string, MessageAttributeValue>;
}

/** Builds the inline message, or undefined when it would not fit an SQS message. */
export function inlineMessage(envelope: QueuedEnvelope): EnvelopeMessage | undefined {
  const attributes = messageAttributes(envelope, 'inline');
  // base64 of n bytes is 4·⌈n/3⌉ characters: the size is known before encoding anything.
  const bodyBytes = 4 * Math.ceil(envelope.sealed.byteLength / 3);
  if (bodyBytes + attributeBytes(attributes) > MAX_SQS_MESSAGE_BYTES) return undefined;
  const sealed = envelope.sealed;
  return {
    body: Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength).toString('base64'),
    attributes,
  };
}

/** Builds the claim-check message pointing at `objectKey`. */
export function claimCheckMessage(envelope: QueuedEnvelope, objectKey: string): EnvelopeMessage {
  return { body: objectKey, attributes: messageAttributes(envelope, 's3') };
}

function messageAttributes(
  e: QueuedEnvelope,
  storage: 'inline' | 's3',
): Record<string, MessageAttributeValue> {
  const text = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });
  const number = (value: number): MessageAttributeValue => ({
    DataType: 'Number',
    StringValue: String(value),
  });
  return {
    envelopeId: text(e.envelopeId),
    agentId: text(e.agentId),
    sourceId: text(e.sourceId),
    deliveryId: text(e.deliveryId),
    provider: text(e.provider),
    receivedAt: number(e.receivedAt),
    sizeBytes: number(e.sealed.byteLength),
    storage: text(storage),
  };
}

/** SQS counts each attribute's name, data type and value towards the message size. */
function attributeBytes(attributes: Record<string, MessageAttributeValue>): number {
  let total = 0;
  for (const [name, value] of Object.entries(attributes)) {
    total += Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? '');
    total += Buffer.byteLength(value.StringValue ?? '');
  }
  return total;
}

const text = z.object({ stringValue: z.string(), dataType: z.literal('String') });
const integer = z.object({
  stringValue: z.string().regex(/^\d{1,16}$/),
  dataType: z.literal('Number'),
});

/** The message attributes as an SQS event record delivers them to Lambda. */
const recordAttributesSchema = z.object({
  envelopeId: text.extend({ stringValue: z.string().min(1).max(255) }),
  agentId: text.extend({ stringValue: idSchema }),
  sourceId: text.extend({ stringValue: idSchema }),
  deliveryId: text.extend({ stringValue: z.string().min(1).max(512) }),
  provider: text.extend({ stringValue: z.string().min(1).max(64) }),
  receivedAt: integer,
  sizeBytes: integer,
  storage: text.extend({ stringValue: z.enum(['inline', 's3']) }),
});

/** Where the sealed bytes of a received message are. */
export type SealedLocation = { readonly inline: Uint8Array } | { readonly objectKey: string };

/** A received envelope message: what the dispatcher needs, attempts not yet known (they live in DynamoDB). */
export interface ReceivedEnvelope {
  readonly pending: Omit<PendingEnvelope, 'attempts'>;
  readonly sealed: SealedLocation;
}

/**
 * Reads an SQS event record's envelope message. Errors (400 `invalid_envelope_message`) name the
 * attribute at fault, never a value.
 */
export function readEnvelopeMessage(record: { body: string; messageAttributes: unknown }): ReceivedEnvelope {
  const parsed = recordAttributesSchema.safeParse(record.messageAttributes);
  if (!parsed.success) {
    throw new BadRequestError('invalid_envelope_message', 'Envelope message attributes are invalid', {
      attributes: parsed.error.issues.map((issue) => String(issue.path[0] ?? '')),
    });
  }
  const a = parsed.data;
  const pending = {
    envelopeId: a.envelopeId.stringValue,
    agentId: a.agentId.stringValue,
    sourceId: a.sourceId.stringValue,
    deliveryId: a.deliveryId.stringValue,
    provider: a.provider.stringValue,
    receivedAt: Number(a.receivedAt.stringValue),
    sizeBytes: Number(a.sizeBytes.stringValue),
  };
  if (a.storage.stringValue === 's3') {
    // The key is derived, not trusted: a message can only point at its own envelope's object.
    if (record.body !== envelopeObjectKey(pending.agentId, pending.envelopeId)) {
      throw new BadRequestError('invalid_envelope_message', 'Envelope message points at another object', {
        attributes: ['storage'],
      });
    }
    return { pending, sealed: { objectKey: record.body } };
  }
  const inline = Buffer.from(record.body, 'base64');
  if (inline.byteLength !== pending.sizeBytes) {
    throw new BadRequestError('invalid_envelope_message', 'Envelope message body does not match its size', {
      attributes: ['sizeBytes'],
    });
  }
  return { pending, sealed: { inline } };
}
