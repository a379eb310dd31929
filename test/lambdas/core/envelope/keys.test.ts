import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  generateSealingKeyPair,
  sealingKeyFromBase64url,
  sealingKeyToBase64url,
} from '../../../../lambdas/core/envelope/index.ts';
import { EnvelopeError } from '../../../../lambdas/core/errors.ts';

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

describe('generateSealingKeyPair', () => {
  it('gives raw 32-byte X25519 keys that node:crypto, importing them as JWK, agrees on', () => {
    // Prepare
    const peer = generateKeyPairSync('x25519');
    const peerPublic = peer.publicKey.export({ format: 'jwk' });

    // Act
    const pair = generateSealingKeyPair();

    // Assess
    const ours = { kty: 'OKP', crv: 'X25519', x: b64url(pair.publicKey) };
    const fromPeer = diffieHellman({
      privateKey: peer.privateKey,
      publicKey: createPublicKey({ key: ours, format: 'jwk' }),
    });
    const fromUs = diffieHellman({
      privateKey: createPrivateKey({ key: { ...ours, d: b64url(pair.privateKey) }, format: 'jwk' }),
      publicKey: createPublicKey({ key: peerPublic, format: 'jwk' }),
    });
    expect(pair.publicKey).toHaveLength(32);
    expect(pair.privateKey).toHaveLength(32);
    expect(fromUs.equals(fromPeer)).toBe(true);
  });

  it('gives a different pair each time', () => {
    const first = generateSealingKeyPair();
    const second = generateSealingKeyPair();
    expect(Buffer.from(first.privateKey).equals(second.privateKey)).toBe(false);
    expect(Buffer.from(first.publicKey).equals(second.publicKey)).toBe(false);
  });
});

describe('sealing keys as base64url', () => {
  it('round-trips a key through its 43-character form', () => {
    // Prepare
    const { publicKey } = generateSealingKeyPair();

    // Act
    const text = sealingKeyToBase64url(publicKey);

    // Assess
    expect(text).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(sealingKeyFromBase64url(text)).equals(publicKey)).toBe(true);
  });

  it('refuses to write a key that is not 32 bytes', () => {
    expect(() => sealingKeyToBase64url(new Uint8Array(31))).toThrow(EnvelopeError);
  });

  it.each([
    ['empty', ''],
    ['too short', 'A'.repeat(42)],
    ['too long', 'A'.repeat(44)],
    ['padded', `${'A'.repeat(43)}=`],
    ['standard base64', `${'A'.repeat(42)}+`],
    ['non-canonical trailing bits', `${'A'.repeat(42)}B`],
    ['with whitespace', ` ${'A'.repeat(42)}`],
  ])('refuses a key that is %s', (_name, text) => {
    expect(() => sealingKeyFromBase64url(text)).toThrow(expect.objectContaining({ code: 'invalid_key' }));
  });
});
