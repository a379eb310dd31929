import { defineProvider } from '../defineProvider.ts';
import { fromHeader } from '../deliveryIds.ts';
import { SVIX_HEADERS, standardWebhooksScheme } from '../schemes/standardWebhooksScheme.ts';

/** Clerk: delivers through Svix (`svix-*` headers, `whsec_` signing secret, 5 minutes' tolerance); delivery id `svix-id`. */
export const clerk = defineProvider({
  id: 'clerk',
  displayName: 'Clerk',
  secretKind: 'shared-secret',
  toleranceSeconds: 300,
  scheme: standardWebhooksScheme({ scheme: 'svix', headerSets: [SVIX_HEADERS], toleranceSeconds: 300 }),
  deliveryId: fromHeader('svix-id'),
});
