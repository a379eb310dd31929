import { z } from 'zod';
import { BadRequestError } from '../errors.ts';

/** MQTT payloads larger than this are refused before parsing (acks and CSRs are small). */
const MAX_CONTROL_MESSAGE_BYTES = 16 * 1024;

/**
 * Agent → edge on `…/acks`: the final outcome of one delivery. The agent id is never read from the
 * payload: the edge takes it from the authenticated connection (client id = certificate identity).
 */
export const ackMessageSchema = z
  .object({
    envelopeId: z.string().min(1).max(255),
    /** The local target's HTTP status; 0 when the agent refused the target (allowlist, bad config). */
    statusCode: z.number().int().min(0).max(599),
    attempts: z.number().int().min(1).max(1_000_000),
    latencyMs: z
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 3600_000),
    /** Why a delivery ended without a 2xx, in a few words (no bodies, no header values). */
    reason: z.string().max(200).optional(),
  })
  .strict();
export type AckMessage = z.infer<typeof ackMessageSchema>;

/** Agent → edge on `…/cert/csr`: a renewal request over the current authenticated connection. */
export const csrMessageSchema = z
  .object({
    requestId: z.string().min(1).max(64),
    csrPem: z
      .string()
      .min(1)
      .max(8 * 1024),
  })
  .strict();
export type CsrMessage = z.infer<typeof csrMessageSchema>;

/** Edge → agent on `…/cert/issued`. */
export const issuedMessageSchema = z
  .object({
    requestId: z.string().min(1).max(64),
    certificatePem: z.string().optional(),
    caChainPem: z.string().optional(),
    notAfter: z.number().int().optional(),
    error: z.string().max(500).optional(),
  })
  .strict();
export type IssuedMessage = z.infer<typeof issuedMessageSchema>;

/** Edge → agent on `…/control`. */
export const controlMessageSchema = z
  .object({ type: z.enum(['revoked', 'certificate-superseded']), at: z.number().int() })
  .strict();
export type ControlMessage = z.infer<typeof controlMessageSchema>;

/**
 * Parses a small JSON MQTT payload against `schema`, with a clear error for oversize, non-JSON or
 * schema mismatches.
 *
 * @example
 * const ack = parseMessage(ackMessageSchema, payload, 'ack');
 */
export function parseMessage<T>(schema: z.ZodType<T>, payload: Uint8Array, what: string): T {
  if (payload.byteLength > MAX_CONTROL_MESSAGE_BYTES) {
    throw new BadRequestError(
      'message_too_large',
      `${what} message is over ${MAX_CONTROL_MESSAGE_BYTES} bytes`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8'));
  } catch {
    throw new BadRequestError('invalid_json', `${what} message is not valid JSON`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'message';
    throw new BadRequestError('invalid_message', `${what} message: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}
