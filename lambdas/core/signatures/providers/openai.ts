import { defineProvider } from '../defineProvider.ts';
import { fromHeader } from '../deliveryIds.ts';
import { standardWebhooksScheme, WEBHOOK_HEADERS } from '../schemes/standardWebhooksScheme.ts';

/** OpenAI: Standard Webhooks (`webhook-*` headers, `whsec_` secret, 5 minutes' tolerance); delivery id `webhook-id`. */
export const openai = defineProvider({
  id: 'openai',
  displayName: 'OpenAI',
  secretKind: 'shared-secret',
  toleranceSeconds: 300,
  scheme: standardWebhooksScheme({
    scheme: 'standard-webhooks',
    headerSets: [WEBHOOK_HEADERS],
    toleranceSeconds: 300,
  }),
  deliveryId: fromHeader('webhook-id'),
});
