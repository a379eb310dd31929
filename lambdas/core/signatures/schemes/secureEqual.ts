import { timingSafeEqual } from 'node:crypto';

/**
 * Compares two byte strings in constant time. Different lengths are simply unequal: every caller compares
 * a MAC or digest whose length is fixed by the algorithm, so the length is not a secret.
 *
 * @example
 * secureEqual(receivedMac, computedMac); // true only when every byte matches
 */
export function secureEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && timingSafeEqual(a, b);
}
