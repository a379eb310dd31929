import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchUrlBoundHmac } from '../../../../../lambdas/core/signatures/schemes/urlBoundHmac.ts';

const URL_ = 'https://hooks.example.com/v1/hooks/a/s?x=1';
const hmac = (algorithm: 'sha1' | 'sha256', key: string, text: string) =>
  createHmac(algorithm, key).update(text).digest();

describe('matchUrlBoundHmac', () => {
  it('signs prefix, URL and suffix pieces as one string, bytes and UTF-8 text alike', () => {
    const signature = hmac('sha256', 'k', `POST${URL_}{"é":1}1700000000000`);
    const index = matchUrlBoundHmac({
      algorithm: 'sha256',
      signature,
      secrets: ['k'],
      prefix: 'POST',
      urls: [URL_],
      suffix: [new TextEncoder().encode('{"é":1}'), '1700000000000'],
    });
    expect(index).toBe(0);
  });

  it('tries every URL spelling and every secret, and reports the secret', () => {
    const signature = hmac('sha1', 'old', 'https://hooks.example.com:443/v1/hooks/a/s?x=1body');
    const index = matchUrlBoundHmac({
      algorithm: 'sha1',
      signature,
      secrets: ['new', 'old'],
      urls: [URL_, 'https://hooks.example.com:443/v1/hooks/a/s?x=1'],
      suffix: ['body'],
    });
    expect(index).toBe(1);
  });

  it('returns -1 when the URL differs in any character', () => {
    fc.assert(
      fc.property(fc.nat({ max: URL_.length - 1 }), (at) => {
        const signature = hmac('sha256', 'k', `${URL_}body`);
        const changed = URL_.slice(0, at) + String.fromCharCode(URL_.charCodeAt(at) ^ 1) + URL_.slice(at + 1);
        expect(
          matchUrlBoundHmac({
            algorithm: 'sha256',
            signature,
            secrets: ['k'],
            urls: [changed],
            suffix: ['body'],
          }),
        ).toBe(-1);
      }),
    );
  });

  it('signs the plain concatenation, so the URL must be the one the request reached, never one from the body', () => {
    // Bytes moved across the URL/suffix boundary still verify: providers sign url + body with no separator.
    const signature = hmac('sha256', 'k', `${URL_}body`);
    expect(
      matchUrlBoundHmac({
        algorithm: 'sha256',
        signature,
        secrets: ['k'],
        urls: [`${URL_}b`],
        suffix: ['ody'],
      }),
    ).toBe(0);
  });

  it('never matches with no secrets or no URLs', () => {
    const signature = hmac('sha256', 'k', `${URL_}body`);
    expect(
      matchUrlBoundHmac({ algorithm: 'sha256', signature, secrets: [], urls: [URL_], suffix: ['body'] }),
    ).toBe(-1);
    expect(
      matchUrlBoundHmac({ algorithm: 'sha256', signature, secrets: ['k'], urls: [], suffix: ['body'] }),
    ).toBe(-1);
  });
});
