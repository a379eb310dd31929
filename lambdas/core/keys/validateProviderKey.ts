/**
 * Proves a key works before it is stored: one read-only usage call with it, and a clear answer about
 * which permission the provider wants when it does not.
 */
import { ClawPulsarError } from '../errors.ts';
import { createUsageClient, USAGE_PROVIDERS } from '../usage/createUsageClient.ts';
import { ProviderAuthError } from '../usage/errors.ts';
import type { HttpClient } from '../usage/HttpClient.ts';
import type { UsageProviderId } from '../usage/SpendReport.ts';
import { utcDateOf, utcDayRange } from '../usage/utcDayRange.ts';

/** Providers whose usage keys can be scoped read-only; for the others the user is warned. */
const READ_ONLY_SCOPE: Readonly<Record<UsageProviderId, boolean>> = {
  openai: true,
  anthropic: false,
  openrouter: false,
  deepseek: false,
  vercel: false,
};

export interface KeyValidation {
  /** What kind of key and permission the provider needs, in the provider's own terms. */
  readonly permission: string;
  /** Set when the provider has no read-only scope, so the key can do more than ClawPulsar needs. */
  readonly warning?: string;
}

export interface ValidateKeyInput {
  readonly provider: UsageProviderId;
  readonly key: string;
  readonly baseUrl?: string;
  readonly http: HttpClient;
  readonly nowMs: number;
}

/** The permission advice for a provider, without calling it. */
export function keyAdvice(provider: UsageProviderId): KeyValidation {
  const info = USAGE_PROVIDERS[provider];
  return READ_ONLY_SCOPE[provider]
    ? { permission: info.keyRequirement }
    : {
        permission: info.keyRequirement,
        warning: `${info.name} offers no read-only scope for this key: anyone holding it can do more than read usage. ClawPulsar keeps it encrypted and only ever sends it to the usage and billing endpoints.`,
      };
}

/**
 * Makes one usage call with `key` (today's cost, or the balance for balance-only providers). Resolves
 * with the permission advice; rejects with `key_rejected` (422) when the provider refused the key and
 * `key_not_validated` (424) when it could not be asked. Nothing is stored either way.
 *
 * @example
 * const { permission, warning } = await validateProviderKey({ provider: 'openai', key, http, nowMs: Date.now() });
 */
export async function validateProviderKey(input: ValidateKeyInput): Promise<KeyValidation> {
  const clients = createUsageClient({
    provider: input.provider,
    key: input.key,
    http: input.http,
    ...(input.baseUrl !== undefined ? { baseUrl: input.baseUrl } : {}),
  });
  const today = utcDateOf(input.nowMs);
  const tomorrow = utcDateOf(input.nowMs + 86_400_000);
  const options = { timeoutMs: 15_000, maxRetries: 1, maxRetryAfterMs: 5_000 };
  try {
    if (clients.spend) await clients.spend.readDailySpend(utcDayRange(today, tomorrow), options);
    else await clients.balance?.readBalance(options);
  } catch (error) {
    if (error instanceof ProviderAuthError) {
      throw new ClawPulsarError('key_rejected', `${error.message} Nothing was stored.`, 422, {
        provider: input.provider,
      });
    }
    if (error instanceof ClawPulsarError && error.status < 500) throw error;
    const reason = error instanceof Error ? error.message : 'unknown error';
    throw new ClawPulsarError(
      'key_not_validated',
      `Could not validate the key with ${USAGE_PROVIDERS[input.provider].name}: ${reason} Nothing was stored; try again.`,
      424,
      { provider: input.provider },
    );
  }
  return keyAdvice(input.provider);
}
