import { randomFillSync } from 'node:crypto';

const IDS_PER_REFILL = 256;
const RANDOM_BYTES = 10;
const pool = Buffer.alloc(IDS_PER_REFILL * RANDOM_BYTES);
let used = pool.length;
const bytes = Buffer.alloc(16);

/**
 * A UUID version 7 (RFC 9562 §5.7): 48 bits of Unix time in milliseconds, then 74 random bits. Ids made
 * later sort after earlier ones, so rows keyed by them are appended to the end of a B-tree instead of
 * landing on a random page each (with random v4 ids every insert of a batch dirties a page of its own,
 * which the commit then writes out whole). The random bits come from the CSPRNG, 256 ids' worth at a time.
 *
 * @example
 * timeOrderedId(); // '019bd5e3-9f4a-7c21-8e6d-3f0a5b7c9d12'
 */
export function timeOrderedId(nowMs: number = Date.now()): string {
  if (!Number.isSafeInteger(nowMs) || nowMs < 0 || nowMs >= 2 ** 48) {
    throw new RangeError('The time of a UUIDv7 is a whole number of milliseconds below 2^48');
  }
  if (used + RANDOM_BYTES > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  bytes.writeUIntBE(nowMs, 0, 6);
  bytes[6] = 0x70 | ((pool[used] as number) & 0x0f); // version 7, then rand_a
  bytes[7] = pool[used + 1] as number;
  bytes[8] = 0x80 | ((pool[used + 2] as number) & 0x3f); // variant 10, then rand_b
  pool.copy(bytes, 9, used + 3, used + RANDOM_BYTES);
  // The bytes are spent: zero them so the pool never holds an id's randomness after it was handed out.
  pool.fill(0, used, used + RANDOM_BYTES);
  used += RANDOM_BYTES;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
