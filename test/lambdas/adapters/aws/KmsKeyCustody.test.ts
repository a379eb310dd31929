import { DecryptCommand, EncryptCommand, InvalidCiphertextException, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { KmsKeyCustody } from '../../../../lambdas/adapters/aws/KmsKeyCustody.ts';
import {
  decryptSourceSecrets,
  encryptSourceSecrets,
} from '../../../../lambdas/core/sources/sourceSecrets.ts';
import { DATA_KEY_ARN, FakeKms } from '../../../support/FakeKms.ts';

describe('KmsKeyCustody', () => {
  const kms = mockClient(KMSClient);
  const fake = new FakeKms();
  const custody = new KmsKeyCustody(new KMSClient({ region: 'eu-west-1' }), DATA_KEY_ARN);

  beforeEach(() => {
    kms.reset();
    kms.on(EncryptCommand).callsFake(async (input) => fake.encrypt(input));
    kms.on(DecryptCommand).callsFake(async (input) => fake.decrypt(input));
  });
  afterAll(() => {
    kms.restore();
    fake.close();
  });

  it('encrypts with the key and the context as encryption context, and never puts the secret there', async () => {
    // Act
    const ciphertext = await encryptSourceSecrets(custody, 'laptop', 'github', { secrets: ['whsec_CANARY'] });

    // Assess
    const input = kms.commandCalls(EncryptCommand)[0]?.args[0].input;
    expect(input?.KeyId).toBe(DATA_KEY_ARN);
    expect(input?.EncryptionContext).toEqual({
      purpose: 'source-secrets',
      agentId: 'laptop',
      sourceId: 'github',
    });
    // The plaintext buffer handed to KMS is wiped once the call returns.
    expect(Buffer.from(input?.Plaintext ?? new Uint8Array(1)).every((byte) => byte === 0)).toBe(true);
    expect(Buffer.from(ciphertext).toString('latin1')).not.toContain('whsec_CANARY');
  });

  it('decrypts with the key pinned and the same context', async () => {
    // Prepare
    const ciphertext = await encryptSourceSecrets(custody, 'laptop', 'github', { secrets: ['s1', 's2'] });

    // Act
    const secrets = await decryptSourceSecrets(custody, 'laptop', 'github', ciphertext);

    // Assess
    expect(secrets).toEqual({ secrets: ['s1', 's2'] });
    expect(kms.commandCalls(DecryptCommand)[0]?.args[0].input).toEqual({
      KeyId: DATA_KEY_ARN,
      CiphertextBlob: ciphertext,
      EncryptionContext: { purpose: 'source-secrets', agentId: 'laptop', sourceId: 'github' },
    });
  });

  it("refuses a ciphertext copied onto another source (KMS's context check)", async () => {
    // Prepare
    const ciphertext = await encryptSourceSecrets(custody, 'laptop', 'github', { secrets: ['s1'] });

    // Act
    const moved = decryptSourceSecrets(custody, 'laptop', 'stripe', ciphertext);

    // Assess
    await expect(moved).rejects.toMatchObject({ code: 'decrypt_failed', status: 500 });
  });

  it('passes other KMS failures through for the caller to map', async () => {
    // Prepare
    kms.on(DecryptCommand).rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));

    // Act
    const attempt = custody.decrypt(new Uint8Array([1]), { purpose: 'x' });

    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'ThrottlingException' });
  });

  it('maps InvalidCiphertextException without echoing the message', async () => {
    // Prepare
    kms.on(DecryptCommand).rejects(new InvalidCiphertextException({ message: 'details', $metadata: {} }));

    // Act
    const attempt = custody.decrypt(new Uint8Array([1]), { purpose: 'x' });

    // Assess
    await expect(attempt).rejects.toMatchObject({
      code: 'decrypt_failed',
      message: 'Stored ciphertext does not open with this key and context',
    });
  });
});
