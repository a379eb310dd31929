import { EnvelopeError } from '../errors.ts';
import { N_PK } from './hpke/hpkeSuite.ts';
import { generateX25519, rawPrivateKey, rawPublicKey } from './hpke/x25519.ts';

/** An agent's sealing key pair, raw X25519 keys of 32 bytes each. */
export interface SealingKeyPair {
  readonly publicKey: Uint8Array;
  readonly privateKey: Uint8Array;
}

const BASE64URL_KEY = /^[A-Za-z0-9_-]{43}$/;

/**
 * A fresh X25519 key pair for sealing, from the system CSPRNG. The agent generates it and registers only
 * the public key; the private key never leaves the agent's machine.
 *
 * @example
 * const { publicKey, privateKey } = generateSealingKeyPair();
 * const registered = sealingKeyToBase64url(publicKey); // 43 characters
 */
export function generateSealingKeyPair(): SealingKeyPair {
  const pair = generateX25519();
  return { publicKey: rawPublicKey(pair.publicKey), privateKey: rawPrivateKey(pair.privateKey) };
}

/** A raw 32-byte sealing key (public or private) as unpadded base64url, 43 characters. */
export function sealingKeyToBase64url(key: Uint8Array): string {
  if (key.byteLength !== N_PK) {
    throw new EnvelopeError('invalid_key', `A sealing key is ${N_PK} bytes`, { length: key.byteLength });
  }
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('base64url');
}

/**
 * The raw 32 bytes of a sealing key written as unpadded base64url. Only the canonical 43-character form is
 * accepted, so one key has exactly one spelling.
 *
 * @example
 * const publicKey = sealingKeyFromBase64url(body.sealingPublicKey); // throws EnvelopeError('invalid_key')
 */
export function sealingKeyFromBase64url(text: string): Uint8Array {
  const key = BASE64URL_KEY.test(text) ? Buffer.from(text, 'base64url') : undefined;
  if (!key || key.length !== N_PK || key.toString('base64url') !== text) {
    throw new EnvelopeError('invalid_key', `A sealing key is ${N_PK} bytes as 43 base64url characters`, {
      length: text.length,
    });
  }
  return key;
}
