import { describe, expect, it } from 'vitest';
import { deriveKeyPair } from '../../../../../lambdas/core/envelope/hpke/dhkem.ts';
import { recipientKey } from '../../../../../lambdas/core/envelope/hpke/recipientKey.ts';
import { rawPrivateKey } from '../../../../../lambdas/core/envelope/hpke/x25519.ts';

describe('recipientKey', () => {
  it('gives the private key and the raw public key that belongs to it', () => {
    // Prepare
    const pair = deriveKeyPair(Buffer.from('recipient key material, 32 bytes'));

    // Act
    const key = recipientKey(pair.privateKey);

    // Assess
    expect(key.publicKey.equals(pair.publicKey)).toBe(true);
    expect(rawPrivateKey(key.privateKey).equals(pair.privateKey)).toBe(true);
  });

  it('imports a key array once and reuses it while its bytes are unchanged', () => {
    const raw = deriveKeyPair(Buffer.from('one')).privateKey;
    expect(recipientKey(raw)).toBe(recipientKey(raw));
  });

  it('imports again when the array was changed in place', () => {
    // Prepare
    const first = deriveKeyPair(Buffer.from('first'));
    const second = deriveKeyPair(Buffer.from('second'));
    const raw = Buffer.from(first.privateKey);
    recipientKey(raw);

    // Act
    second.privateKey.copy(raw);
    const key = recipientKey(raw);

    // Assess
    expect(key.publicKey.equals(second.publicKey)).toBe(true);
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => recipientKey(new Uint8Array(31))).toThrow(RangeError);
  });
});
