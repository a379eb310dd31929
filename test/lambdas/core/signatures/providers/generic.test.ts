import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generic } from '../../../../../lambdas/core/signatures/providers/generic.ts';
import type { GenericHmacDefinition } from '../../../../../lambdas/core/signatures/types.ts';
import { signedRequest } from '../support/signedRequest.ts';

const secret = 'generic-secret';
const body = '{"ok":true}';

function verify(
  definition: GenericHmacDefinition | undefined,
  headers: Record<string, string>,
  url?: string,
) {
  return generic.verify({
    request: signedRequest({ headers, body, url }),
    source: { provider: 'generic', secrets: [secret], ...(definition ? { generic: definition } : {}) },
    nowSeconds: 1000,
  });
}

describe('generic', () => {
  it('verifies a plain body HMAC in hex with the default template', () => {
    const mac = createHmac('sha256', secret).update(body).digest('hex');

    expect(verify({ header: 'X-Sig', algorithm: 'sha256', encoding: 'hex' }, { 'x-sig': mac })).toEqual({
      ok: true,
      scheme: 'generic-hmac',
      secretIndex: 0,
    });
  });

  it('signs the URL and method when the template says so', () => {
    const url = 'https://hooks.example.com/v1/hooks/a/s?x=1';
    const mac = createHmac('sha1', secret).update(`POST ${url}\n${body}`).digest('base64');
    const definition: GenericHmacDefinition = {
      header: 'x-sig',
      algorithm: 'sha1',
      encoding: 'base64',
      template: '{method} {url}\n{body}',
    };

    expect(verify(definition, { 'x-sig': mac }, url).ok).toBe(true);
    expect(verify(definition, { 'x-sig': mac }, `${url}&y=2`).ok).toBe(false);
  });

  it('explains a missing or invalid definition instead of throwing', () => {
    expect(verify(undefined, {})).toEqual({ ok: false, reason: 'source has no generic definition' });
    expect(
      verify(
        { header: 'x-sig', algorithm: 'sha256', encoding: 'hex', template: '{header:x-ts}' },
        { 'x-sig': 'ab' },
      ),
    ).toEqual({
      ok: false,
      reason: 'invalid generic definition: A signed content template must contain {body} exactly once',
    });
  });

  it('refuses when a header the template signs is absent', () => {
    const definition: GenericHmacDefinition = {
      header: 'x-sig',
      algorithm: 'sha256',
      encoding: 'hex',
      template: '{header:x-nonce}.{body}',
    };

    expect(verify(definition, { 'x-sig': 'abcd' })).toEqual({ ok: false, reason: 'missing x-nonce header' });
  });
});
