import { defineProvider } from '../defineProvider.ts';
import { fromJsonBody } from '../deliveryIds.ts';
import { hmacHeaderScheme } from '../schemes/hmacHeaderScheme.ts';

/** Vercel: HMAC-SHA1 of the raw body, hex, in `x-vercel-signature`; delivery id the event's `id`. */
export const vercel = defineProvider({
  id: 'vercel',
  displayName: 'Vercel',
  secretKind: 'shared-secret',
  scheme: hmacHeaderScheme({
    scheme: 'vercel-sha1',
    headers: ['x-vercel-signature'],
    algorithm: 'sha1',
    encoding: 'hex',
  }),
  deliveryId: fromJsonBody('id'),
});
