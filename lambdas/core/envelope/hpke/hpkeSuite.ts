/**
 * The one HPKE suite envelopes use (RFC 9180): DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM,
 * base mode. Sizes are the suite's Nsecret, Nenc, Npk, Nsk (§7.1), Nh (§7.2), Nk, Nn, Nt (§7.3).
 */
export const KEM_ID = 0x0020;
export const KDF_ID = 0x0001;
export const AEAD_ID = 0x0002;

/** RFC 9180 §5: mode_base. */
export const MODE_BASE = 0x00;

export const N_SECRET = 32;
export const N_ENC = 32;
export const N_PK = 32;
export const N_SK = 32;
export const N_H = 32;
export const N_K = 32;
export const N_N = 12;
export const N_T = 16;

/** `suite_id` of the KEM's labeled KDF calls (§4.1): "KEM" || I2OSP(kem_id, 2). */
export const KEM_SUITE_ID: Uint8Array = suiteId('KEM', [KEM_ID]);

/** `suite_id` of the key schedule's labeled KDF calls (§5.1): "HPKE" || kem_id || kdf_id || aead_id. */
export const HPKE_SUITE_ID: Uint8Array = suiteId('HPKE', [KEM_ID, KDF_ID, AEAD_ID]);

function suiteId(prefix: string, ids: readonly number[]): Uint8Array {
  const out = Buffer.alloc(prefix.length + 2 * ids.length);
  out.write(prefix, 0, 'latin1');
  ids.forEach((id, i) => {
    out.writeUInt16BE(id, prefix.length + 2 * i);
  });
  return out;
}
