import { defineProvider } from '../defineProvider.ts';
import { fromHeader } from '../deliveryIds.ts';
import { hmacHeaderScheme } from '../schemes/hmacHeaderScheme.ts';

/** GitHub: HMAC-SHA256 of the raw body, hex, in `X-Hub-Signature-256: sha256=…` (the SHA-1 `X-Hub-Signature` is not accepted); delivery id `X-GitHub-Delivery`. */
export const github = defineProvider({
  id: 'github',
  displayName: 'GitHub',
  secretKind: 'shared-secret',
  scheme: hmacHeaderScheme({
    scheme: 'github-sha256',
    headers: ['x-hub-signature-256'],
    algorithm: 'sha256',
    encoding: 'hex',
    prefix: 'sha256=',
  }),
  deliveryId: fromHeader('x-github-delivery'),
});
