import { defineProvider } from '../defineProvider.ts';
import { fromJsonBody } from '../deliveryIds.ts';
import { hmacHeaderScheme } from '../schemes/hmacHeaderScheme.ts';

/** Typeform: HMAC-SHA256 of the raw body, base64, in `Typeform-Signature: sha256=…`; delivery id `event_id`. */
export const typeform = defineProvider({
  id: 'typeform',
  displayName: 'Typeform',
  secretKind: 'shared-secret',
  scheme: hmacHeaderScheme({
    scheme: 'typeform-sha256',
    headers: ['typeform-signature'],
    algorithm: 'sha256',
    encoding: 'base64',
    prefix: 'sha256=',
  }),
  deliveryId: fromJsonBody('event_id'),
});
