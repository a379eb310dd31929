import type { KeyObject } from 'node:crypto';
import { KEM_SUITE_ID, N_SECRET, N_SK } from './hpkeSuite.ts';
import { labeledExpand, labeledExtract } from './labeledKdf.ts';
import { recipientKey } from './recipientKey.ts';
import { recipientPublicKey } from './recipientPublicKey.ts';
import {
  dh,
  generateX25519,
  privateKeyFromRaw,
  publicKeyFromRaw,
  publicKeyOf,
  rawPublicKey,
} from './x25519.ts';

const EMPTY = new Uint8Array(0);

/** The sender's half of DHKEM: the shared secret, and `enc` (the ephemeral public key) to send along. */
export interface Encapsulation {
  readonly sharedSecret: Buffer;
  readonly enc: Buffer;
}

/**
 * RFC 9180 §7.1.3 DeriveKeyPair for X25519: skm = LabeledExpand(LabeledExtract("", "dkp_prk", ikm), "sk",
 * "", Nsk), as raw bytes. For deterministic keys (the RFC's test vectors); envelopes use fresh random keys.
 */
export function deriveKeyPair(ikm: Uint8Array): { privateKey: Buffer; publicKey: Buffer } {
  const prk = labeledExtract(KEM_SUITE_ID, EMPTY, 'dkp_prk', ikm);
  const privateKey = labeledExpand(KEM_SUITE_ID, prk, 'sk', EMPTY, N_SK);
  return { privateKey, publicKey: rawPublicKey(publicKeyOf(privateKeyFromRaw(privateKey))) };
}

/**
 * RFC 9180 §4.1 Encap(pkR) with the recipient's raw public key. `ephemeralPrivateKey` (raw skE) replaces
 * the fresh key pair only where a fixed one is needed (test vectors); envelopes always leave it out.
 */
export function encap(recipientPublicKeyBytes: Uint8Array, ephemeralPrivateKey?: Uint8Array): Encapsulation {
  const ephemeral = ephemeralKeyPair(ephemeralPrivateKey);
  const dhSecret = dh(ephemeral.privateKey, recipientPublicKey(recipientPublicKeyBytes));
  const enc = rawPublicKey(ephemeral.publicKey);
  return { sharedSecret: extractAndExpand(dhSecret, Buffer.concat([enc, recipientPublicKeyBytes])), enc };
}

/** RFC 9180 §4.1 Decap(enc, skR) with the recipient's raw private key. */
export function decap(enc: Uint8Array, recipientPrivateKey: Uint8Array): Buffer {
  const recipient = recipientKey(recipientPrivateKey);
  const dhSecret = dh(recipient.privateKey, publicKeyFromRaw(enc));
  return extractAndExpand(dhSecret, Buffer.concat([enc, recipient.publicKey]));
}

function ephemeralKeyPair(rawPrivateKey: Uint8Array | undefined): {
  privateKey: KeyObject;
  publicKey: KeyObject;
} {
  if (rawPrivateKey === undefined) return generateX25519();
  const privateKey = privateKeyFromRaw(rawPrivateKey);
  return { privateKey, publicKey: publicKeyOf(privateKey) };
}

function extractAndExpand(dhSecret: Uint8Array, kemContext: Uint8Array): Buffer {
  const prk = labeledExtract(KEM_SUITE_ID, EMPTY, 'eae_prk', dhSecret);
  return labeledExpand(KEM_SUITE_ID, prk, 'shared_secret', kemContext, N_SECRET);
}
