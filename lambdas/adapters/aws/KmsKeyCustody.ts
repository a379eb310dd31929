import { DecryptCommand, EncryptCommand, type KMSClient } from '@aws-sdk/client-kms';
import { ClawPulsarError } from '../../core/errors.ts';
import type { KeyCustody } from '../../core/ports.ts';

/**
 * Key custody by a KMS customer-managed key (symmetric, HSM-backed): secrets are encrypted by KMS
 * itself, never with a data key held here. The context goes in as the KMS encryption context — ids
 * only, never secrets — so a ciphertext opens only under the ids it was written for, and CloudTrail shows
 * which source each Decrypt was for. KMS Encrypt takes at most 4 KiB of plaintext; source secrets and
 * provider keys are far smaller.
 *
 * @example
 * const custody = new KmsKeyCustody(kms, env.DATA_KEY_ARN);
 * const ciphertext = await custody.encrypt(secret, { purpose: 'source-secrets', agentId, sourceId });
 */
export class KmsKeyCustody implements KeyCustody {
  readonly #kms: KMSClient;
  readonly #keyId: string;

  constructor(kms: KMSClient, keyId: string) {
    this.#kms = kms;
    this.#keyId = keyId;
  }

  async encrypt(plaintext: Uint8Array, context: Readonly<Record<string, string>>): Promise<Uint8Array> {
    const { CiphertextBlob: ciphertext } = await this.#kms.send(
      new EncryptCommand({ KeyId: this.#keyId, Plaintext: plaintext, EncryptionContext: { ...context } }),
    );
    if (!ciphertext)
      throw new ClawPulsarError('kms_no_ciphertext', 'KMS Encrypt returned no ciphertext', 500);
    return ciphertext;
  }

  async decrypt(ciphertext: Uint8Array, context: Readonly<Record<string, string>>): Promise<Uint8Array> {
    try {
      const { Plaintext: plaintext } = await this.#kms.send(
        // KeyId pins the key: a ciphertext of another key in the account is refused, not decrypted.
        new DecryptCommand({
          KeyId: this.#keyId,
          CiphertextBlob: ciphertext,
          EncryptionContext: { ...context },
        }),
      );
      if (!plaintext) throw new ClawPulsarError('kms_no_plaintext', 'KMS Decrypt returned no plaintext', 500);
      return plaintext;
    } catch (error) {
      if (
        error instanceof Error &&
        (error.name === 'InvalidCiphertextException' || error.name === 'IncorrectKeyException')
      ) {
        throw new ClawPulsarError(
          'decrypt_failed',
          'Stored ciphertext does not open with this key and context',
          500,
          {},
          { cause: error },
        );
      }
      throw error;
    }
  }
}
