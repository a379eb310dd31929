import { defineProvider } from '../defineProvider.ts';
import { timestampedAsymmetricScheme } from '../schemes/timestampedAsymmetricScheme.ts';

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
  scheme: timestampedAsymmetricScheme({
    scheme: 'sendgrid-ecdsa-p256',
    algorithm: 'ecdsa-p256-sha256',
    signatureHeader: SIGNATURE,
    encoding: 'base64',
    validLength: (bytes) => bytes >= MIN_DER_BYTES && bytes <= MAX_DER_BYTES,
    timestampHeader: TIMESTAMP,
    toleranceSeconds: DEFAULT_TOLERANCE_SECONDS,
  }),
});
