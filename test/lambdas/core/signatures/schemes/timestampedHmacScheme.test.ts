import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { timestampedHmacScheme } from '../../../../../lambdas/core/signatures/schemes/timestampedHmacScheme.ts';
import { signedRequest } from '../support/signedRequest.ts';

const scheme = timestampedHmacScheme({
  scheme: 'test-v1',
  signatureHeader: 'x-sig',
  layout: { kind: 'pairs', separator: ',', timestampKey: 't', signatureKey: 'v1' },
  content: '{timestamp}.{body}',
  algorithm: 'sha512',
  encoding: 'base64',
  toleranceSeconds: 60,
});

const run = (header: string, body = 'b', now = 100) =>
  scheme({
    request: signedRequest({ headers: { 'x-sig': header }, body }),
    source: { provider: 'generic', secrets: ['k'] },
    nowSeconds: now,
  });

describe('timestampedHmacScheme', () => {
  const mac = createHmac('sha512', 'k').update('100.b').digest('base64');

  it('verifies any algorithm and encoding it is given', () => {
    expect(run(`t=100,v1=${mac}`)).toEqual({ ok: true, scheme: 'test-v1', secretIndex: 0 });
  });

  it('names what is wrong with the header', () => {
    expect(run(`v1=${mac}`)).toEqual({ ok: false, reason: 'no timestamp in x-sig header' });
    expect(run('t=100,v0=abc')).toEqual({ ok: false, reason: 'no v1 signature in x-sig header' });
    expect(run(`t=1e2,v1=${mac}`)).toEqual({ ok: false, reason: 'malformed timestamp in x-sig header' });
    expect(run(`t=100,t=100,v1=${mac}`)).toEqual({ ok: false, reason: 'duplicated x-sig header' });
  });

  it('checks the MAC before the time, so a stale forgery reads as a forgery', () => {
    expect(run('t=100,v1=AAAA', 'b', 1000)).toEqual({ ok: false, reason: 'signature does not match' });
    expect(run(`t=100,v1=${mac}`, 'b', 1000)).toEqual({ ok: false, reason: 'timestamp too old' });
  });
});
