import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../../../../lambdas/core/errors.ts';
import { PROVIDER_IDS, type SourceVerification } from '../../../../lambdas/core/signatures/types.ts';
import { getProvider, verifyWebhook } from '../../../../lambdas/core/signatures/verifyWebhook.ts';
import { signedRequest } from './support/signedRequest.ts';

const body = '{"zen":"Keep it logically awesome."}';
const secret = 'gh-secret-value';
const request = signedRequest({
  headers: { 'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}` },
  body,
});

function refusal(source: unknown): BadRequestError {
  try {
    verifyWebhook({ request, source: source as SourceVerification, nowSeconds: 0 });
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestError);
    return error as BadRequestError;
  }
  throw new Error('expected verifyWebhook to refuse the source');
}

describe('getProvider', () => {
  it('knows every provider id, each under its own id', () => {
    for (const id of PROVIDER_IDS) expect(getProvider(id).id).toBe(id);
  });

  it('refuses an unknown id, including inherited property names', () => {
    for (const id of ['paypal', 'constructor', '__proto__']) {
      expect(() => getProvider(id as never)).toThrow(expect.objectContaining({ code: 'unknown_provider' }));
    }
  });
});

describe('verifyWebhook', () => {
  it('delegates to the provider of a valid source', () => {
    expect(
      verifyWebhook({ request, source: { provider: 'github', secrets: [secret] }, nowSeconds: 0 }),
    ).toEqual({
      ok: true,
      scheme: 'github-sha256',
      secretIndex: 0,
    });
  });

  it.each([
    ['an unknown provider', { provider: 'paypal', secrets: [secret] }, /unknown provider "paypal"/],
    ['no secrets', { provider: 'github', secrets: [] }, /at least one secret is required/],
    ['an empty secret', { provider: 'github', secrets: [''] }, /a secret must not be empty/],
    [
      'generic without a definition',
      { provider: 'generic', secrets: [secret] },
      /needs a generic definition/,
    ],
    [
      'a generic template without the body',
      {
        provider: 'generic',
        secrets: [secret],
        generic: { header: 'x-sig', algorithm: 'sha256', encoding: 'hex', template: '{url}' },
      },
      /\{body\} exactly once/,
    ],
    [
      'a definition on another provider',
      {
        provider: 'github',
        secrets: [secret],
        generic: { header: 'x-sig', algorithm: 'sha256', encoding: 'hex' },
      },
      /needs provider "generic"/,
    ],
    [
      'a negative tolerance',
      { provider: 'github', secrets: [secret], toleranceSeconds: -5 },
      /toleranceSeconds/,
    ],
    ['an unknown field', { provider: 'github', secrets: [secret], secert: 'typo' }, /secert/],
  ])(
    'refuses a source with %s, saying what is wrong and never echoing a secret',
    (_label, source, message) => {
      const error = refusal(source);

      expect(error.code).toBe('invalid_source_verification');
      expect(error.message).toMatch(message);
      expect(error.message).not.toContain(secret);
    },
  );
});
