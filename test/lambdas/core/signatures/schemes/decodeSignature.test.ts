import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeSignature } from '../../../../../lambdas/core/signatures/schemes/decodeSignature.ts';

describe('decodeSignature', () => {
  it('decodes hex in either case and base64 in either alphabet', () => {
    expect(decodeSignature('9F86d0', 'hex')).toEqual(Buffer.from([0x9f, 0x86, 0xd0]));
    expect(decodeSignature('+/8=', 'base64')).toEqual(Buffer.from([0xfb, 0xff]));
    expect(decodeSignature('-_8', 'base64')).toEqual(Buffer.from([0xfb, 0xff]));
  });

  it.each([
    ['', 'hex'],
    ['abc', 'hex'],
    ['zz', 'hex'],
    ['ab cd', 'hex'],
    ['', 'base64'],
    ['a', 'base64'],
    ['ab=c', 'base64'],
    ['ab,', 'base64'],
  ] as const)('refuses %j as %s instead of decoding part of it', (text, encoding) => {
    expect(decodeSignature(text, encoding)).toBeUndefined();
  });

  it('round-trips any bytes and never throws', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        fc.string({ unit: 'binary', maxLength: 80 }),
        (bytes, junk) => {
          const buffer = Buffer.from(bytes);
          expect(decodeSignature(buffer.toString('hex'), 'hex')).toEqual(buffer);
          expect(decodeSignature(buffer.toString('base64'), 'base64')).toEqual(buffer);
          expect(() => decodeSignature(junk, 'hex')).not.toThrow();
          expect(() => decodeSignature(junk, 'base64')).not.toThrow();
        },
      ),
    );
  });
});
