import { defineProvider } from '../defineProvider.ts';
import { fromHeader } from '../deliveryIds.ts';
import { hmacHeaderScheme } from '../schemes/hmacHeaderScheme.ts';

/** Jira Cloud (admin webhooks with a secret): HMAC-SHA256 of the raw body, hex, in `X-Hub-Signature: sha256=…`; delivery id `X-Atlassian-Webhook-Identifier` (unchanged across retries). */
export const jira = defineProvider({
  id: 'jira',
  displayName: 'Jira',
  secretKind: 'shared-secret',
  scheme: hmacHeaderScheme({
    scheme: 'jira-sha256',
    headers: ['x-hub-signature'],
    algorithm: 'sha256',
    encoding: 'hex',
    prefix: 'sha256=',
  }),
  deliveryId: fromHeader('x-atlassian-webhook-identifier'),
});
