/**
 * A provider key as the management API shows it: ids, label, provider and a mask — never the key.
 */
import { USAGE_PROVIDERS } from '../usage/createUsageClient.ts';
import type { UsageProviderId } from '../usage/SpendReport.ts';
import type { KeyPollState, StoredProviderKey } from './ProviderKeyRepository.ts';

export interface ProviderKeyView {
  readonly keyId: string;
  readonly provider: UsageProviderId;
  readonly label: string;
  readonly baseUrl: string;
  /** `sha256:` and 8 hex digits. */
  readonly fingerprint: string;
  /** e.g. `…1234`. */
  readonly masked: string;
  readonly createdAt: number;
  readonly rotatedAt: number;
  readonly lastPoll?: KeyPollState;
  readonly simulated?: boolean;
}

/** The masked view of a stored key. */
export function toProviderKeyView(key: StoredProviderKey): ProviderKeyView {
  return {
    keyId: key.keyId,
    provider: key.provider,
    label: key.label,
    baseUrl: key.baseUrl ?? USAGE_PROVIDERS[key.provider].defaultBaseUrl,
    fingerprint: key.fingerprint,
    masked: `…${key.last4}`,
    createdAt: key.createdAt,
    rotatedAt: key.updatedAt,
    ...(key.poll ? { lastPoll: key.poll } : {}),
    ...(key.simulated ? { simulated: true } : {}),
  };
}
