import * as z from 'zod';
import { defineProvider } from '../defineProvider.ts';
import { fromJsonBody } from '../deliveryIds.ts';
import { textHandshake } from '../handshakeResponse.ts';
import { parseJsonObject } from '../parseJsonObject.ts';
import { timestampedHmacScheme } from '../schemes/timestampedHmacScheme.ts';

const urlVerification = z.object({
  type: z.literal('url_verification'),
  challenge: z.string().min(1).max(1024),
});

/**
 * Slack: `X-Slack-Signature: v0=…`, HMAC-SHA256 hex of `v0:{X-Slack-Request-Timestamp}:{body}` with the
 * app's signing secret, 5 minutes' tolerance. Delivery id the Events API `event_id` (kept across Slack's
 * retries); other payloads (slash commands, interactivity) carry none, so the ingress hashes the body.
 * Handshake: a verified `url_verification` is answered with its challenge.
 */
export const slack = defineProvider({
  id: 'slack',
  displayName: 'Slack',
  secretKind: 'shared-secret',
  toleranceSeconds: 300,
  scheme: timestampedHmacScheme({
    scheme: 'slack-v0',
    signatureHeader: 'x-slack-signature',
    layout: { kind: 'split', timestampHeader: 'x-slack-request-timestamp', prefix: 'v0=' },
    content: 'v0:{timestamp}:{body}',
    algorithm: 'sha256',
    encoding: 'hex',
    toleranceSeconds: 300,
  }),
  deliveryId: fromJsonBody('event_id'),
  handshake(input, verified) {
    if (!verified.ok) return undefined;
    const parsed = urlVerification.safeParse(parseJsonObject(input.request.body));
    return parsed.success ? textHandshake(200, parsed.data.challenge) : undefined;
  },
});
