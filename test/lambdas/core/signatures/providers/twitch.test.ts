import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { twitch } from '../../../../../lambdas/core/signatures/providers/twitch.ts';
import type { VerifyInput } from '../../../../../lambdas/core/signatures/types.ts';
import { signedRequest } from '../support/signedRequest.ts';

const secret = 'twitch-secret-0123456789';
const timestamp = '2026-01-01T00:00:00.123456789Z';
const now = 1_767_225_600;

function input(body: string, type: string, signWith = secret): VerifyInput {
  const id = 'e76c6bd4-55c9-4987-8304-da1588d8988b';
  const signature = createHmac('sha256', signWith)
    .update(id + timestamp + body)
    .digest('hex');
  return {
    request: signedRequest({
      headers: {
        'twitch-eventsub-message-id': id,
        'twitch-eventsub-message-timestamp': timestamp,
        'twitch-eventsub-message-signature': `sha256=${signature}`,
        'twitch-eventsub-message-type': type,
      },
      body,
    }),
    source: { provider: 'twitch', secrets: [secret] },
    nowSeconds: now,
  };
}

describe('twitch', () => {
  const challenge = JSON.stringify({
    challenge: 'pogchamp-kappa-360noscope-vohiyo',
    subscription: { id: 'f1c2' },
  });

  it('answers a verified webhook_callback_verification with the challenge as plain text', () => {
    const request = input(challenge, 'webhook_callback_verification');

    const verified = twitch.verify(request);
    const answer = twitch.handshake?.(request, verified);

    expect(verified).toMatchObject({ ok: true, deliveryId: 'e76c6bd4-55c9-4987-8304-da1588d8988b' });
    expect(answer).toMatchObject({ status: 200, body: 'pogchamp-kappa-360noscope-vohiyo' });
    expect(answer?.headers['content-type']).toMatch(/^text\/plain/);
  });

  it('answers nothing for an unverified challenge or a notification', () => {
    const forged = input(challenge, 'webhook_callback_verification', 'not-the-secret');
    const notification = input(challenge, 'notification');

    expect(twitch.handshake?.(forged, twitch.verify(forged))).toBeUndefined();
    expect(twitch.handshake?.(notification, twitch.verify(notification))).toBeUndefined();
  });

  it('refuses a timestamp that is not RFC 3339', () => {
    const request = input('{}', 'notification');
    const headers = { ...request.request.headers, 'twitch-eventsub-message-timestamp': '1767225600' };

    const result = twitch.verify({ ...request, request: { ...request.request, headers } });

    expect(result).toEqual({
      ok: false,
      reason: 'malformed timestamp in twitch-eventsub-message-timestamp header',
    });
  });
});
