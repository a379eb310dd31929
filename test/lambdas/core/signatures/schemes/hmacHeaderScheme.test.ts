import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hmacHeaderScheme } from '../../../../../lambdas/core/signatures/schemes/hmacHeaderScheme.ts';
import { signedRequest } from '../support/signedRequest.ts';

describe('hmacHeaderScheme', () => {
  const scheme = hmacHeaderScheme({
    scheme: 'test-sha512',
    headers: ['x-primary', 'x-fallback'],
    algorithm: 'sha512',
    encoding: 'base64',
    prefix: 's=',
    separator: ' ',
  });
  const mac = createHmac('sha512', 'k2').update('payload').digest('base64');
  const run = (headers: Record<string, string>) =>
    scheme({
      request: signedRequest({ headers, body: 'payload' }),
      source: { provider: 'generic', secrets: ['k1', 'k2'] },
      nowSeconds: 0,
    });

  it('reads the first header present, skips entries without the prefix and names the matching secret', () => {
    expect(run({ 'x-fallback': `x=1 s=AAAA s=${mac}` })).toEqual({
      ok: true,
      scheme: 'test-sha512',
      secretIndex: 1,
    });
  });

  it('explains a header with no usable entry', () => {
    expect(run({ 'x-primary': 'x=1 s=%%' })).toEqual({ ok: false, reason: 'malformed x-primary header' });
    expect(run({ 'x-primary': '  ' })).toEqual({ ok: false, reason: 'empty x-primary header' });
    expect(run({})).toEqual({ ok: false, reason: 'missing x-primary header' });
  });
});
