import { defineProvider } from '../defineProvider.ts';
import { fromJsonBody } from '../deliveryIds.ts';
import { timestampedHmacScheme } from '../schemes/timestampedHmacScheme.ts';

/**
 * Stripe: `Stripe-Signature: t=…,v1=…[,v1=…]`, HMAC-SHA256 hex of `{t}.{body}` with the `whsec_…`
 * secret as UTF-8 (several `v1` while a secret rolls), 5 minutes' tolerance; delivery id the event id
 * (`evt_…`), read from the body once it verified.
 */
export const stripe = defineProvider({
  id: 'stripe',
  displayName: 'Stripe',
  secretKind: 'shared-secret',
  toleranceSeconds: 300,
  scheme: timestampedHmacScheme({
    scheme: 'stripe-v1',
    signatureHeader: 'stripe-signature',
    layout: { kind: 'pairs', separator: ',', timestampKey: 't', signatureKey: 'v1' },
    content: '{timestamp}.{body}',
    algorithm: 'sha256',
    encoding: 'hex',
    toleranceSeconds: 300,
  }),
  deliveryId: fromJsonBody('id'),
});
