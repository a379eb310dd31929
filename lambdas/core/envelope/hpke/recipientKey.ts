import { type KeyObject, timingSafeEqual } from 'node:crypto';
import { N_SK } from './hpkeSuite.ts';
import { privateKeyFromRaw, publicKeyOf, rawPublicKey } from './x25519.ts';

/** A recipient's private key ready for DH, with the raw public key that Decap puts in kem_context. */
export interface RecipientKey {
  readonly privateKey: KeyObject;
  readonly publicKey: Buffer;
}

interface CachedKey extends RecipientKey {
  readonly raw: Buffer;
}

const cache = new WeakMap<Uint8Array, CachedKey>();

/**
 * The recipient key for a raw private key, imported once per key array. Importing an X25519 private key
 * computes its public key, a full scalar multiplication: redoing it per envelope would cost as much as the
 * DH itself. Entries are keyed by the array and checked against a copy of its bytes, so an array changed
 * in place is imported again, never mistaken for the old key; they go when the array is collected.
 */
export function recipientKey(raw: Uint8Array): RecipientKey {
  if (raw.byteLength !== N_SK) throw new RangeError(`X25519 private key must be ${N_SK} bytes`);
  const cached = cache.get(raw);
  if (cached && timingSafeEqual(cached.raw, raw)) return cached;
  const privateKey = privateKeyFromRaw(raw);
  const entry: CachedKey = {
    privateKey,
    publicKey: rawPublicKey(publicKeyOf(privateKey)),
    raw: Buffer.from(raw),
  };
  cache.set(raw, entry);
  return entry;
}
