/**
 * Vercel AI Gateway credits (`GET /v1/credits`): the remaining balance and the lifetime amount used, both
 * dollar decimal strings. The lifetime counter only grows, so spend between two readings is its
 * difference, unaffected by top-ups (see `samplesFromCumulative`).
 *
 * Reference: Vercel docs, AI Gateway "Usage & Billing" / REST API, "Check credit balance" (Bearer key).
 */
import * as z from 'zod';
import { allowlistedHttp } from './allowlistedHttp.ts';
import { fetchProviderJson } from './fetchProviderJson.ts';
import type { HttpClient } from './HttpClient.ts';
import { providerAmount } from './providerAmount.ts';
import type { BalanceClient } from './SpendReport.ts';

export const VERCEL_DEFAULT_BASE_URL = 'https://ai-gateway.vercel.sh';
export const VERCEL_CREDITS_PATH = '/v1/credits';

const PROVIDER = 'Vercel AI Gateway';
export const VERCEL_KEY_REQUIREMENT =
  'Use an AI Gateway API key of the team (AI Gateway → API keys). It has no read-only scope and can also ' +
  'call models, so give ClawPulsar a dedicated key; it only ever calls /v1/credits.';

const creditsSchema = z.object({ balance: z.string(), total_used: z.string() });

export interface VercelClientConfig {
  /** The AI Gateway API key. Kept in this closure only; never logged or put in an error. */
  readonly apiKey: string;
  readonly http: HttpClient;
  readonly baseUrl?: string;
}

/**
 * Creates the Vercel AI Gateway credits client.
 *
 * @example
 * const { totalUsedMicros } = await vercelClient({ apiKey, http: fetchHttpClient() }).readBalance();
 */
export function vercelClient(config: VercelClientConfig): BalanceClient {
  const baseUrl = (config.baseUrl ?? VERCEL_DEFAULT_BASE_URL).replace(/\/+$/, '');
  const http = allowlistedHttp({ baseUrl, paths: [VERCEL_CREDITS_PATH] }, config.http);
  const headers = { authorization: `Bearer ${config.apiKey}`, accept: 'application/json' };

  return {
    provider: 'vercel',
    async readBalance(options) {
      const body = await fetchProviderJson(
        http,
        {
          provider: PROVIDER,
          url: `${baseUrl}${VERCEL_CREDITS_PATH}`,
          headers,
          schema: creditsSchema,
          authRequirement: VERCEL_KEY_REQUIREMENT,
        },
        options,
      );
      return {
        provider: 'vercel',
        balances: [
          { currency: 'usd', amountMicros: providerAmount(PROVIDER, 'balance', body.balance, 'dollars') },
        ],
        totalUsedMicros: providerAmount(PROVIDER, 'total_used', body.total_used, 'dollars'),
      };
    },
  };
}
