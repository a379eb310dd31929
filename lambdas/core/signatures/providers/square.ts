import { defineProvider } from '../defineProvider.ts';
import { fromJsonBody } from '../deliveryIds.ts';
import { decodeSignature } from '../schemes/decodeSignature.ts';
import { readHeader } from '../schemes/readHeader.ts';
import { matchUrlBoundHmac } from '../schemes/urlBoundHmac.ts';
import type { VerifyInput, VerifyResult } from '../types.ts';

const SIGNATURE = 'x-square-hmacsha256-signature';

/**
 * Square: `x-square-hmacsha256-signature` is the base64 HMAC-SHA256, keyed with the subscription's
 * signature key, of the notification URL followed by the raw body. The URL is the exact public URL the
 * request reached, as configured in the subscription; Square signs no other spelling. No timestamp: the
 * delivery id, the body's `event_id`, catches retries and replays.
 */
export const square = defineProvider({
  id: 'square',
  displayName: 'Square',
  secretKind: 'shared-secret',
  scheme: verifySquare,
  deliveryId: fromJsonBody('event_id'),
});

function verifySquare({ request, source }: VerifyInput): VerifyResult {
  const header = readHeader(request.headers, [SIGNATURE], true);
  if ('reason' in header) return { ok: false, reason: header.reason };
  const signature = decodeSignature(header.value, 'base64');
  if (signature?.length !== 32) return { ok: false, reason: `malformed ${SIGNATURE} header` };
  const secretIndex = matchUrlBoundHmac({
    algorithm: 'sha256',
    signature,
    secrets: source.secrets,
    urls: [request.url],
    suffix: [request.body],
  });
  if (secretIndex === -1) return { ok: false, reason: 'signature does not match' };
  return { ok: true, scheme: 'square-hmac-sha256', secretIndex };
}
