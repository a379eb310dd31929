import { HPKE_SUITE_ID, MODE_BASE, N_K, N_N } from './hpkeSuite.ts';
import { labeledExpand, labeledExtract } from './labeledKdf.ts';

const EMPTY = new Uint8Array(0);

// Base mode has no PSK, so psk_id is empty and its hash is the same for every message.
const PSK_ID_HASH = labeledExtract(HPKE_SUITE_ID, EMPTY, 'psk_id_hash', EMPTY);

/** What the AEAD needs from RFC 9180's key schedule for a single-shot context. */
export interface AeadKeys {
  readonly key: Buffer;
  readonly baseNonce: Buffer;
}

/**
 * RFC 9180 §5.1 key_schedule_context for base mode: mode || psk_id_hash || LabeledExtract("", "info_hash",
 * info). It depends only on `info`, so a caller with a fixed info computes it once.
 */
export function keyScheduleContext(info: Uint8Array): Buffer {
  const infoHash = labeledExtract(HPKE_SUITE_ID, EMPTY, 'info_hash', info);
  return Buffer.concat([Buffer.of(MODE_BASE), PSK_ID_HASH, infoHash]);
}

/**
 * RFC 9180 §5.1 KeySchedule for base mode (psk = ""): secret = LabeledExtract(shared_secret, "secret", ""),
 * then key and base_nonce expanded under the context. The exporter secret is not derived: envelopes
 * export nothing.
 */
export function keyScheduleBase(sharedSecret: Uint8Array, scheduleContext: Uint8Array): AeadKeys {
  const secret = labeledExtract(HPKE_SUITE_ID, sharedSecret, 'secret', EMPTY);
  return {
    key: labeledExpand(HPKE_SUITE_ID, secret, 'key', scheduleContext, N_K),
    baseNonce: labeledExpand(HPKE_SUITE_ID, secret, 'base_nonce', scheduleContext, N_N),
  };
}
