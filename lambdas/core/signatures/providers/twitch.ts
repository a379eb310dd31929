import * as z from 'zod';
import { defineProvider } from '../defineProvider.ts';
import { fromHeader } from '../deliveryIds.ts';
import { textHandshake } from '../handshakeResponse.ts';
import { parseJsonObject } from '../parseJsonObject.ts';
import { timestampedHmacScheme } from '../schemes/timestampedHmacScheme.ts';

const MESSAGE_ID = 'twitch-eventsub-message-id';
const callbackVerification = z.object({ challenge: z.string().min(1).max(1024) });

/**
 * Twitch EventSub: `Twitch-Eventsub-Message-Signature: sha256=…`, HMAC-SHA256 hex of message id +
 * timestamp (RFC 3339) + body, 10 minutes' tolerance (Twitch's guidance); delivery id the message id.
 * Handshake: a verified `webhook_callback_verification` is answered with its challenge as text.
 */
export const twitch = defineProvider({
  id: 'twitch',
  displayName: 'Twitch',
  secretKind: 'shared-secret',
  toleranceSeconds: 600,
  scheme: timestampedHmacScheme({
    scheme: 'twitch-eventsub-sha256',
    signatureHeader: 'twitch-eventsub-message-signature',
    layout: { kind: 'split', timestampHeader: 'twitch-eventsub-message-timestamp', prefix: 'sha256=' },
    content: `{header:${MESSAGE_ID}}{timestamp}{body}`,
    timestampFormat: 'rfc3339',
    algorithm: 'sha256',
    encoding: 'hex',
    toleranceSeconds: 600,
  }),
  deliveryId: fromHeader(MESSAGE_ID),
  handshake(input, verified) {
    if (!verified.ok) return undefined;
    if (input.request.headers['twitch-eventsub-message-type'] !== 'webhook_callback_verification')
      return undefined;
    const parsed = callbackVerification.safeParse(parseJsonObject(input.request.body));
    return parsed.success ? textHandshake(200, parsed.data.challenge) : undefined;
  },
});
