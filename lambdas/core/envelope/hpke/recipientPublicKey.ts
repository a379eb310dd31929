import { type KeyObject, timingSafeEqual } from 'node:crypto';
import { N_PK } from './hpkeSuite.ts';
import { publicKeyFromRaw } from './x25519.ts';

interface CachedKey {
  readonly key: KeyObject;
  readonly raw: Buffer;
}

const cache = new WeakMap<Uint8Array, CachedKey>();

/**
 * The recipient's raw X25519 public key as a KeyObject for Encap, imported once per key array: the
 * ingress seals every webhook of a source to the same array, and an import per envelope costs as much
 * as the rest of the key schedule. Entries are keyed by the array and checked against a copy of its
 * bytes, so an array changed in place is imported again, never mistaken for the old key; they go when
 * the array is collected. Throws a RangeError for a key that is not 32 bytes.
 */
export function recipientPublicKey(raw: Uint8Array): KeyObject {
  if (raw.byteLength !== N_PK) throw new RangeError(`X25519 public key must be ${N_PK} bytes`);
  const cached = cache.get(raw);
  if (cached && timingSafeEqual(cached.raw, raw)) return cached.key;
  const entry: CachedKey = { key: publicKeyFromRaw(raw), raw: Buffer.from(raw) };
  cache.set(raw, entry);
  return entry.key;
}
