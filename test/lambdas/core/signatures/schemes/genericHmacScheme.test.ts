import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { genericHmacScheme } from '../../../../../lambdas/core/signatures/schemes/genericHmacScheme.ts';
import { signedRequest } from '../support/signedRequest.ts';

describe('genericHmacScheme', () => {
  it('bounds a timestamp header in time when the definition has one', () => {
    const scheme = genericHmacScheme({
      header: 'X-Sig',
      algorithm: 'sha256',
      encoding: 'hex',
      template: '{timestamp}.{body}',
      timestampHeader: 'X-Ts',
    });
    const mac = createHmac('sha256', 'k').update('1000.body').digest('hex');
    const run = (now: number) =>
      scheme({
        request: signedRequest({ headers: { 'x-ts': '1000', 'x-sig': mac }, body: 'body' }),
        source: { provider: 'generic', secrets: ['k'] },
        nowSeconds: now,
      });

    expect(run(1300)).toMatchObject({ ok: true, scheme: 'generic-hmac' });
    expect(run(1301)).toEqual({ ok: false, reason: 'timestamp too old' });
  });

  it('refuses an invalid template when built', () => {
    expect(() =>
      genericHmacScheme({ header: 'x', algorithm: 'sha1', encoding: 'hex', template: 'no body' }),
    ).toThrow();
  });
});
