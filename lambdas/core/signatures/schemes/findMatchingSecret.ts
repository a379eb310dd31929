import { createHmac } from 'node:crypto';
import { constantTimeEqual } from './constantTimeEqual.ts';

export type HmacAlgorithm = 'sha256' | 'sha1' | 'sha512';

/**
 * Computes the HMAC of the signed pieces under each key in turn (once per key, whatever the number of
 * received signatures) and compares it in constant time with every candidate. Returns the index of the
 * first key that matches one candidate, or -1. Strings are fed as UTF-8, bytes as they are.
 *
 * @example
 * findMatchingSecret(['new', 'old'], 'sha256', [body], [receivedMac]); // 1 while the old secret still signs
 */
export function findMatchingSecret(
  keys: readonly (string | Uint8Array | undefined)[],
  algorithm: HmacAlgorithm,
  content: readonly (string | Uint8Array)[],
  candidates: readonly Uint8Array[],
): number {
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (key === undefined) continue;
    const hmac = createHmac(algorithm, key);
    for (const piece of content) hmac.update(piece);
    const expected = hmac.digest();
    let matched = false;
    for (const candidate of candidates) matched = constantTimeEqual(expected, candidate) || matched;
    if (matched) return i;
  }
  return -1;
}
