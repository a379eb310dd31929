import { describe, expect, it } from 'vitest';
import {
  dh,
  generateX25519,
  privateKeyFromRaw,
  publicKeyFromRaw,
  publicKeyOf,
  rawPrivateKey,
  rawPublicKey,
} from '../../../../../lambdas/core/envelope/hpke/x25519.ts';

// RFC 7748 §6.1 Diffie-Hellman example.
const ALICE_PRIVATE = '77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a';
const ALICE_PUBLIC = '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a';
const BOB_PRIVATE = '5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb';
const BOB_PUBLIC = 'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f';
const SHARED = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';

const hex = (value: string): Buffer => Buffer.from(value, 'hex');

describe('X25519 with raw keys', () => {
  it('derives the RFC 7748 public keys and shared secret from raw private keys', () => {
    // Prepare
    const alice = privateKeyFromRaw(hex(ALICE_PRIVATE));
    const bob = privateKeyFromRaw(hex(BOB_PRIVATE));

    // Act
    const aliceShared = dh(alice, publicKeyFromRaw(hex(BOB_PUBLIC)));
    const bobShared = dh(bob, publicKeyFromRaw(hex(ALICE_PUBLIC)));

    // Assess
    expect(rawPublicKey(publicKeyOf(alice)).toString('hex')).toBe(ALICE_PUBLIC);
    expect(rawPublicKey(publicKeyOf(bob)).toString('hex')).toBe(BOB_PUBLIC);
    expect(aliceShared.toString('hex')).toBe(SHARED);
    expect(bobShared.toString('hex')).toBe(SHARED);
  });

  it('exports a generated pair as 32 raw bytes that import back to the same keys', () => {
    // Prepare
    const pair = generateX25519();

    // Act
    const privateRaw = rawPrivateKey(pair.privateKey);
    const publicRaw = rawPublicKey(pair.publicKey);

    // Assess
    expect(privateRaw).toHaveLength(32);
    expect(publicRaw).toHaveLength(32);
    expect(rawPublicKey(publicKeyOf(privateKeyFromRaw(privateRaw))).equals(publicRaw)).toBe(true);
  });

  it('refuses raw keys of any length but 32', () => {
    for (const length of [0, 31, 33, 44]) {
      expect(() => publicKeyFromRaw(new Uint8Array(length))).toThrow(RangeError);
      expect(() => privateKeyFromRaw(new Uint8Array(length))).toThrow(RangeError);
    }
  });

  it.each([
    ['zero', '00'.repeat(32)],
    ['one', `01${'00'.repeat(31)}`],
    ['an order-8 point', 'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800'],
  ])('refuses a low-order peer key (%s), whose shared secret would be all zero', (_name, point) => {
    expect(() => dh(generateX25519().privateKey, publicKeyFromRaw(hex(point)))).toThrow();
  });
});
