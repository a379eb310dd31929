import { describe, expect, it } from 'vitest';
import { meta } from '../../../../../lambdas/core/signatures/providers/meta.ts';
import type { VerifyInput } from '../../../../../lambdas/core/signatures/types.ts';
import { signedRequest } from '../support/signedRequest.ts';

function get(query: string, verifyToken: string | undefined): VerifyInput {
  return {
    request: signedRequest({
      headers: {},
      body: '',
      method: 'GET',
      url: `https://hooks.example.com/v1/hooks/a/s?${query}`,
    }),
    source: {
      provider: 'meta',
      secrets: ['app-secret'],
      ...(verifyToken === undefined ? {} : { verifyToken }),
    },
    nowSeconds: 0,
  };
}

describe('meta', () => {
  const unsigned = { ok: false, reason: 'unsigned GET' } as const;

  it('answers the subscription GET with hub.challenge when hub.verify_token matches', () => {
    const request = get(
      'hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=meatyhamhock',
      'meatyhamhock',
    );

    expect(meta.handshake?.(request, unsigned)).toMatchObject({ status: 200, body: '1158201444' });
  });

  it.each([
    ['a wrong token', 'hub.mode=subscribe&hub.challenge=1&hub.verify_token=guess', 'meatyhamhock'],
    ['a longer token', 'hub.mode=subscribe&hub.challenge=1&hub.verify_token=meatyhamhock2', 'meatyhamhock'],
    ['no configured token', 'hub.mode=subscribe&hub.challenge=1&hub.verify_token=', undefined],
  ])('refuses with 403 on %s', (_label, query, token) => {
    expect(meta.handshake?.(get(query, token), unsigned)).toMatchObject({ status: 403 });
  });

  it('answers nothing for a GET that is not a subscription request, or for a POST', () => {
    expect(
      meta.handshake?.(get('hub.mode=unsubscribe&hub.verify_token=t&hub.challenge=1', 't'), unsigned),
    ).toBeUndefined();
    expect(meta.handshake?.(get('', 't'), unsigned)).toBeUndefined();
    const post = { ...get('hub.mode=subscribe&hub.verify_token=t&hub.challenge=1', 't') };
    expect(
      meta.handshake?.({ ...post, request: { ...post.request, method: 'POST' } }, unsigned),
    ).toBeUndefined();
  });
});
