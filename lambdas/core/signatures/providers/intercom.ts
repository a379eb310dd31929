import { defineProvider } from '../defineProvider.ts';
import { fromJsonBody } from '../deliveryIds.ts';
import { hmacHeaderScheme } from '../schemes/hmacHeaderScheme.ts';

/** Intercom: HMAC-SHA1 of the raw body with the app's client secret, hex, in `X-Hub-Signature: sha1=…`; delivery id the notification's `id`. */
export const intercom = defineProvider({
  id: 'intercom',
  displayName: 'Intercom',
  secretKind: 'shared-secret',
  scheme: hmacHeaderScheme({
    scheme: 'intercom-sha1',
    headers: ['x-hub-signature'],
    algorithm: 'sha1',
    encoding: 'hex',
    prefix: 'sha1=',
  }),
  deliveryId: fromJsonBody('id'),
});
