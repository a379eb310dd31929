import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  matchSharedToken,
  sharedTokenScheme,
} from '../../../../../lambdas/core/signatures/schemes/sharedToken.ts';
import { webhookRequest } from '../providers/support/requests.ts';

describe('matchSharedToken', () => {
  it('finds the token equal to the presented one, whatever their lengths', () => {
    expect(matchSharedToken('b', ['a', 'b'])).toBe(1);
    expect(matchSharedToken('a'.repeat(300), ['a', 'a'.repeat(300)])).toBe(1);
    expect(matchSharedToken('a', ['aa', 'A'])).toBe(-1);
  });

  it('never matches an empty presented or configured token', () => {
    expect(matchSharedToken('', [''])).toBe(-1);
    expect(matchSharedToken('x', ['', 'x'])).toBe(1);
  });

  it('skips secrets that are not tokens for the scheme', () => {
    expect(matchSharedToken('whsec_x', ['whsec_x'], (secret) => !secret.startsWith('whsec_'))).toBe(-1);
  });

  it('matches exactly the equal strings', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (a, b) => {
        expect(matchSharedToken(a, [b]) === 0).toBe(a === b);
      }),
    );
  });
});

describe('sharedTokenScheme', () => {
  const scheme = sharedTokenScheme({
    scheme: 'test-token',
    header: 'x-token',
    single: true,
    pattern: /^[a-z]{1,8}$/,
  });
  const verify = (headers: Record<string, string>) =>
    scheme({
      request: webhookRequest({ url: 'https://h.example/x', headers }),
      source: { provider: 'telegram', secrets: ['abc'] },
      nowSeconds: 0,
    });

  it('reports the scheme and the matching secret', () => {
    expect(verify({ 'x-token': 'abc' })).toEqual({ ok: true, scheme: 'test-token', secretIndex: 0 });
  });

  it('tells a malformed token from a wrong one', () => {
    expect(verify({ 'x-token': 'ABC' })).toEqual({ ok: false, reason: 'malformed x-token header' });
    expect(verify({ 'x-token': 'abd' })).toEqual({ ok: false, reason: 'token does not match' });
  });

  it('refuses a token header sent twice when tokens cannot hold a comma', () => {
    expect(verify({ 'x-token': 'abc, abc' })).toEqual({ ok: false, reason: 'duplicated x-token header' });
  });
});
