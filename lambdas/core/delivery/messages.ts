import * as z from 'zod';
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

const micros = z.number().int().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER);

/**
 * Edge → agent on `…/alerts`: one budget alert, sent once per (budget, period, threshold). Amounts are
 * integer micro-dollars (1 USD = 1,000,000); `text` is the same message people get by email or chat,
 * `next` says what to do about it.
 */
export const budgetAlertMessageSchema = z
  .object({
    type: z.literal('budget-alert'),
    /** Stable per alert: a redelivery carries the same id, so the agent acts once. */
    alertId: z.string().regex(/^alrt_[A-Za-z0-9_-]{16,64}$/),
    budgetId: z.string().min(1).max(64),
    budgetName: z.string().min(1).max(200),
    provider: z.string().min(1).max(32),
    kind: z.enum(['threshold', 'burn_rate']),
    thresholdId: z.string().min(1).max(64).optional(),
    basis: z.enum(['actual', 'forecast']).optional(),
    /** Spend so far in the period. */
    amountMicros: micros,
    limitMicros: micros,
    /** Spend as a percentage of the limit, one decimal. */
    percent: z.number().min(0).max(1_000_000),
    forecast: z.object({ p50Micros: micros, p90Micros: micros, dailyRateMicros: micros }).strict(),
    period: z
      .object({
        kind: z.enum(['day', 'week', 'month']),
        key: z.string().min(1).max(64),
        startMs: z.number().int(),
        endMs: z.number().int(),
        timeZone: z.string().min(1).max(64),
      })
      .strict(),
    subject: z.string().min(1).max(300),
    text: z.string().min(1).max(4000),
    /** What to do next, in one or two sentences. */
    next: z.string().min(1).max(1000),
    at: z.number().int(),
    /** Set when the budget's spend comes from a simulated provider (demo mode). */
    simulated: z.boolean().optional(),
  })
  .strict();
export type BudgetAlertMessage = z.infer<typeof budgetAlertMessageSchema>;

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
