import { timingSafeEqual } from 'node:crypto';

/**
 * Compares two byte strings in time that depends only on their lengths, never on where they differ.
 * A length mismatch fails, after the same amount of work as a comparison of `a` with itself.
 *
 * @example
 * constantTimeEqual(expectedMac, receivedMac); // true only when every byte matches
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) {
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}
