import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseKeyValueHeader } from '../../../../../lambdas/core/signatures/schemes/parseKeyValueHeader.ts';

describe('parseKeyValueHeader', () => {
  it('reads Stripe and Paddle headers as ordered pairs, keeping repeated keys', () => {
    expect(parseKeyValueHeader('t=1492774577,v1=5257a8,v0=6ffbb5,v1=9b2c', ',')).toEqual([
      ['t', '1492774577'],
      ['v1', '5257a8'],
      ['v0', '6ffbb5'],
      ['v1', '9b2c'],
    ]);
    expect(parseKeyValueHeader('ts=1671552777;h1=eb4d0d', ';')).toEqual([
      ['ts', '1671552777'],
      ['h1', 'eb4d0d'],
    ]);
  });

  it.each(['', 't', '=1', 't=', 't=1,v1', ',,,'])('refuses the malformed header %j', (value) => {
    expect(parseKeyValueHeader(value, ',')).toBeUndefined();
  });

  it('round-trips any list of pairs it is given', () => {
    const token = fc.stringMatching(/^[A-Za-z0-9_+/.-]{1,16}$/);
    fc.assert(
      fc.property(fc.array(fc.tuple(token, token), { minLength: 1, maxLength: 32 }), (pairs) => {
        expect(parseKeyValueHeader(pairs.map(([k, v]) => `${k}=${v}`).join(','), ',')).toEqual(pairs);
      }),
    );
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (value) => {
        expect(() => parseKeyValueHeader(value, ',')).not.toThrow();
      }),
    );
  });
});
