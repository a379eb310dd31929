import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { slack } from '../../../../../lambdas/core/signatures/providers/slack.ts';
import type { VerifyInput } from '../../../../../lambdas/core/signatures/types.ts';
import { signedRequest } from '../support/signedRequest.ts';

const secret = '8f742231b10e8888abcd99yyyzzz85a5';

function input(body: string, timestamp: number, signature?: string): VerifyInput {
  const sig =
    signature ?? `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return {
    request: signedRequest({
      headers: { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': sig },
      body,
    }),
    source: { provider: 'slack', secrets: [secret] },
    nowSeconds: timestamp,
  };
}

describe('slack', () => {
  it("verifies the worked example from Slack's request-signing docs", () => {
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';

    const result = slack.verify(
      input(body, 1531420618, 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503'),
    );

    expect(result).toEqual({ ok: true, scheme: 'slack-v0', secretIndex: 0 });
  });

  it('answers a verified url_verification with its challenge, synchronously', () => {
    const body = JSON.stringify({
      token: 't',
      challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
      type: 'url_verification',
    });
    const request = input(body, 1_767_225_600);

    const verified = slack.verify(request);
    const answer = slack.handshake?.(request, verified);

    expect(verified.ok).toBe(true);
    expect(answer).toMatchObject({
      status: 200,
      body: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
    });
    expect(answer?.headers['content-type']).toMatch(/^text\/plain/);
  });

  it('never echoes a challenge that did not verify', () => {
    const body = JSON.stringify({ challenge: 'x', type: 'url_verification' });
    const request = input(body, 1_767_225_600, 'v0=00');

    expect(slack.handshake?.(request, slack.verify(request))).toBeUndefined();
  });

  it('answers no handshake for an ordinary event, whose event_id is the delivery id', () => {
    const body = JSON.stringify({
      type: 'event_callback',
      event_id: 'Ev123',
      event: { type: 'app_mention' },
    });
    const request = input(body, 1_767_225_600);

    const verified = slack.verify(request);

    expect(verified).toMatchObject({ ok: true, deliveryId: 'Ev123' });
    expect(slack.handshake?.(request, verified)).toBeUndefined();
  });
});
