import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ClawPulsarError } from '../../core/errors.ts';
import type { KeyCustody } from '../../core/ports.ts';

const FORMAT_VERSION = 1;
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/**
 * The local edge's key custody: AES-256-GCM under a 32-byte master key kept in a 0600 file. This is what
 * it is — a key file on the same disk, not an HSM (the AWS stack uses KMS) — and it keeps ciphertext in
 * the database useless without that file. The encryption context is bound as associated data, so a
 * ciphertext can't be replayed under other ids. Format: version u8 | nonce(12) | ciphertext | tag(16).
 *
 * @example
 * const custody = FileKeyCustody.openOrCreate('/home/me/.clawpulsar/edge/master.key');
 * const sealed = await custody.encrypt(secret, { purpose: 'source-secrets', agentId, sourceId });
 */
export class FileKeyCustody implements KeyCustody {
  readonly #key: Buffer;

  private constructor(key: Buffer) {
    this.#key = key;
  }

  /** Loads the master key, creating it (0600, in a 0700 directory) on first use. */
  static openOrCreate(path: string): FileKeyCustody {
    if (!existsSync(path)) {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      writeFileSync(path, randomBytes(KEY_BYTES), { mode: 0o600, flag: 'wx' });
    }
    const mode = statSync(path).mode & 0o777;
    if (mode & 0o077) chmodSync(path, 0o600);
    const key = readFileSync(path);
    if (key.byteLength !== KEY_BYTES) {
      throw new ClawPulsarError('master_key_invalid', `The master key file ${path} is not 32 bytes`, 500);
    }
    return new FileKeyCustody(key);
  }

  async encrypt(plaintext: Uint8Array, context: Readonly<Record<string, string>>): Promise<Uint8Array> {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, nonce);
    cipher.setAAD(canonicalContext(context));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([Buffer.of(FORMAT_VERSION), nonce, body, cipher.getAuthTag()]);
  }

  async decrypt(ciphertext: Uint8Array, context: Readonly<Record<string, string>>): Promise<Uint8Array> {
    const data = Buffer.from(ciphertext.buffer, ciphertext.byteOffset, ciphertext.byteLength);
    if (data.byteLength < 1 + NONCE_BYTES + TAG_BYTES || data[0] !== FORMAT_VERSION) {
      throw new ClawPulsarError('ciphertext_invalid', 'Stored ciphertext is malformed', 500);
    }
    const decipher = createDecipheriv('aes-256-gcm', this.#key, data.subarray(1, 1 + NONCE_BYTES));
    decipher.setAAD(canonicalContext(context));
    decipher.setAuthTag(data.subarray(data.byteLength - TAG_BYTES));
    try {
      return Buffer.concat([
        decipher.update(data.subarray(1 + NONCE_BYTES, data.byteLength - TAG_BYTES)),
        decipher.final(),
      ]);
    } catch {
      throw new ClawPulsarError(
        'decrypt_failed',
        'Stored ciphertext does not open with this key and context',
        500,
      );
    }
  }
}

/** Sorted `name=value` lines, length-prefixed, so two contexts encode alike only if they are equal. */
function canonicalContext(context: Readonly<Record<string, string>>): Buffer {
  const parts: Buffer[] = [];
  for (const name of Object.keys(context).sort()) {
    for (const text of [name, context[name] as string]) {
      const bytes = Buffer.from(text, 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.byteLength);
      parts.push(length, bytes);
    }
  }
  return Buffer.concat(parts);
}
