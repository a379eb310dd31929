import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { constantTimeEqual } from './constantTimeEqual.ts';

export type HmacAlgorithm = 'sha256' | 'sha1' | 'sha512';

type SecretKey = string | Uint8Array | undefined;

/** HMAC keys prepared from one secrets array, with the values they were prepared from. */
interface PreparedKeys {
  readonly from: readonly string[];
  readonly keys: readonly KeyObject[];
}

// A source's secrets array is reused for every request to it, so its keys are prepared once: an HMAC
// keyed by a KeyObject skips encoding the secret again on every call. The entry lives as long as the
// array. Keys given as bytes need no encoding and are used as they are.
const prepared = new WeakMap<readonly string[], PreparedKeys>();

/** Room for the longest MAC computed here (SHA-512, 64 bytes). */
const scratch = Buffer.allocUnsafeSlow(64);

/**
 * Computes the HMAC of the signed pieces under each key in turn (once per key, whatever the number of
 * received signatures) and compares it in constant time with every candidate. Returns the index of the
 * first key that matches one candidate, or -1. Strings are fed as UTF-8, bytes as they are.
 *
 * @example
 * findMatchingSecret(['new', 'old'], 'sha256', [body], [receivedMac]); // 1 while the old secret still signs
 */
export function findMatchingSecret(
  keys: readonly SecretKey[],
  algorithm: HmacAlgorithm,
  content: readonly (string | Uint8Array)[],
  candidates: readonly Uint8Array[],
): number {
  const hmacKeys = keys.every(isString) ? keysFor(keys as readonly string[]) : keys;
  for (let i = 0; i < hmacKeys.length; i++) {
    const key = hmacKeys[i];
    if (key === undefined) continue;
    const hmac = createHmac(algorithm, key);
    for (let p = 0; p < content.length; p++) hmac.update(content[p] as string | Uint8Array);
    // digest() would allocate a buffer of its own per call. A 'binary' (latin1) string maps each byte to
    // one character and back exactly, here into a scratch buffer of this module (never the shared pool,
    // where another buffer's `.buffer` would expose it), wiped once compared: a computed MAC is a valid
    // signature for this body.
    const expected = scratch.subarray(0, scratch.write(hmac.digest('binary'), 0, 'latin1'));
    let matched = false;
    for (let c = 0; c < candidates.length; c++) {
      matched = constantTimeEqual(expected, candidates[c] as Uint8Array) || matched;
    }
    expected.fill(0);
    if (matched) return i;
  }
  return -1;
}

/**
 * The HMAC keys for `keys`, reused while the array still holds the same values it was prepared from
 * (an array changed in place is prepared again, so a removed secret never keeps verifying).
 */
function keysFor(keys: readonly string[]): readonly KeyObject[] {
  const cached = prepared.get(keys);
  if (cached !== undefined && sameValues(cached.from, keys)) return cached.keys;
  const fresh = { from: [...keys], keys: keys.map((key) => createSecretKey(Buffer.from(key, 'utf8'))) };
  prepared.set(keys, fresh);
  return fresh.keys;
}

function isString(key: SecretKey): key is string {
  return typeof key === 'string';
}

function sameValues(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
