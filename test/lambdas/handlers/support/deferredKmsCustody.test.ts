import { DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  decryptSourceSecrets,
  encryptSourceSecrets,
} from '../../../../lambdas/core/sources/sourceSecrets.ts';
import { deferredKmsCustody } from '../../../../lambdas/handlers/support/deferredKmsCustody.ts';
import { DATA_KEY_ARN, FakeKms } from '../../../support/FakeKms.ts';

describe('deferredKmsCustody', () => {
  const kms = mockClient(KMSClient);
  const fake = new FakeKms();

  beforeEach(() => {
    kms.reset();
    kms.on(EncryptCommand).callsFake(async (input) => fake.encrypt(input));
    kms.on(DecryptCommand).callsFake(async (input) => fake.decrypt(input));
  });
  afterAll(() => {
    kms.restore();
    fake.close();
  });

  it('calls KMS only when a secret is encrypted or decrypted, with the key and the context', async () => {
    // Prepare
    const custody = deferredKmsCustody(DATA_KEY_ARN);
    const callsBeforeUse = kms.calls().length;

    // Act
    const ciphertext = await encryptSourceSecrets(custody, 'laptop', 'github', { secrets: ['s1'] });
    const opened = await decryptSourceSecrets(custody, 'laptop', 'github', ciphertext);

    // Assess
    expect(callsBeforeUse).toBe(0);
    expect(opened).toEqual({ secrets: ['s1'] });
    const context = { purpose: 'source-secrets', agentId: 'laptop', sourceId: 'github' };
    expect(kms.commandCalls(EncryptCommand)[0]?.args[0].input).toMatchObject({
      KeyId: DATA_KEY_ARN,
      EncryptionContext: context,
    });
    expect(kms.commandCalls(DecryptCommand)[0]?.args[0].input).toEqual({
      KeyId: DATA_KEY_ARN,
      CiphertextBlob: ciphertext,
      EncryptionContext: context,
    });
  });

  it('refuses a ciphertext under another context, as KmsKeyCustody does', async () => {
    // Prepare
    const custody = deferredKmsCustody(DATA_KEY_ARN);
    const ciphertext = await encryptSourceSecrets(custody, 'laptop', 'github', { secrets: ['s1'] });

    // Act
    const opened = decryptSourceSecrets(custody, 'laptop', 'stripe', ciphertext);

    // Assess
    await expect(opened).rejects.toMatchObject({ code: 'decrypt_failed' });
  });
});
