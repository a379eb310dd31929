import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePem, derFromPemOrDer, encodePem } from '../../../../lambdas/core/identity/pem.ts';

describe('pem', () => {
  it('round-trips any bytes through encodePem and decodePem (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 600 }), (der) => {
        expect(Buffer.from(decodePem(encodePem('CERTIFICATE', der), ['CERTIFICATE']))).toEqual(
          Buffer.from(der),
        );
      }),
    );
  });

  it('writes 64-character lines the way openssl does', () => {
    // Act
    const pem = encodePem('CERTIFICATE', new Uint8Array(100));

    // Assess
    const lines = pem.trimEnd().split('\n');
    expect(lines[0]).toBe('-----BEGIN CERTIFICATE-----');
    expect(lines[1]).toHaveLength(64);
    expect(lines.at(-1)).toBe('-----END CERTIFICATE-----');
    expect(pem.endsWith('\n')).toBe(true);
  });

  it('accepts CRLF line ends and surrounding whitespace', () => {
    const der = new Uint8Array(randomBytes(90));
    const pem = `\n  ${encodePem('CERTIFICATE', der).replace(/\n/g, '\r\n')}  \n`;
    expect(Buffer.from(decodePem(pem, ['CERTIFICATE']))).toEqual(Buffer.from(der));
  });

  it('refuses boundaries with different labels', () => {
    const pem = encodePem('CERTIFICATE', new Uint8Array(10)).replace('END CERTIFICATE', 'END PRIVATE KEY');
    expect(() => decodePem(pem, ['CERTIFICATE'])).toThrow(expect.objectContaining({ code: 'pem_malformed' }));
  });

  it('passes DER through and decodes PEM given as bytes', () => {
    const der = new Uint8Array([0x30, 0x00]);
    expect(derFromPemOrDer(der, ['CERTIFICATE'])).toBe(der);
    const asBytes = new TextEncoder().encode(encodePem('CERTIFICATE', der));
    expect(Buffer.from(derFromPemOrDer(asBytes, ['CERTIFICATE']))).toEqual(Buffer.from(der));
  });

  it('does not echo the PEM body in its errors', () => {
    const secretish = 'c2VjcmV0LWtleS1tYXRlcmlhbA==';
    const pem = `-----BEGIN PRIVATE KEY-----\n${secretish}\n-----END PRIVATE KEY-----`;
    try {
      decodePem(pem, ['CERTIFICATE']);
      expect.unreachable();
    } catch (error) {
      expect(
        JSON.stringify({ message: (error as Error).message, data: (error as { data: unknown }).data }),
      ).not.toContain(secretish);
    }
  });
});
