import { describe, expect, it } from 'vitest';
import { deriveKeyPair } from '../../../../../lambdas/core/envelope/hpke/dhkem.ts';
import { recipientPublicKey } from '../../../../../lambdas/core/envelope/hpke/recipientPublicKey.ts';
import { rawPublicKey } from '../../../../../lambdas/core/envelope/hpke/x25519.ts';

describe('recipientPublicKey', () => {
  it('gives the X25519 public key of the raw bytes', () => {
    // Prepare
    const pair = deriveKeyPair(Buffer.from('recipient key material, 32 bytes'));

    // Act
    const key = recipientPublicKey(pair.publicKey);

    // Assess
    expect(key.asymmetricKeyType).toBe('x25519');
    expect(rawPublicKey(key).equals(pair.publicKey)).toBe(true);
  });

  it('imports a key array once and reuses it while its bytes are unchanged', () => {
    const raw = deriveKeyPair(Buffer.from('one')).publicKey;
    expect(recipientPublicKey(raw)).toBe(recipientPublicKey(raw));
  });

  it('imports again when the array was changed in place', () => {
    // Prepare
    const first = deriveKeyPair(Buffer.from('first'));
    const second = deriveKeyPair(Buffer.from('second'));
    const raw = Buffer.from(first.publicKey);
    recipientPublicKey(raw);

    // Act
    second.publicKey.copy(raw);
    const key = recipientPublicKey(raw);

    // Assess
    expect(rawPublicKey(key).equals(second.publicKey)).toBe(true);
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => recipientPublicKey(new Uint8Array(33))).toThrow(RangeError);
  });
});
