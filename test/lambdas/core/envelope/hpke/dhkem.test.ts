import { describe, expect, it } from 'vitest';
import { decap, deriveKeyPair, encap } from '../../../../../lambdas/core/envelope/hpke/dhkem.ts';
import vector from '../../../../fixtures/hpke/rfc9180-x25519-sha256-aes256gcm-base.json' with {
  type: 'json',
};

const hex = (value: string): Buffer => Buffer.from(value, 'hex');

describe('DHKEM(X25519, HKDF-SHA256)', () => {
  it('derives the RFC 9180 vector key pairs from ikmR and ikmE', () => {
    // Act
    const recipient = deriveKeyPair(hex(vector.ikmR));
    const ephemeral = deriveKeyPair(hex(vector.ikmE));

    // Assess
    expect(recipient.privateKey.toString('hex')).toBe(vector.skRm);
    expect(recipient.publicKey.toString('hex')).toBe(vector.pkRm);
    expect(ephemeral.privateKey.toString('hex')).toBe(vector.skEm);
    expect(ephemeral.publicKey.toString('hex')).toBe(vector.pkEm);
  });

  it('encapsulates and decapsulates the vector shared secret', () => {
    // Act
    const encapsulation = encap(hex(vector.pkRm), hex(vector.skEm));
    const decapsulated = decap(hex(vector.enc), hex(vector.skRm));

    // Assess
    expect(encapsulation.enc.toString('hex')).toBe(vector.enc);
    expect(encapsulation.sharedSecret.toString('hex')).toBe(vector.shared_secret);
    expect(decapsulated.toString('hex')).toBe(vector.shared_secret);
  });

  it('agrees with itself on a fresh ephemeral key', () => {
    const recipient = deriveKeyPair(Buffer.from('any input keying material of 32b'));
    const { enc, sharedSecret } = encap(recipient.publicKey);
    expect(decap(enc, recipient.privateKey).equals(sharedSecret)).toBe(true);
  });

  it('refuses a low-order enc instead of deriving a secret from an all-zero DH', () => {
    expect(() => decap(new Uint8Array(32), hex(vector.skRm))).toThrow();
  });
});
