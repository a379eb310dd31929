import {
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { N_PK, N_SK } from './hpkeSuite.ts';

// DER framing of an X25519 private key (RFC 8410): a fixed prefix, then the raw 32 bytes. Public keys go
// through JWK instead: OpenSSL's DER encoder costs more than the X25519 scalar multiplication itself.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

/** An X25519 public key from its 32 raw bytes (RFC 7748 u-coordinate). Throws on any other length. */
export function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  if (raw.byteLength !== N_PK) throw new RangeError(`X25519 public key must be ${N_PK} bytes`);
  const x = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64url');
  return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x }, format: 'jwk' });
}

/** An X25519 private key from its 32 raw bytes (RFC 7748 scalar). Throws on any other length. */
export function privateKeyFromRaw(raw: Uint8Array): KeyObject {
  if (raw.byteLength !== N_SK) throw new RangeError(`X25519 private key must be ${N_SK} bytes`);
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' });
}

/** The 32 raw bytes of an X25519 public key (HPKE's SerializePublicKey). */
export function rawPublicKey(key: KeyObject): Buffer {
  return Buffer.from(key.export({ format: 'jwk' }).x!, 'base64url');
}

/** The 32 raw bytes of an X25519 private key (HPKE's SerializePrivateKey). */
export function rawPrivateKey(key: KeyObject): Buffer {
  return Buffer.from(key.export({ format: 'jwk' }).d!, 'base64url');
}

/** The public key that belongs to `privateKey` (OpenSSL computed it when the private key was made). */
export function publicKeyOf(privateKey: KeyObject): KeyObject {
  return createPublicKey(privateKey);
}

/** A fresh X25519 key pair from the system CSPRNG. */
export function generateX25519(): { publicKey: KeyObject; privateKey: KeyObject } {
  return generateKeyPairSync('x25519');
}

/**
 * X25519(sk, pk). OpenSSL refuses an all-zero result (a low-order peer key), which is the check RFC 9180
 * §7.1.4 asks of DH(); that refusal surfaces here as a thrown error.
 */
export function dh(privateKey: KeyObject, publicKey: KeyObject): Buffer {
  return diffieHellman({ privateKey, publicKey });
}
