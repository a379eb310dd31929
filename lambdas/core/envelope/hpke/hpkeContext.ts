import { createCipheriv, createDecipheriv } from 'node:crypto';
import { decap, encap } from './dhkem.ts';
import { N_N, N_T } from './hpkeSuite.ts';
import { type AeadKeys, keyScheduleBase } from './keySchedule.ts';

/** The sender's side after SetupBaseS: `enc` to send, and the keys to seal with. */
export interface SenderSetup {
  readonly enc: Buffer;
  readonly sharedSecret: Buffer;
  readonly keys: AeadKeys;
}

/**
 * RFC 9180 §5.1.1 SetupBaseS(pkR, info), with info given as its key schedule context (see
 * `keyScheduleContext`). `ephemeralPrivateKey` fixes skE for test vectors only.
 */
export function setupBaseS(
  recipientPublicKey: Uint8Array,
  scheduleContext: Uint8Array,
  ephemeralPrivateKey?: Uint8Array,
): SenderSetup {
  const { sharedSecret, enc } = encap(recipientPublicKey, ephemeralPrivateKey);
  return { enc, sharedSecret, keys: keyScheduleBase(sharedSecret, scheduleContext) };
}

/** RFC 9180 §5.1.1 SetupBaseR(enc, skR, info), with info given as its key schedule context. */
export function setupBaseR(
  enc: Uint8Array,
  recipientPrivateKey: Uint8Array,
  scheduleContext: Uint8Array,
): AeadKeys {
  return keyScheduleBase(decap(enc, recipientPrivateKey), scheduleContext);
}

/**
 * RFC 9180 §5.2 ContextS.Seal at sequence number `seq` with AES-256-GCM. The plaintext may come in
 * several pieces so a caller never has to join them first; the result is the ciphertext pieces followed
 * by the tag, whose concatenation is the RFC's `ct`.
 */
export function contextSeal(
  keys: AeadKeys,
  aad: Uint8Array,
  plaintext: readonly Uint8Array[],
  seq = 0,
): Buffer[] {
  const cipher = createCipheriv('aes-256-gcm', keys.key, computeNonce(keys.baseNonce, seq), {
    authTagLength: N_T,
  });
  cipher.setAAD(aad);
  const out = plaintext.map((piece) => cipher.update(piece));
  out.push(cipher.final(), cipher.getAuthTag());
  return out;
}

/** RFC 9180 §5.2 ContextR.Open at sequence number `seq`. Throws when `ct` is short or does not authenticate. */
export function contextOpen(keys: AeadKeys, aad: Uint8Array, ct: Uint8Array, seq = 0): Buffer {
  if (ct.byteLength < N_T) throw new RangeError('Ciphertext is shorter than the AEAD tag');
  const split = ct.byteLength - N_T;
  const decipher = createDecipheriv('aes-256-gcm', keys.key, computeNonce(keys.baseNonce, seq), {
    authTagLength: N_T,
  });
  decipher.setAAD(aad);
  decipher.setAuthTag(ct.subarray(split));
  const plaintext = decipher.update(ct.subarray(0, split));
  decipher.final();
  return plaintext;
}

/** RFC 9180 §5.2: base_nonce XOR I2OSP(seq, Nn). Sequence 0, the single-shot case, is base_nonce itself. */
function computeNonce(baseNonce: Buffer, seq: number): Buffer {
  if (seq === 0) return baseNonce;
  if (!Number.isSafeInteger(seq) || seq < 0) {
    throw new RangeError('Sequence number must be a safe integer >= 0');
  }
  const nonce = Buffer.from(baseNonce);
  let rest = seq;
  for (let i = N_N - 1; rest > 0; i--) {
    nonce[i] = nonce[i]! ^ (rest % 256);
    rest = Math.floor(rest / 256);
  }
  return nonce;
}
