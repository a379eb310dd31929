import { execFileSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  importPublicKey,
  matchAsymmetricSignature,
} from '../../../../../lambdas/core/signatures/schemes/asymmetricSignature.ts';

const hex = (text: string) => Buffer.from(text, 'hex');

/** DER SEQUENCE of two INTEGERs, from a P1363 r||s signature, as RFC 6979 prints its vectors. */
function derFromRs(rs: Buffer): Buffer {
  const integer = (bytes: Buffer) => {
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start++;
    const trimmed = bytes.subarray(start);
    const body = trimmed[0]! & 0x80 ? Buffer.concat([Buffer.of(0), trimmed]) : trimmed;
    return Buffer.concat([Buffer.of(0x02, body.length), body]);
  };
  const content = Buffer.concat([integer(rs.subarray(0, 32)), integer(rs.subarray(32))]);
  return Buffer.concat([Buffer.of(0x30, content.length), content]);
}

describe('Ed25519 (RFC 8032 section 7.1 vectors)', () => {
  it('verifies TEST 1 (empty message) and TEST 2 (one byte)', () => {
    const test1 = matchAsymmetricSignature({
      algorithm: 'ed25519',
      publicKeys: ['d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'],
      signature: hex(
        'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
      ),
      message: [],
    });
    const test2 = matchAsymmetricSignature({
      algorithm: 'ed25519',
      publicKeys: ['3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c'],
      signature: hex(
        '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
      ),
      message: [hex('72')],
    });
    expect(test1).toEqual({ ok: true, keyIndex: 0 });
    expect(test2).toEqual({ ok: true, keyIndex: 0 });
  });

  it('verifies the concatenation of the message pieces, not any one of them', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const key = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url').toString('hex');
    const signature = sign(null, Buffer.from('1700000000{"a":1}'), privateKey);
    const verifyPieces = (...message: string[]) =>
      matchAsymmetricSignature({
        algorithm: 'ed25519',
        publicKeys: [key],
        signature,
        message: message.map((m) => Buffer.from(m)),
      });
    expect(verifyPieces('1700000000', '{"a":1}')).toMatchObject({ ok: true });
    expect(verifyPieces('17000000', '00{"a":1}')).toMatchObject({ ok: true });
    expect(verifyPieces('{"a":1}')).toEqual({ ok: false, reason: 'signature does not match' });
  });
});

describe('ECDSA P-256 with SHA-256', () => {
  // RFC 6979 A.2.5: P-256, SHA-256, message "sample".
  const rfcKey = createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: hex('60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6').toString('base64url'),
      y: hex('7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299').toString('base64url'),
    },
    format: 'jwk',
  });
  const rfcSpki = rfcKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const rfcSignature = derFromRs(
    hex(
      'EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8',
    ),
  );

  it('verifies the RFC 6979 vector, split across pieces', () => {
    expect(
      matchAsymmetricSignature({
        algorithm: 'ecdsa-p256-sha256',
        publicKeys: [rfcSpki],
        signature: rfcSignature,
        message: [Buffer.from('sam'), Buffer.from('ple')],
      }),
    ).toEqual({ ok: true, keyIndex: 0 });
  });

  it('rejects the RFC 6979 signature over another message', () => {
    expect(
      matchAsymmetricSignature({
        algorithm: 'ecdsa-p256-sha256',
        publicKeys: [rfcSpki],
        signature: rfcSignature,
        message: [Buffer.from('samplf')],
      }),
    ).toEqual({ ok: false, reason: 'signature does not match' });
  });

  const dir = mkdtempSync(join(tmpdir(), 'clawpulsar-ecdsa-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('verifies a signature made by the openssl command line', () => {
    const keyFile = join(dir, 'key.pem');
    const messageFile = join(dir, 'message');
    execFileSync('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', keyFile]);
    const publicPem = execFileSync('openssl', ['ec', '-in', keyFile, '-pubout'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    }).toString();
    writeFileSync(messageFile, '1700000000[{"event":"open"}]\r\n');
    const signature = execFileSync('openssl', ['dgst', '-sha256', '-sign', keyFile, messageFile]);
    const base64Key = publicPem.replace(/-----[A-Z ]+-----|\s/g, '');
    for (const publicKey of [publicPem, base64Key]) {
      expect(
        matchAsymmetricSignature({
          algorithm: 'ecdsa-p256-sha256',
          publicKeys: ['junk', publicKey],
          signature,
          message: [Buffer.from('1700000000'), readFileSync(messageFile).subarray(10)],
        }),
      ).toEqual({ ok: true, keyIndex: 1 });
    }
  });

  it('returns false rather than throwing for signatures that are not DER', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (signature) => {
        const result = matchAsymmetricSignature({
          algorithm: 'ecdsa-p256-sha256',
          publicKeys: [rfcSpki],
          signature,
          message: [],
        });
        expect(result.ok).toBe(false);
      }),
    );
  });
});

describe('importPublicKey', () => {
  it.each([
    [
      'a P-384 key',
      generateKeyPairSync('ec', { namedCurve: 'secp384r1' })
        .publicKey.export({ type: 'spki', format: 'der' })
        .toString('base64'),
    ],
    [
      'an RSA key',
      generateKeyPairSync('rsa', { modulusLength: 1024 })
        .publicKey.export({ type: 'spki', format: 'der' })
        .toString('base64'),
    ],
    [
      'an Ed25519 key',
      generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    ],
    ['truncated DER', 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ'],
    ['a broken PEM', '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----'],
    ['empty text', ''],
  ])('refuses %s as a P-256 key', (_, text) => {
    expect(importPublicKey('ecdsa-p256-sha256', text)).toBeUndefined();
  });

  it.each([
    ['63 hex characters', 'a'.repeat(63)],
    ['66 hex characters', 'a'.repeat(66)],
    ['base64', Buffer.alloc(32, 1).toString('base64')],
  ])('refuses %s as an Ed25519 key', (_, text) => {
    expect(importPublicKey('ed25519', text)).toBeUndefined();
  });

  it('never throws on random key text', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc.constantFrom('ed25519', 'ecdsa-p256-sha256' as const),
        (text, algorithm) => {
          importPublicKey(algorithm, text);
        },
      ),
    );
  });
});
