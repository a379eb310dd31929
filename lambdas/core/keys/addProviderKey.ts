import type { BudgetMonitorDeps } from '../monitor/BudgetMonitorDeps.ts';
import { normaliseBaseUrl } from '../usage/allowlistedHttp.ts';
import type { AddKeyInput } from './keySchemas.ts';
import type { StoredProviderKey } from './ProviderKeyRepository.ts';
import { type ProviderKeyView, toProviderKeyView } from './ProviderKeyView.ts';
import {
  assertProviderKeyText,
  encryptProviderKey,
  maskProviderKey,
  newProviderKeyId,
} from './providerKeySecret.ts';
import { type KeyValidation, validateProviderKey } from './validateProviderKey.ts';

export type KeyDeps = Pick<BudgetMonitorDeps, 'keys' | 'custody' | 'http' | 'clock' | 'logger'>;

export interface KeyChange extends KeyValidation {
  readonly key: ProviderKeyView;
}

/**
 * Adds a provider key to the vault: validated with one usage call, then encrypted (context: its new
 * key id) before it is stored. The answer says which permission the provider needs.
 *
 * @example
 * const { key, permission } = await addProviderKey(deps, { provider: 'openai', label: 'prod', key: 'sk-admin-…' });
 */
export async function addProviderKey(
  deps: KeyDeps,
  input: AddKeyInput,
  options: { readonly simulated?: boolean } = {},
): Promise<KeyChange> {
  assertProviderKeyText(input.key);
  const baseUrl = input.baseUrl === undefined ? undefined : canonicalBaseUrl(input.baseUrl);
  const now = deps.clock.now();
  const validation = await validateProviderKey({
    provider: input.provider,
    key: input.key,
    http: deps.http,
    nowMs: now,
    ...(baseUrl !== undefined ? { baseUrl } : {}),
  });
  const keyId = newProviderKeyId();
  const stored: StoredProviderKey = {
    keyId,
    provider: input.provider,
    label: input.label,
    ...(baseUrl !== undefined ? { baseUrl } : {}),
    ciphertext: await encryptProviderKey(deps.custody, keyId, input.key),
    ...maskProviderKey(input.key),
    createdAt: now,
    updatedAt: now,
    ...(options.simulated ? { simulated: true } : {}),
  };
  await deps.keys.put(stored);
  deps.logger.info('provider_key_added', { providerKeyId: keyId, provider: input.provider });
  return { key: toProviderKeyView(stored), ...validation };
}

/** The base URL as the clients will use it; a malformed one is refused before any call. */
export function canonicalBaseUrl(baseUrl: string): string {
  const { origin, prefix } = normaliseBaseUrl(baseUrl);
  return `${origin}${prefix}`;
}
