import { createHmac } from 'node:crypto';
import { N_H } from './hpkeSuite.ts';

const VERSION_LABEL = Buffer.from('HPKE-v1', 'latin1');
const FIRST_BLOCK = Buffer.from([1]);

// The bytes in front of the variable input depend only on the suite id, the label (and for Expand the
// length), all constants of the call sites (the suite ids are those of hpkeSuite.ts, never written to):
// they are joined once and fed to the MAC in one update instead of four.
const prefixes = new WeakMap<Uint8Array, Map<string, Buffer>>();

function labelPrefix(suiteId: Uint8Array, label: string, length?: number): Buffer {
  let bySuite = prefixes.get(suiteId);
  if (bySuite === undefined) {
    bySuite = new Map();
    prefixes.set(suiteId, bySuite);
  }
  const key = length === undefined ? label : `${length}:${label}`;
  let prefix = bySuite.get(key);
  if (prefix === undefined) {
    const lengthPrefix = length === undefined ? [] : [Buffer.from([length >> 8, length & 0xff])];
    prefix = Buffer.concat([...lengthPrefix, VERSION_LABEL, suiteId, Buffer.from(label, 'latin1')]);
    bySuite.set(key, prefix);
  }
  return prefix;
}

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
  return createHmac('sha256', salt).update(labelPrefix(suiteId, label)).update(ikm).digest();
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
  const block = createHmac('sha256', prk)
    .update(labelPrefix(suiteId, label, length))
    .update(info)
    .update(FIRST_BLOCK)
    .digest();
  return length === N_H ? block : block.subarray(0, length);
}
