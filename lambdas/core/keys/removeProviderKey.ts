import { NotFoundError } from '../errors.ts';
import type { KeyDeps } from './addProviderKey.ts';

/**
 * Purges a key from the vault at once. Its daily spend history stays (it holds no secret) until it
 * expires or `DELETE /v1/history?keyId=…` removes it.
 *
 * @example
 * await removeProviderKey(deps, 'key-3f9a1c2b7d4e5f60');
 */
export async function removeProviderKey(
  deps: Pick<KeyDeps, 'keys' | 'logger'>,
  keyId: string,
): Promise<void> {
  if (!(await deps.keys.delete(keyId))) throw new NotFoundError('unknown_key', `No provider key "${keyId}"`);
  deps.logger.info('provider_key_removed', { providerKeyId: keyId });
}
