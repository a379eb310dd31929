import { defineProvider } from '../defineProvider.ts';
import { matchAsymmetricSignature } from '../schemes/asymmetricSignature.ts';
import { checkTimestamp, parseTimestamp } from '../schemes/checkTimestamp.ts';
import { decodeSignature } from '../schemes/decodeSignature.ts';
import { readHeader } from '../schemes/readHeader.ts';
import type { VerifyInput, VerifyResult } from '../types.ts';

const SIGNATURE = 'x-twilio-email-event-webhook-signature';
const TIMESTAMP = 'x-twilio-email-event-webhook-timestamp';
const DEFAULT_TOLERANCE_SECONDS = 300;
/** A DER ECDSA P-256 signature: SEQUENCE of two INTEGERs of at most 33 bytes each. */
const MIN_DER_BYTES = 8;
const MAX_DER_BYTES = 72;

/**
 * SendGrid (Twilio SendGrid's Signed Event Webhook): `X-Twilio-Email-Event-Webhook-Signature` is the
 * base64 DER ECDSA signature (P-256, SHA-256) of `X-Twilio-Email-Event-Webhook-Timestamp` followed by the
 * raw body; secrets are the base64 SubjectPublicKeyInfo "Verification Key" SendGrid shows (PEM accepted
 * too). SendGrid names no tolerance; 5 minutes either way, like the other timestamped schemes. SendGrid
 * sends no delivery id (each event in the batch carries its own `sg_event_id`).
 */
export const sendgrid = defineProvider({
  id: 'sendgrid',
  displayName: 'SendGrid',
  secretKind: 'public-key',
  toleranceSeconds: DEFAULT_TOLERANCE_SECONDS,
  scheme: verifySendGrid,
});

function verifySendGrid({ request, source, nowSeconds }: VerifyInput): VerifyResult {
  const header = readHeader(request.headers, [SIGNATURE], true);
  if ('reason' in header) return { ok: false, reason: header.reason };
  const timestamp = readHeader(request.headers, [TIMESTAMP], true);
  if ('reason' in timestamp) return { ok: false, reason: timestamp.reason };
  const seconds = parseTimestamp(timestamp.value, 'unix-seconds');
  if (seconds === undefined) return { ok: false, reason: `malformed ${TIMESTAMP} header` };
  const signature = decodeSignature(header.value, 'base64');
  if (signature === undefined || signature.length < MIN_DER_BYTES || signature.length > MAX_DER_BYTES) {
    return { ok: false, reason: `malformed ${SIGNATURE} header` };
  }
  const match = matchAsymmetricSignature({
    algorithm: 'ecdsa-p256-sha256',
    signature,
    publicKeys: source.secrets,
    message: [Buffer.from(timestamp.value, 'latin1'), request.body],
  });
  if (!match.ok) return match;
  const stale = checkTimestamp(seconds, nowSeconds, source.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS);
  if (stale !== undefined) return { ok: false, reason: stale };
  return { ok: true, scheme: 'sendgrid-ecdsa-p256', secretIndex: match.keyIndex };
}
