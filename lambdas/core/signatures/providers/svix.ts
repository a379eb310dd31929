import { defineProvider } from '../defineProvider.ts';
import { fromHeader } from '../deliveryIds.ts';
import { SVIX_HEADERS, standardWebhooksScheme, WEBHOOK_HEADERS } from '../schemes/standardWebhooksScheme.ts';

/** Svix: the Standard Webhooks scheme under `svix-id`, `svix-timestamp`, `svix-signature` (the `webhook-*` names too), `whsec_` secrets, 5 minutes' tolerance; delivery id `svix-id`. */
export const svix = defineProvider({
  id: 'svix',
  displayName: 'Svix',
  secretKind: 'shared-secret',
  toleranceSeconds: 300,
  scheme: standardWebhooksScheme({
    scheme: 'svix',
    headerSets: [SVIX_HEADERS, WEBHOOK_HEADERS],
    toleranceSeconds: 300,
  }),
  deliveryId: fromHeader('svix-id', 'webhook-id'),
});
