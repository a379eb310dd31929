import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadRequestError } from '../../../../lambdas/core/errors.ts';
import {
  MAX_CSR_BYTES,
  parseCertificateRequest,
} from '../../../../lambdas/core/identity/parseCertificateRequest.ts';
import { encodePem } from '../../../../lambdas/core/identity/pem.ts';
import { OpenSslWorkspace } from '../../../support/openssl.ts';

/** Turns a PEM CSR from openssl into DER with openssl itself, so the bytes we tamper with are real. */
function derOf(ssl: OpenSslWorkspace, name: string): Uint8Array {
  ssl.must(['req', '-in', `${name}.csr`, '-outform', 'DER', '-out', `${name}.der`]);
  return new Uint8Array(ssl.read(`${name}.der`));
}

function expectCode(attempt: () => unknown, code: string): void {
  let thrown: unknown;
  try {
    attempt();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(BadRequestError);
  expect(thrown).toMatchObject({ code, status: 400 });
}

describe('parseCertificateRequest', () => {
  const ssl = new OpenSslWorkspace();
  let goodPem: string;
  let goodDer: Uint8Array;

  beforeAll(() => {
    goodPem = ssl.csr('good');
    goodDer = derOf(ssl, 'good');
  });
  afterAll(() => ssl.remove());

  it('accepts an openssl P-256 CSR as PEM text, PEM bytes and DER, with the same key', () => {
    // Prepare
    const opensslKey = ssl.must(['req', '-in', 'good.csr', '-noout', '-pubkey']);

    // Act
    const fromPem = parseCertificateRequest(goodPem);
    const fromPemBytes = parseCertificateRequest(new TextEncoder().encode(goodPem));
    const fromDer = parseCertificateRequest(goodDer);

    // Assess
    const exported = fromPem.publicKey.key.export({ type: 'spki', format: 'pem' });
    expect(exported).toBe(opensslKey);
    expect(Buffer.from(fromPemBytes.publicKey.spki)).toEqual(Buffer.from(fromPem.publicKey.spki));
    expect(Buffer.from(fromDer.publicKey.spki)).toEqual(Buffer.from(fromPem.publicKey.spki));
  });

  it('accepts the legacy NEW CERTIFICATE REQUEST label', () => {
    // Act
    const result = parseCertificateRequest(encodePem('NEW CERTIFICATE REQUEST', goodDer));

    // Assess
    expect(result.publicKey.spki.byteLength).toBe(91);
  });

  it('accepts CSRs signed with ECDSA over SHA-384 and SHA-512', () => {
    for (const digest of ['-sha384', '-sha512']) {
      // Prepare
      ssl.must(['req', '-new', '-key', 'good.key', '-subj', '/CN=x', digest, '-out', `digest${digest}.csr`]);

      // Act
      const result = parseCertificateRequest(ssl.read(`digest${digest}.csr`).toString());

      // Assess
      expect(result.publicKey.key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    }
  });

  it('refuses a CSR whose signature was tampered with (no proof of possession)', () => {
    // Prepare: flip the last byte of the signature's s integer.
    const tampered = goodDer.slice();
    tampered[tampered.length - 1]! ^= 0x01;

    // Act + Assess
    expectCode(() => parseCertificateRequest(tampered), 'csr_signature_invalid');
  });

  it('refuses a CSR whose signed content was changed after signing', () => {
    // Prepare: change one letter of the subject CN ("ignored" → "ignorex").
    const tampered = goodDer.slice();
    const at = Buffer.from(tampered).indexOf('ignored');
    tampered[at + 6] = 'x'.charCodeAt(0);

    // Act + Assess
    expectCode(() => parseCertificateRequest(tampered), 'csr_signature_invalid');
  });

  it('refuses a CSR carrying someone else’s key under its own signature', () => {
    // Prepare: splice a different P-256 public key into the request, keeping the original signature.
    ssl.csr('other');
    const otherDer = derOf(ssl, 'other');
    const ownKey = parseCertificateRequest(goodDer).publicKey.spki;
    const otherKey = parseCertificateRequest(otherDer).publicKey.spki;
    const spliced = Buffer.from(goodDer);
    spliced.set(otherKey, spliced.indexOf(Buffer.from(ownKey)));

    // Act + Assess
    expectCode(() => parseCertificateRequest(new Uint8Array(spliced)), 'csr_signature_invalid');
  });

  it.each([
    ['an RSA key', 'rsa', 'not_ec'],
    ['a P-384 key', 'p384', 'not_p256'],
    ['an Ed25519 key', 'ed25519', 'not_ec'],
  ] as const)('refuses a CSR with %s', (_label, kind, rejection) => {
    // Prepare
    const pem = ssl.csr(`kind-${kind}`, kind);

    // Act + Assess
    expectCode(() => parseCertificateRequest(pem), 'csr_key_unsupported');
    expect(() => parseCertificateRequest(pem)).toThrow(expect.objectContaining({ data: { rejection } }));
  });

  it('refuses a P-256 key with a compressed point', () => {
    // Prepare
    ssl.must(['ec', '-in', 'good.key', '-conv_form', 'compressed', '-out', 'compressed.key']);
    ssl.must(['req', '-new', '-key', 'compressed.key', '-subj', '/CN=x', '-out', 'compressed.csr']);

    // Act + Assess
    expect(() => parseCertificateRequest(ssl.read('compressed.csr').toString())).toThrow(
      expect.objectContaining({ code: 'csr_key_unsupported', data: { rejection: 'compressed_point' } }),
    );
  });

  it('refuses a P-256 key given with explicit curve parameters', () => {
    // Prepare
    ssl.must([
      'ecparam',
      '-name',
      'prime256v1',
      '-genkey',
      '-noout',
      '-param_enc',
      'explicit',
      '-out',
      'explicit.key',
    ]);
    ssl.must(['req', '-new', '-key', 'explicit.key', '-subj', '/CN=x', '-out', 'explicit.csr']);

    // Act + Assess
    expect(() => parseCertificateRequest(ssl.read('explicit.csr').toString())).toThrow(
      expect.objectContaining({ code: 'csr_key_unsupported', data: { rejection: 'not_p256' } }),
    );
  });

  it('refuses a CSR signed with SHA-1', () => {
    // Prepare
    ssl.must(['req', '-new', '-key', 'good.key', '-subj', '/CN=x', '-sha1', '-out', 'sha1.csr']);

    // Act + Assess
    expectCode(
      () => parseCertificateRequest(ssl.read('sha1.csr').toString()),
      'csr_signature_algorithm_unsupported',
    );
  });

  it('refuses garbage bytes', () => {
    expectCode(() => parseCertificateRequest(new Uint8Array(randomBytes(300))), 'csr_malformed');
    expectCode(() => parseCertificateRequest(new Uint8Array(0)), 'csr_malformed');
  });

  it('refuses a truncated CSR', () => {
    expectCode(() => parseCertificateRequest(goodDer.subarray(0, goodDer.length - 10)), 'csr_malformed');
    expectCode(() => parseCertificateRequest(goodDer.subarray(0, 2)), 'csr_malformed');
  });

  it('refuses trailing bytes after the CSR', () => {
    const padded = new Uint8Array([...goodDer, 0x00, 0x00]);
    expectCode(() => parseCertificateRequest(padded), 'csr_malformed');
  });

  it('refuses a BER encoding that is not DER', () => {
    // Prepare: re-encode the outer SEQUENCE length in long form with a leading zero byte.
    expect(goodDer[1]).toBe(0x81);
    const ber = new Uint8Array([0x30, 0x82, 0x00, ...goodDer.subarray(2)]);

    // Act + Assess
    expectCode(() => parseCertificateRequest(ber), 'csr_malformed');
  });

  it('refuses input over the size limit, as text and as bytes, before parsing it', () => {
    // Prepare
    const huge = `${goodPem}${' '.repeat(MAX_CSR_BYTES)}`;

    // Act + Assess
    expectCode(() => parseCertificateRequest(huge), 'csr_too_large');
    expectCode(() => parseCertificateRequest(new Uint8Array(MAX_CSR_BYTES + 1)), 'csr_too_large');
    expectCode(() => parseCertificateRequest(new Uint8Array(10 * 1024 * 1024)), 'csr_too_large');
  });

  it('refuses PEM with another label', () => {
    expectCode(() => parseCertificateRequest(encodePem('CERTIFICATE', goodDer)), 'pem_label_unexpected');
    expectCode(() => parseCertificateRequest(encodePem('PRIVATE KEY', goodDer)), 'pem_label_unexpected');
  });

  it('refuses PEM that is not one clean block', () => {
    const body = goodPem.split('\n').slice(1, -2).join('\n');
    expectCode(
      () => parseCertificateRequest(goodPem.replace('-----END CERTIFICATE REQUEST-----', '')),
      'pem_malformed',
    );
    expectCode(() => parseCertificateRequest(`${goodPem}${goodPem}`), 'pem_malformed');
    expectCode(() => parseCertificateRequest(goodPem.replace(body, `${body}!`)), 'pem_malformed');
    expectCode(() => parseCertificateRequest(goodPem.replace(body, body.slice(1))), 'pem_malformed');
    expectCode(
      () => parseCertificateRequest('-----BEGIN CERTIFICATE REQUEST-----\n-----END CERTIFICATE REQUEST-----'),
      'pem_malformed',
    );
    expectCode(() => parseCertificateRequest('not a csr'), 'pem_malformed');
    expectCode(() => parseCertificateRequest(''), 'pem_malformed');
  });

  it('answers any input with a result or a BadRequestError, never anything else (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 2048 }),
          fc.string({ maxLength: 2048 }),
          // Mutations of a real CSR exercise the deeper checks, not just the first byte.
          fc.tuple(fc.nat(goodDer.length - 1), fc.integer({ min: 1, max: 255 })).map(([at, xor]) => {
            const bytes = goodDer.slice();
            bytes[at]! ^= xor;
            return bytes;
          }),
        ),
        (input) => {
          try {
            parseCertificateRequest(input);
          } catch (error) {
            expect(error).toBeInstanceOf(BadRequestError);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
