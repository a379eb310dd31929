import { createHmac } from 'node:crypto';
import * as z from 'zod';
import { defineProvider } from '../defineProvider.ts';
import { jsonHandshake } from '../handshakeResponse.ts';
import { parseJsonObject } from '../parseJsonObject.ts';
import { timestampedHmacScheme } from '../schemes/timestampedHmacScheme.ts';

const urlValidation = z.object({
  event: z.literal('endpoint.url_validation'),
  payload: z.object({ plainToken: z.string().min(1).max(1024) }),
});

/**
 * Zoom: `x-zm-signature: v0=…`, HMAC-SHA256 hex of `v0:{x-zm-request-timestamp}:{body}` with the app's
 * secret token, 5 minutes' tolerance. Zoom sends no delivery id, so the ingress hashes the body.
 * Handshake: a verified `endpoint.url_validation` is answered with the plain token and its HMAC-SHA256
 * (hex) under the secret that verified the request.
 */
export const zoom = defineProvider({
  id: 'zoom',
  displayName: 'Zoom',
  secretKind: 'shared-secret',
  toleranceSeconds: 300,
  scheme: timestampedHmacScheme({
    scheme: 'zoom-v0',
    signatureHeader: 'x-zm-signature',
    layout: { kind: 'split', timestampHeader: 'x-zm-request-timestamp', prefix: 'v0=' },
    content: 'v0:{timestamp}:{body}',
    algorithm: 'sha256',
    encoding: 'hex',
    toleranceSeconds: 300,
  }),
  handshake(input, verified) {
    if (!verified.ok) return undefined;
    const parsed = urlValidation.safeParse(parseJsonObject(input.request.body));
    const secret = input.source.secrets[verified.secretIndex];
    if (!parsed.success || secret === undefined) return undefined;
    const { plainToken } = parsed.data.payload;
    const encryptedToken = createHmac('sha256', secret).update(plainToken).digest('hex');
    return jsonHandshake(200, { plainToken, encryptedToken });
  },
});
