import { createHash } from 'node:crypto';
import * as z from 'zod';
import { defineProvider } from '../defineProvider.ts';
import { textHandshake } from '../handshakeResponse.ts';
import { constantTimeEqual } from '../schemes/constantTimeEqual.ts';
import { hmacHeaderScheme } from '../schemes/hmacHeaderScheme.ts';

const subscribe = z.object({
  'hub.mode': z.literal('subscribe'),
  'hub.verify_token': z.string(),
  'hub.challenge': z.string().min(1).max(1024),
});

/** Equal-length digests, so the comparison leaks neither content nor the expected token's length. */
function sameToken(received: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return constantTimeEqual(digest(received), digest(expected));
}

/**
 * Meta (WhatsApp, Messenger, Instagram): HMAC-SHA256 of the raw body with the app secret, hex, in
 * `X-Hub-Signature-256: sha256=…`. Meta sends no delivery id, so the ingress hashes the body.
 * Handshake: the unsigned `GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…` is answered
 * with the challenge when the token equals the source's `verifyToken` (403 otherwise).
 */
export const meta = defineProvider({
  id: 'meta',
  displayName: 'Meta',
  secretKind: 'shared-secret',
  scheme: hmacHeaderScheme({
    scheme: 'meta-sha256',
    headers: ['x-hub-signature-256'],
    algorithm: 'sha256',
    encoding: 'hex',
    prefix: 'sha256=',
  }),
  handshake(input) {
    if (input.request.method !== 'GET') return undefined;
    const parsed = subscribe.safeParse(Object.fromEntries(new URLSearchParams(input.request.query)));
    if (!parsed.success) return undefined;
    const expected = input.source.verifyToken;
    if (expected === undefined || expected === '' || !sameToken(parsed.data['hub.verify_token'], expected)) {
      return textHandshake(403, 'verify token mismatch');
    }
    return textHandshake(200, parsed.data['hub.challenge']);
  },
});
