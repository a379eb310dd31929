import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SealedRequest } from '../../../../lambdas/core/envelope/index.ts';
import { decodeRequest, encodeRequest } from '../../../../lambdas/core/envelope/requestCodec.ts';
import { EnvelopeError } from '../../../../lambdas/core/errors.ts';
import { aRequest, arbitraryRequest } from './envelopeFactories.ts';

const encoded = (request: SealedRequest) => Buffer.concat(encodeRequest(request));

function errorOf(act: () => unknown): EnvelopeError {
  try {
    act();
  } catch (error) {
    expect(error).toBeInstanceOf(EnvelopeError);
    return error as EnvelopeError;
  }
  return expect.fail('expected an EnvelopeError');
}

describe('request codec', () => {
  it('decodes exactly what it encodes', () => {
    fc.assert(
      fc.property(arbitraryRequest(4096), (request) => {
        // Act
        const decoded = decodeRequest(encoded(request));

        // Assess
        expect(decoded.method).toBe(request.method);
        expect(decoded.path).toBe(request.path);
        expect(decoded.query).toBe(request.query);
        expect(Object.entries(decoded.headers)).toEqual(Object.entries(request.headers));
        expect(Buffer.from(decoded.body).equals(request.body)).toBe(true);
      }),
    );
  });

  it('hands the body to the cipher as the caller gave it, without copying it', () => {
    const request = aRequest();
    const pieces = encodeRequest(request);
    expect(pieces).toHaveLength(2);
    expect(pieces[1]).toBe(request.body);
  });

  it('decodes the body as a view of the plaintext', () => {
    const plaintext = encoded(aRequest());
    const body = decodeRequest(plaintext).body;
    expect(body.buffer).toBe(plaintext.buffer);
  });

  it('keeps a header named __proto__ as a header', () => {
    // Prepare
    const headers = Object.fromEntries([['__proto__', 'value']]);

    // Act
    const decoded = decodeRequest(encoded(aRequest({ headers })));

    // Assess
    expect(Object.keys(decoded.headers)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(decoded.headers)).toBe(Object.prototype);
  });

  it('keeps Unicode and a leading byte order mark in strings', () => {
    const request = aRequest({
      path: '/hooks/ünïcode',
      query: 'q=%E2%9C%93&x=✓',
      headers: { 'x-note': '\uFEFFhi' },
    });
    const decoded = decodeRequest(encoded(request));
    expect([decoded.path, decoded.query, decoded.headers['x-note']]).toEqual([
      request.path,
      request.query,
      '\uFEFFhi',
    ]);
  });

  it('refuses bytes left after the body', () => {
    expect(errorOf(() => decodeRequest(Buffer.concat([encoded(aRequest()), Buffer.of(0)]))).code).toBe(
      'malformed',
    );
  });

  it('calls every prefix of a plaintext truncated', () => {
    const plaintext = encoded(aRequest());
    for (let length = 0; length < plaintext.length; length++) {
      expect(errorOf(() => decodeRequest(plaintext.subarray(0, length))).code, `length ${length}`).toBe(
        'truncated',
      );
    }
  });

  it('refuses a string that is not valid UTF-8', () => {
    const plaintext = encoded(aRequest({ method: 'POST' }));
    plaintext[2] = 0xff;
    expect(errorOf(() => decodeRequest(plaintext)).code).toBe('malformed');
  });

  it('refuses a header count larger than the headers present', () => {
    const plaintext = encoded(aRequest({ method: 'POST', path: '', query: '', headers: {} }));
    plaintext.writeUInt16BE(0xffff, 2 + 4 + 4 + 4);
    expect(errorOf(() => decodeRequest(plaintext)).code).toBe('truncated');
  });

  it.each([
    ['a method that is not a string', { method: undefined as unknown as string }],
    ['a method over 65535 bytes', { method: 'M'.repeat(0x10000) }],
    ['a method over 65535 UTF-8 bytes in fewer characters', { method: '€'.repeat(21_846) }],
    ['a header name over 65535 bytes', { headers: { ['n'.repeat(0x10000)]: 'v' } }],
    ['a header value that is not a string', { headers: { 'x-count': 3 as unknown as string } }],
    ['a body that is not bytes', { body: [1, 2, 3] as unknown as Uint8Array }],
    [
      'more than 65535 headers',
      { headers: Object.fromEntries(Array.from({ length: 0x10000 }, (_, i) => [`h${i}`, ''])) },
    ],
  ])('refuses to encode %s', (_name, changes) => {
    expect(errorOf(() => encodeRequest(aRequest(changes))).code).toBe('invalid_request');
  });
});
