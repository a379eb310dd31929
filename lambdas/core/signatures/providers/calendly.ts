import { defineProvider } from '../defineProvider.ts';
import { timestampedHmacScheme } from '../schemes/timestampedHmacScheme.ts';

/**
 * Calendly: `Calendly-Webhook-Signature: t=…,v1=…`, HMAC-SHA256 hex of `{t}.{body}` with the
 * subscription's signing key, 3 minutes' tolerance (Calendly's recommendation). No delivery id is sent.
 */
export const calendly = defineProvider({
  id: 'calendly',
  displayName: 'Calendly',
  secretKind: 'shared-secret',
  toleranceSeconds: 180,
  scheme: timestampedHmacScheme({
    scheme: 'calendly-v1',
    signatureHeader: 'calendly-webhook-signature',
    layout: { kind: 'pairs', separator: ',', timestampKey: 't', signatureKey: 'v1' },
    content: '{timestamp}.{body}',
    algorithm: 'sha256',
    encoding: 'hex',
    toleranceSeconds: 180,
  }),
});
