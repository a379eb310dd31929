import * as z from 'zod';
import { defineProvider } from '../defineProvider.ts';
import { parseJsonObject } from '../parseJsonObject.ts';
import { checkTimestamp, parseTimestamp } from '../schemes/checkTimestamp.ts';
import { decodeSignature } from '../schemes/decodeSignature.ts';
import { findMatchingSecret } from '../schemes/findMatchingSecret.ts';
import { mediaType } from '../schemes/mediaType.ts';
import type { VerifyInput, VerifyResult } from '../types.ts';

/**
 * Mailgun retries a failed delivery for about 8 hours (5 min, 10 min, 15 min, 1 h, 2 h, 4 h) and a retry
 * carries the original signature block, so a shorter window would turn one failed answer into a lost
 * event. Replays inside the window are stopped by the delivery id: the signed token, kept for 72 h.
 */
const DEFAULT_TOLERANCE_SECONDS = 8 * 60 * 60;
/** A timestamp ahead of the clock is never a retry; only clock skew is allowed that way. */
const MAX_FUTURE_SECONDS = 300;
/** Mailgun's events are a few kilobytes; the body is parsed before verification, so it is bounded. */
const MAX_BODY_BYTES = 1024 * 1024;

const timestamp = z.union([
  z.string().regex(/^[0-9]{1,12}$/),
  z
    .number()
    .int()
    .nonnegative()
    .transform((n) => String(n)),
]);
const signatureFields = z.object({
  timestamp,
  // Mailgun's tokens are 50 random characters; the bound keeps the token usable as a delivery id.
  token: z.string().regex(/^[\x21-\x7e]{1,256}$/),
  signature: z.string().max(256),
  'parent-signature': z.string().max(256).optional(),
});
const jsonBody = z.object({ signature: signatureFields });

type SignatureFields = z.infer<typeof signatureFields>;

/**
 * Mailgun signs inside the body, not in a header: `signature.timestamp`, `signature.token` and
 * `signature.signature`, the hex HMAC-SHA256 of timestamp + token keyed with the webhook signing key
 * (`parent-signature`, under the parent account's key, for subaccounts). JSON bodies carry them under
 * `signature`; legacy form-encoded posts as top-level `timestamp`, `token`, `signature` fields. The
 * Content-Type decides which is read, from a body of at most 1 MiB, and nothing else in it is parsed.
 * The body itself is not covered by Mailgun's signature, so the signed token is the delivery id: a
 * replayed signature is a duplicate whatever body it comes with. Tolerance: 8 hours back (Mailgun's
 * retry window), 5 minutes ahead.
 */
export const mailgun = defineProvider({
  id: 'mailgun',
  displayName: 'Mailgun',
  secretKind: 'shared-secret',
  toleranceSeconds: DEFAULT_TOLERANCE_SECONDS,
  scheme: verifyMailgun,
});

function verifyMailgun({ request, source, nowSeconds }: VerifyInput): VerifyResult {
  const type = mediaType(request.headers);
  if (type !== 'application/json' && type !== 'application/x-www-form-urlencoded') {
    return { ok: false, reason: 'unsupported content type' };
  }
  if (request.body.byteLength > MAX_BODY_BYTES)
    return { ok: false, reason: 'body too large to read the signature' };
  const fields = type === 'application/json' ? fromJson(request.body) : fromForm(request.body);
  if (typeof fields === 'string') return { ok: false, reason: fields };

  const candidates: Buffer[] = [];
  for (const text of [fields.signature, fields['parent-signature']]) {
    const decoded = text === undefined ? undefined : decodeSignature(text, 'hex');
    if (decoded?.length === 32) candidates.push(decoded);
  }
  if (candidates.length === 0) return { ok: false, reason: 'malformed signature field' };
  const secretIndex = findMatchingSecret(
    source.secrets,
    'sha256',
    [fields.timestamp, fields.token],
    candidates,
  );
  if (secretIndex === -1) return { ok: false, reason: 'signature does not match' };

  const seconds = parseTimestamp(fields.timestamp, 'unix-seconds')!;
  const tolerance = source.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (seconds - nowSeconds > Math.min(tolerance, MAX_FUTURE_SECONDS)) {
    return { ok: false, reason: 'timestamp in the future' };
  }
  const stale = checkTimestamp(seconds, nowSeconds, tolerance);
  if (stale !== undefined) return { ok: false, reason: stale };
  return {
    ok: true,
    scheme: type === 'application/json' ? 'mailgun-json' : 'mailgun-form',
    secretIndex,
    deliveryId: fields.token,
  };
}

function fromJson(body: Uint8Array): SignatureFields | string {
  const object = parseJsonObject(body);
  if (object === undefined) return 'body is not a JSON object';
  const parsed = jsonBody.safeParse(object);
  return parsed.success ? parsed.data.signature : 'malformed signature object';
}

function fromForm(body: Uint8Array): SignatureFields | string {
  const params = new URLSearchParams(
    Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'),
  );
  const fields: Record<string, string> = {};
  for (const name of ['timestamp', 'token', 'signature'] as const) {
    const values = params.getAll(name);
    if (values.length > 1) return `duplicated ${name} field`;
    if (values.length === 1) fields[name] = values[0]!;
  }
  const parsed = signatureFields.safeParse(fields);
  return parsed.success ? parsed.data : 'malformed signature fields';
}
