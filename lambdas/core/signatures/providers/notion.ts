import { defineProvider } from '../defineProvider.ts';
import { fromJsonBody } from '../deliveryIds.ts';
import { hmacHeaderScheme } from '../schemes/hmacHeaderScheme.ts';

/** Notion: HMAC-SHA256 of the raw body keyed with the subscription's `verification_token`, hex, in `X-Notion-Signature: sha256=…`; delivery id the event's `id`. */
export const notion = defineProvider({
  id: 'notion',
  displayName: 'Notion',
  secretKind: 'shared-secret',
  scheme: hmacHeaderScheme({
    scheme: 'notion-sha256',
    headers: ['x-notion-signature'],
    algorithm: 'sha256',
    encoding: 'hex',
    prefix: 'sha256=',
  }),
  deliveryId: fromJsonBody('id'),
});
