import { defineProvider } from '../defineProvider.ts';
import { fromHeader } from '../deliveryIds.ts';
import { hmacHeaderScheme } from '../schemes/hmacHeaderScheme.ts';

/** Shopify: HMAC-SHA256 of the raw body, base64, in `X-Shopify-Hmac-Sha256` (or `Shopify-Hmac-Sha256` on the newer events delivery); delivery id `X-Shopify-Webhook-Id`. */
export const shopify = defineProvider({
  id: 'shopify',
  displayName: 'Shopify',
  secretKind: 'shared-secret',
  scheme: hmacHeaderScheme({
    scheme: 'shopify-hmac-sha256',
    headers: ['x-shopify-hmac-sha256', 'shopify-hmac-sha256'],
    algorithm: 'sha256',
    encoding: 'base64',
  }),
  deliveryId: fromHeader('x-shopify-webhook-id', 'shopify-webhook-id'),
});
