import { defineProvider } from '../defineProvider.ts';
import { fromJsonBody } from '../deliveryIds.ts';
import { hmacHeaderScheme } from '../schemes/hmacHeaderScheme.ts';

/** PagerDuty (v3 webhook subscriptions): HMAC-SHA256 of the raw body, hex, in `X-PagerDuty-Signature: v1=…,v1=…` (several while a secret rotates); delivery id the event's `event.id`. */
export const pagerduty = defineProvider({
  id: 'pagerduty',
  displayName: 'PagerDuty',
  secretKind: 'shared-secret',
  scheme: hmacHeaderScheme({
    scheme: 'pagerduty-v1',
    headers: ['x-pagerduty-signature'],
    algorithm: 'sha256',
    encoding: 'hex',
    prefix: 'v1=',
    separator: ',',
  }),
  deliveryId: fromJsonBody('event', 'id'),
});
