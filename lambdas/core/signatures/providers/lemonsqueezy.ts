import { defineProvider } from '../defineProvider.ts';
import { hmacHeaderScheme } from '../schemes/hmacHeaderScheme.ts';

/**
 * Lemon Squeezy: HMAC-SHA256 of the raw body with the webhook's signing secret, hex, in `X-Signature`.
 * It sends no delivery id (the body's `meta.webhook_id` names the webhook, not the delivery), so the
 * ingress falls back to a hash of the body.
 */
export const lemonsqueezy = defineProvider({
  id: 'lemonsqueezy',
  displayName: 'Lemon Squeezy',
  secretKind: 'shared-secret',
  scheme: hmacHeaderScheme({
    scheme: 'lemonsqueezy-sha256',
    headers: ['x-signature'],
    algorithm: 'sha256',
    encoding: 'hex',
  }),
});
