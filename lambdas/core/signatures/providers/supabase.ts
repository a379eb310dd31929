import { defineProvider } from '../defineProvider.ts';
import { fromHeader } from '../deliveryIds.ts';
import { standardWebhooksScheme, WEBHOOK_HEADERS } from '../schemes/standardWebhooksScheme.ts';

/** Supabase auth hooks: Standard Webhooks (`webhook-*` headers); the secret as Supabase shows it, `v1,whsec_…`, or without its `v1,`; 5 minutes' tolerance; delivery id `webhook-id`. */
export const supabase = defineProvider({
  id: 'supabase',
  displayName: 'Supabase',
  secretKind: 'shared-secret',
  toleranceSeconds: 300,
  scheme: standardWebhooksScheme({
    scheme: 'standard-webhooks',
    headerSets: [WEBHOOK_HEADERS],
    toleranceSeconds: 300,
  }),
  deliveryId: fromHeader('webhook-id'),
});
