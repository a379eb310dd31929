import { NotFoundError } from '../errors.ts';
import type { KeyChange, KeyDeps } from './addProviderKey.ts';
import type { RotateKeyInput } from './keySchemas.ts';
import { toProviderKeyView } from './ProviderKeyView.ts';
import { assertProviderKeyText, encryptProviderKey, maskProviderKey } from './providerKeySecret.ts';
import { validateProviderKey } from './validateProviderKey.ts';

/**
 * Replaces a key's material (and optionally its label): validated first, encrypted, stored. The next
 * poll uses the new key; the old ciphertext is overwritten, not kept. History stays with the key id.
 *
 * @example
 * await rotateProviderKey(deps, 'key-3f9a1c2b7d4e5f60', { key: 'sk-admin-new…' });
 */
export async function rotateProviderKey(
  deps: KeyDeps,
  keyId: string,
  input: RotateKeyInput,
): Promise<KeyChange> {
  assertProviderKeyText(input.key);
  const existing = await deps.keys.get(keyId);
  if (!existing) throw new NotFoundError('unknown_key', `No provider key "${keyId}"`);
  const now = deps.clock.now();
  const validation = await validateProviderKey({
    provider: existing.provider,
    key: input.key,
    http: deps.http,
    nowMs: now,
    ...(existing.baseUrl !== undefined ? { baseUrl: existing.baseUrl } : {}),
  });
  const stored = {
    ...existing,
    label: input.label ?? existing.label,
    ciphertext: await encryptProviderKey(deps.custody, keyId, input.key),
    ...maskProviderKey(input.key),
    updatedAt: now,
  };
  await deps.keys.put(stored);
  deps.logger.info('provider_key_rotated', { providerKeyId: keyId, provider: existing.provider });
  return { key: toProviderKeyView(stored), ...validation };
}
