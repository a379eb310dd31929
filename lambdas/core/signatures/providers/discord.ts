import * as z from 'zod';
import { defineProvider } from '../defineProvider.ts';
import { fromJsonBody } from '../deliveryIds.ts';
import { jsonHandshake } from '../handshakeResponse.ts';
import { parseJsonObject } from '../parseJsonObject.ts';
import { timestampedAsymmetricScheme } from '../schemes/timestampedAsymmetricScheme.ts';

const SIGNATURE = 'x-signature-ed25519';
const TIMESTAMP = 'x-signature-timestamp';
const DEFAULT_TOLERANCE_SECONDS = 300;
const PING = 1;

const ping = z.object({ type: z.literal(PING) });

/**
 * Discord interactions: `X-Signature-Ed25519` is the hex Ed25519 signature of `X-Signature-Timestamp`
 * followed by the raw body, under the application's public key (secrets are that key, 64 hex
 * characters). Discord names no tolerance; it expects an answer within 3 seconds and never retries, so
 * the usual 5 minutes either way costs nothing and stops replays. Delivery id: the interaction `id`.
 * Handshake: a verified PING (`{"type":1}`) is answered with PONG (`{"type":1}`) as JSON; Discord sends
 * one, and deliberately bad signatures, when the endpoint is saved and at random afterwards.
 */
export const discord = defineProvider({
  id: 'discord',
  displayName: 'Discord',
  secretKind: 'public-key',
  toleranceSeconds: DEFAULT_TOLERANCE_SECONDS,
  scheme: timestampedAsymmetricScheme({
    scheme: 'discord-ed25519',
    algorithm: 'ed25519',
    signatureHeader: SIGNATURE,
    encoding: 'hex',
    validLength: (bytes) => bytes === 64,
    timestampHeader: TIMESTAMP,
    toleranceSeconds: DEFAULT_TOLERANCE_SECONDS,
  }),
  deliveryId: fromJsonBody('id'),
  handshake(input, verified) {
    if (!verified.ok) return undefined;
    return ping.safeParse(parseJsonObject(input.request.body)).success
      ? jsonHandshake(200, { type: PING })
      : undefined;
  },
});
