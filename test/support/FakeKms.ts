import { createCipheriv, createDecipheriv, createPublicKey, randomBytes } from 'node:crypto';
import {
  type DecryptCommandInput,
  type EncryptCommandInput,
  type GetPublicKeyCommandInput,
  InvalidCiphertextException,
  NotFoundException,
  type SignCommandInput,
} from '@aws-sdk/client-kms';
import { OpenSslWorkspace } from './openssl.ts';

export const DATA_KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/0b1c2d3e-0000-4000-8000-00000000da7a';
export const CA_KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/0b1c2d3e-0000-4000-8000-0000000000ca';

/**
 * KMS in process, for the two keys the stack uses, with the documented behaviour the adapters rely on:
 * a symmetric key whose ciphertext opens only with the exact encryption context it was made with
 * (InvalidCiphertextException otherwise), and an ECC_NIST_P256 signing key that signs a 32-byte digest
 * as given when MessageType is DIGEST (openssl pkeyutl does the signing, so nothing is hashed twice).
 * Every request is recorded, so tests can scan what reached "KMS".
 */
export class FakeKms {
  readonly requests: unknown[] = [];
  readonly #dataKey = randomBytes(32);
  readonly #ssl = new OpenSslWorkspace();
  readonly #spki: Uint8Array;

  constructor() {
    this.#ssl.must(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key']);
    const pem = this.#ssl.must(['pkey', '-in', 'ca.key', '-pubout']);
    this.#spki = new Uint8Array(createPublicKey(pem).export({ type: 'spki', format: 'der' }));
  }

  encrypt(input: EncryptCommandInput) {
    this.requests.push(input);
    this.#requireKey(input.KeyId, DATA_KEY_ARN);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#dataKey, iv);
    cipher.setAAD(canonical(input.EncryptionContext));
    const body = Buffer.concat([cipher.update(input.Plaintext as Uint8Array), cipher.final()]);
    return {
      CiphertextBlob: new Uint8Array(Buffer.concat([iv, body, cipher.getAuthTag()])),
      KeyId: DATA_KEY_ARN,
    };
  }

  decrypt(input: DecryptCommandInput) {
    this.requests.push(input);
    this.#requireKey(input.KeyId, DATA_KEY_ARN);
    const blob = Buffer.from(input.CiphertextBlob as Uint8Array);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#dataKey, blob.subarray(0, 12));
      decipher.setAAD(canonical(input.EncryptionContext));
      decipher.setAuthTag(blob.subarray(blob.byteLength - 16));
      const plaintext = Buffer.concat([
        decipher.update(blob.subarray(12, blob.byteLength - 16)),
        decipher.final(),
      ]);
      return { Plaintext: new Uint8Array(plaintext), KeyId: DATA_KEY_ARN };
    } catch {
      throw new InvalidCiphertextException({ message: 'The ciphertext is invalid', $metadata: {} });
    }
  }

  getPublicKey(input: GetPublicKeyCommandInput) {
    this.requests.push(input);
    this.#requireKey(input.KeyId, CA_KEY_ARN);
    return {
      KeyId: CA_KEY_ARN,
      PublicKey: this.#spki,
      KeySpec: 'ECC_NIST_P256' as const,
      KeyUsage: 'SIGN_VERIFY' as const,
      SigningAlgorithms: ['ECDSA_SHA_256' as const],
    };
  }

  sign(input: SignCommandInput) {
    this.requests.push(input);
    this.#requireKey(input.KeyId, CA_KEY_ARN);
    if (input.MessageType !== 'DIGEST' || input.SigningAlgorithm !== 'ECDSA_SHA_256') {
      throw new Error('FakeKms signs SHA-256 digests only');
    }
    this.#ssl.write('digest.bin', input.Message as Uint8Array);
    this.#ssl.must(['pkeyutl', '-sign', '-inkey', 'ca.key', '-in', 'digest.bin', '-out', 'signature.der']);
    return {
      KeyId: CA_KEY_ARN,
      Signature: new Uint8Array(this.#ssl.read('signature.der')),
      SigningAlgorithm: 'ECDSA_SHA_256' as const,
    };
  }

  close(): void {
    this.#ssl.remove();
  }

  #requireKey(keyId: string | undefined, expected: string): void {
    if (keyId !== expected)
      throw new NotFoundException({ message: `Key '${keyId}' does not exist`, $metadata: {} });
  }
}

function canonical(context: Record<string, string> | undefined): Buffer {
  return Buffer.from(JSON.stringify(Object.entries(context ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))));
}
