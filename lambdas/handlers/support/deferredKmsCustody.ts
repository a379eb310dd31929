import type { KeyCustody } from '../../core/ports.ts';
import { once } from './once.ts';

/**
 * KmsKeyCustody, with the KMS client loaded by the first encrypt or decrypt instead of at cold start. For
 * the management function, where only storing or rotating a secret or a provider key touches KMS: most
 * of its requests (agents, deliveries, budgets, history) never do. The function that decrypts on every
 * invocation (the ingress, the budget worker) keeps an eager KmsKeyCustody: deferring it there would only
 * move the load into the first request.
 *
 * @example
 * const custody = deferredKmsCustody(env.DATA_KEY_ARN);
 * await custody.encrypt(secret, { purpose: 'source-secrets', agentId, sourceId });
 */
export function deferredKmsCustody(keyId: string): KeyCustody {
  const loaded = once(async () => {
    const [{ KMSClient }, { KmsKeyCustody }] = await Promise.all([
      import('@aws-sdk/client-kms'),
      import('../../adapters/aws/KmsKeyCustody.ts'),
    ]);
    return new KmsKeyCustody(new KMSClient({}), keyId);
  });
  return {
    encrypt: async (plaintext, context) => (await loaded()).encrypt(plaintext, context),
    decrypt: async (ciphertext, context) => (await loaded()).decrypt(ciphertext, context),
  };
}
