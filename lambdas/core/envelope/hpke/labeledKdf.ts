import { createHmac } from 'node:crypto';
import { N_H } from './hpkeSuite.ts';

const VERSION_LABEL = Buffer.from('HPKE-v1', 'latin1');
const FIRST_BLOCK = Buffer.from([1]);

/**
 * RFC 9180 §4 LabeledExtract with HKDF-SHA256:
 * HMAC(salt, "HPKE-v1" || suite_id || label || ikm). An empty salt is HMAC's zero-length key, which HMAC
 * pads to the same block as HKDF's default salt of Nh zero bytes.
 */
export function labeledExtract(
  suiteId: Uint8Array,
  salt: Uint8Array,
  label: string,
  ikm: Uint8Array,
): Buffer {
  return createHmac('sha256', salt)
    .update(VERSION_LABEL)
    .update(suiteId)
    .update(label, 'latin1')
    .update(ikm)
    .digest();
}

/**
 * RFC 9180 §4 LabeledExpand with HKDF-SHA256:
 * HKDF-Expand(prk, I2OSP(L, 2) || "HPKE-v1" || suite_id || label || info, L).
 * Every length this suite asks for (Nsecret, Nsk, Nk, Nn) is at most Nh, so HKDF-Expand is its first
 * block, T(1) = HMAC(prk, labeled_info || 0x01), cut to L; longer outputs are refused rather than built.
 */
export function labeledExpand(
  suiteId: Uint8Array,
  prk: Uint8Array,
  label: string,
  info: Uint8Array,
  length: number,
): Buffer {
  if (!Number.isInteger(length) || length <= 0 || length > N_H) {
    throw new RangeError(`LabeledExpand length must be 1..${N_H}`);
  }
  const lengthPrefix = Buffer.alloc(2);
  lengthPrefix.writeUInt16BE(length, 0);
  const block = createHmac('sha256', prk)
    .update(lengthPrefix)
    .update(VERSION_LABEL)
    .update(suiteId)
    .update(label, 'latin1')
    .update(info)
    .update(FIRST_BLOCK)
    .digest();
  return length === N_H ? block : block.subarray(0, length);
}
