import { defineProvider } from '../defineProvider.ts';
import { fromJsonBody } from '../deliveryIds.ts';
import { hmacHeaderScheme } from '../schemes/hmacHeaderScheme.ts';

/** Coinbase Commerce: HMAC-SHA256 of the raw body with the shared secret, hex, in `X-CC-Webhook-Signature`; delivery id the webhook event's `id`. */
export const coinbaseCommerce = defineProvider({
  id: 'coinbase-commerce',
  displayName: 'Coinbase Commerce',
  secretKind: 'shared-secret',
  scheme: hmacHeaderScheme({
    scheme: 'coinbase-commerce-sha256',
    headers: ['x-cc-webhook-signature'],
    algorithm: 'sha256',
    encoding: 'hex',
  }),
  deliveryId: fromJsonBody('id'),
});
