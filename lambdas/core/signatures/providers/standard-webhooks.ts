import { defineProvider } from '../defineProvider.ts';
import { fromHeader } from '../deliveryIds.ts';
import { SVIX_HEADERS, standardWebhooksScheme, WEBHOOK_HEADERS } from '../schemes/standardWebhooksScheme.ts';

/**
 * Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature` (the `svix-*` names too);
 * `v1` HMAC with `whsec_` secrets, `v1a` Ed25519 with `whpk_` public keys; 5 minutes' tolerance; delivery
 * id `webhook-id`.
 */
export const standardWebhooks = defineProvider({
  id: 'standard-webhooks',
  displayName: 'Standard Webhooks',
  secretKind: 'shared-secret',
  toleranceSeconds: 300,
  scheme: standardWebhooksScheme({
    scheme: 'standard-webhooks',
    headerSets: [WEBHOOK_HEADERS, SVIX_HEADERS],
    toleranceSeconds: 300,
  }),
  deliveryId: fromHeader('webhook-id', 'svix-id'),
});
