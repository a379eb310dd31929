import * as z from 'zod';
import { defineProvider } from '../defineProvider.ts';
import { fromJsonBody } from '../deliveryIds.ts';
import { jsonHandshake } from '../handshakeResponse.ts';
import { parseJsonObject } from '../parseJsonObject.ts';
import { matchAsymmetricSignature } from '../schemes/asymmetricSignature.ts';
import { checkTimestamp, parseTimestamp } from '../schemes/checkTimestamp.ts';
import { decodeSignature } from '../schemes/decodeSignature.ts';
import { readHeader } from '../schemes/readHeader.ts';
import type { VerifyInput, VerifyResult } from '../types.ts';

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
  scheme: verifyDiscord,
  deliveryId: fromJsonBody('id'),
  handshake(input, verified) {
    if (!verified.ok) return undefined;
    return ping.safeParse(parseJsonObject(input.request.body)).success
      ? jsonHandshake(200, { type: PING })
      : undefined;
  },
});

function verifyDiscord({ request, source, nowSeconds }: VerifyInput): VerifyResult {
  const header = readHeader(request.headers, [SIGNATURE], true);
  if ('reason' in header) return { ok: false, reason: header.reason };
  const timestamp = readHeader(request.headers, [TIMESTAMP], true);
  if ('reason' in timestamp) return { ok: false, reason: timestamp.reason };
  const seconds = parseTimestamp(timestamp.value, 'unix-seconds');
  if (seconds === undefined) return { ok: false, reason: `malformed ${TIMESTAMP} header` };
  const signature = decodeSignature(header.value, 'hex');
  if (signature?.length !== 64) return { ok: false, reason: `malformed ${SIGNATURE} header` };
  const match = matchAsymmetricSignature({
    algorithm: 'ed25519',
    signature,
    publicKeys: source.secrets,
    message: [Buffer.from(timestamp.value, 'latin1'), request.body],
  });
  if (!match.ok) return match;
  const stale = checkTimestamp(seconds, nowSeconds, source.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS);
  if (stale !== undefined) return { ok: false, reason: stale };
  return { ok: true, scheme: 'discord-ed25519', secretIndex: match.keyIndex };
}
