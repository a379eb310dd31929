import { defineProvider } from '../defineProvider.ts';
import { fromHeader } from '../deliveryIds.ts';
import { hmacHeaderScheme } from '../schemes/hmacHeaderScheme.ts';

/** Bitbucket (Cloud and Data Center): HMAC-SHA256 of the raw body, hex, in `X-Hub-Signature: sha256=…`; delivery id `X-Request-UUID` (Cloud) or `X-Request-Id` (Data Center). */
export const bitbucket = defineProvider({
  id: 'bitbucket',
  displayName: 'Bitbucket',
  secretKind: 'shared-secret',
  scheme: hmacHeaderScheme({
    scheme: 'bitbucket-sha256',
    headers: ['x-hub-signature'],
    algorithm: 'sha256',
    encoding: 'hex',
    prefix: 'sha256=',
  }),
  deliveryId: fromHeader('x-request-uuid', 'x-request-id'),
});
