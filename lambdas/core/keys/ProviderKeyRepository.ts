/**
 * The key vault's storage port: provider usage/billing keys, only ever as KeyCustody ciphertext, with
 * what is needed to show them masked and to resume polling. AWS: a DynamoDB table without point-in-time
 * recovery; local: a SQLite table with `secure_delete`.
 */
import type { UsageProviderId } from '../usage/SpendReport.ts';

/** How the last poll of a key went. Written by the poller only; never holds the key or a response body. */
export interface KeyPollState {
  readonly lastPolledAt: number;
  readonly ok: boolean;
  /** The error code and message of a failed poll (they never quote the key). */
  readonly error?: { readonly code: string; readonly message: string };
  /** Earliest UTC date (`YYYY-MM-DD`) the history holds this key's spend from. */
  readonly coveredFrom?: string;
}

export interface StoredProviderKey {
  /** `key-` and 16 hex digits; appears in URLs, encryption contexts and history rows. */
  readonly keyId: string;
  readonly provider: UsageProviderId;
  /** The user's name for the key, e.g. "OpenAI org prod". */
  readonly label: string;
  /** A proxy or test base URL; absent means the provider's own API. */
  readonly baseUrl?: string;
  /** KeyCustody ciphertext of the key, context `{ purpose: 'provider-key', keyId }`. */
  readonly ciphertext: Uint8Array;
  /** `sha256:` and 8 hex digits of the key: tells keys apart, never usable as one. */
  readonly fingerprint: string;
  /** The key's last four characters, as providers' own consoles show them. */
  readonly last4: string;
  readonly createdAt: number;
  /** When the key material was last set (created or rotated). */
  readonly updatedAt: number;
  readonly poll?: KeyPollState;
  /** A demo key of the simulated provider (local edge `--simulated-provider`); its alerts say so. */
  readonly simulated?: boolean;
}

export interface ProviderKeyRepository {
  get(keyId: string): Promise<StoredProviderKey | undefined>;
  /**
   * Creates the key or replaces its material, label and base URL. The poll state of an existing key is
   * left as it is (a rotation keeps the key's history), whatever `key.poll` says.
   */
  put(key: StoredProviderKey): Promise<void>;
  /** Updates the poll state only; false (and nothing written) when the key no longer exists. */
  recordPoll(keyId: string, state: KeyPollState): Promise<boolean>;
  /** Deletes the key for good; false when there was none. */
  delete(keyId: string): Promise<boolean>;
  list(): Promise<StoredProviderKey[]>;
}
