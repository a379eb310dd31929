import { defineProvider } from '../defineProvider.ts';
import { fromHeader } from '../deliveryIds.ts';
import { hmacHeaderScheme } from '../schemes/hmacHeaderScheme.ts';

/** Sentry (integration platform): HMAC-SHA256 of the raw body with the client secret, hex, in `Sentry-Hook-Signature`; delivery id `Request-ID`. `Sentry-Hook-Timestamp` is not signed, so it bounds nothing. */
export const sentry = defineProvider({
  id: 'sentry',
  displayName: 'Sentry',
  secretKind: 'shared-secret',
  scheme: hmacHeaderScheme({
    scheme: 'sentry-sha256',
    headers: ['sentry-hook-signature'],
    algorithm: 'sha256',
    encoding: 'hex',
  }),
  deliveryId: fromHeader('request-id'),
});
