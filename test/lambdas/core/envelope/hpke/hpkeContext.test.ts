import { randomBytes } from 'node:crypto';
import { Aes256Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from '@hpke/core';
import { describe, expect, it } from 'vitest';
import { deriveKeyPair } from '../../../../../lambdas/core/envelope/hpke/dhkem.ts';
import {
  contextOpen,
  contextSeal,
  setupBaseR,
  setupBaseS,
} from '../../../../../lambdas/core/envelope/hpke/hpkeContext.ts';
import { AEAD_ID, KDF_ID, KEM_ID } from '../../../../../lambdas/core/envelope/hpke/hpkeSuite.ts';
import { keyScheduleContext } from '../../../../../lambdas/core/envelope/hpke/keySchedule.ts';
import vector from '../../../../fixtures/hpke/rfc9180-x25519-sha256-aes256gcm-base.json' with {
  type: 'json',
};

const hex = (value: string): Buffer => Buffer.from(value, 'hex');
const toHex = (value: Uint8Array): string => Buffer.from(value).toString('hex');
/** A standalone ArrayBuffer with exactly these bytes, the form WebCrypto-based APIs import. */
const arrayBuffer = (value: Uint8Array): ArrayBuffer => new Uint8Array(value).buffer;
const theirSuite = () =>
  new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes256Gcm() });

describe('HPKE base mode against the RFC 9180 test vector', () => {
  it('is the suite the vector describes', () => {
    expect([vector.mode, vector.kem_id, vector.kdf_id, vector.aead_id]).toEqual([0, KEM_ID, KDF_ID, AEAD_ID]);
  });

  it('computes the key schedule context from info', () => {
    expect(toHex(keyScheduleContext(hex(vector.info)))).toBe(vector.key_schedule_context);
  });

  it('sets up the sender with the vector enc, shared secret, key and base nonce', () => {
    // Act
    const setup = setupBaseS(hex(vector.pkRm), keyScheduleContext(hex(vector.info)), hex(vector.skEm));

    // Assess
    expect(toHex(setup.enc)).toBe(vector.enc);
    expect(toHex(setup.sharedSecret)).toBe(vector.shared_secret);
    expect(toHex(setup.keys.key)).toBe(vector.key);
    expect(toHex(setup.keys.baseNonce)).toBe(vector.base_nonce);
  });

  it('sets up the recipient with the vector key and base nonce', () => {
    // Act
    const keys = setupBaseR(hex(vector.enc), hex(vector.skRm), keyScheduleContext(hex(vector.info)));

    // Assess
    expect(toHex(keys.key)).toBe(vector.key);
    expect(toHex(keys.baseNonce)).toBe(vector.base_nonce);
  });

  it.each(vector.encryptions)('seals and opens the vector encryption at sequence $seq', (encryption) => {
    // Prepare
    const { keys } = setupBaseS(hex(vector.pkRm), keyScheduleContext(hex(vector.info)), hex(vector.skEm));

    // Act
    const ct = Buffer.concat(contextSeal(keys, hex(encryption.aad), [hex(encryption.pt)], encryption.seq));
    const pt = contextOpen(keys, hex(encryption.aad), hex(encryption.ct), encryption.seq);

    // Assess
    expect(toHex(ct)).toBe(encryption.ct);
    expect(toHex(pt)).toBe(encryption.pt);
  });

  it('seals a plaintext given in pieces exactly as the same plaintext in one piece', () => {
    // Prepare
    const { keys } = setupBaseS(hex(vector.pkRm), keyScheduleContext(hex(vector.info)), hex(vector.skEm));
    const [first] = vector.encryptions;
    const pt = hex(first!.pt);

    // Act
    const ct = Buffer.concat(
      contextSeal(keys, hex(first!.aad), [pt.subarray(0, 5), new Uint8Array(0), pt.subarray(5)]),
    );

    // Assess
    expect(toHex(ct)).toBe(first!.ct);
  });
});

describe('HPKE base mode against an independent implementation (@hpke/core)', () => {
  const info = Buffer.from('interop info');
  const aad = Buffer.from('interop aad');

  it('opens with @hpke/core what it seals', async () => {
    // Prepare
    const suite = theirSuite();
    const recipient = deriveKeyPair(randomBytes(32));
    const plaintext = randomBytes(1000);

    // Act
    const { enc, keys } = setupBaseS(recipient.publicKey, keyScheduleContext(info));
    const ct = Buffer.concat(contextSeal(keys, aad, [plaintext]));
    const opened = await suite.open(
      { recipientKey: await suite.kem.importKey('raw', arrayBuffer(recipient.privateKey), false), enc, info },
      ct,
      aad,
    );

    // Assess
    expect(Buffer.from(opened).equals(plaintext)).toBe(true);
  });

  it('opens what @hpke/core seals', async () => {
    // Prepare
    const suite = theirSuite();
    const recipient = deriveKeyPair(randomBytes(32));
    const plaintext = randomBytes(1000);
    const sealed = await suite.seal(
      { recipientPublicKey: await suite.kem.importKey('raw', arrayBuffer(recipient.publicKey), true), info },
      plaintext,
      aad,
    );

    // Act
    const keys = setupBaseR(new Uint8Array(sealed.enc), recipient.privateKey, keyScheduleContext(info));
    const opened = contextOpen(keys, aad, new Uint8Array(sealed.ct));

    // Assess
    expect(opened.equals(plaintext)).toBe(true);
  });

  it('agrees with @hpke/core on the nonce of a sequence number that carries into a second byte', async () => {
    // Prepare
    const suite = theirSuite();
    const recipient = deriveKeyPair(randomBytes(32));
    const sender = await suite.createSenderContext({
      recipientPublicKey: await suite.kem.importKey('raw', arrayBuffer(recipient.publicKey), true),
      info,
    });
    const ciphertexts: ArrayBuffer[] = [];
    for (let seq = 0; seq <= 256; seq++)
      ciphertexts.push(await sender.seal(Buffer.from(`message ${seq}`), aad));
    const keys = setupBaseR(new Uint8Array(sender.enc), recipient.privateKey, keyScheduleContext(info));

    // Act
    const opened = contextOpen(keys, aad, new Uint8Array(ciphertexts[256]!), 256);

    // Assess
    expect(opened.toString()).toBe('message 256');
    expect(() => contextOpen(keys, aad, new Uint8Array(ciphertexts[256]!), 0)).toThrow();
  });
});

describe('HPKE context open', () => {
  const { keys } = setupBaseS(hex(vector.pkRm), keyScheduleContext(hex(vector.info)), hex(vector.skEm));
  const [first] = vector.encryptions;

  it('refuses a ciphertext shorter than the tag', () => {
    expect(() => contextOpen(keys, hex(first!.aad), hex(first!.ct).subarray(0, 15))).toThrow(RangeError);
  });

  it('refuses a ciphertext whose associated data differs', () => {
    expect(() => contextOpen(keys, Buffer.from('other'), hex(first!.ct))).toThrow();
  });

  it('refuses a sequence number that is not a safe non-negative integer', () => {
    expect(() => contextOpen(keys, hex(first!.aad), hex(first!.ct), -1)).toThrow(RangeError);
    expect(() => contextOpen(keys, hex(first!.aad), hex(first!.ct), 1.5)).toThrow(RangeError);
  });
});
