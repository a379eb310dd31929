/**
 * A provider key at rest: encrypted under the key's own id, masked for display.
 */
import { randomBytes } from 'node:crypto';
import { BadRequestError } from '../errors.ts';
import type { KeyCustody } from '../ports.ts';
import { fingerprintSecret } from '../sources/sourceSecrets.ts';

/** The encryption context of a provider key: ids only. IAM conditions on `purpose` (AWS). */
export const PROVIDER_KEY_PURPOSE = 'provider-key';

/** The KeyCustody encryption context of one provider key. */
export function providerKeyContext(keyId: string): Record<string, string> {
  return { purpose: PROVIDER_KEY_PURPOSE, keyId };
}

/** A new key id: `key-` and 16 hex digits (a valid id for URLs and topics). */
export function newProviderKeyId(): string {
  return `key-${randomBytes(8).toString('hex')}`;
}

/** Keys are printable ASCII without spaces; anything else is a paste accident. */
const KEY_TEXT = /^[\x21-\x7e]{8,512}$/;

/**
 * Checks the shape of a pasted key: 8–512 printable characters, no whitespace inside.
 *
 * @example
 * assertProviderKeyText('sk-admin-…');
 */
export function assertProviderKeyText(key: string): void {
  if (!KEY_TEXT.test(key)) {
    throw new BadRequestError(
      'invalid_key',
      'The key must be 8–512 printable characters without spaces; paste only the key itself',
    );
  }
}

/** Encrypts `key` for storage, bound to `keyId`. */
export async function encryptProviderKey(
  custody: KeyCustody,
  keyId: string,
  key: string,
): Promise<Uint8Array> {
  const plaintext = Buffer.from(key, 'utf8');
  try {
    return await custody.encrypt(plaintext, providerKeyContext(keyId));
  } finally {
    plaintext.fill(0);
  }
}

/** Decrypts a stored key into memory for one poll or one validation. */
export async function decryptProviderKey(
  custody: KeyCustody,
  keyId: string,
  ciphertext: Uint8Array,
): Promise<string> {
  const plaintext = await custody.decrypt(ciphertext, providerKeyContext(keyId));
  try {
    return Buffer.from(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength).toString('utf8');
  } finally {
    plaintext.fill(0);
  }
}

/**
 * What may be shown of a key: a short SHA-256 fingerprint and its last four characters.
 *
 * @example
 * maskProviderKey('sk-admin-abcdefgh1234'); // { fingerprint: 'sha256:…', last4: '1234' }
 */
export function maskProviderKey(key: string): { fingerprint: string; last4: string } {
  return { fingerprint: fingerprintSecret(key), last4: key.slice(-4) };
}
