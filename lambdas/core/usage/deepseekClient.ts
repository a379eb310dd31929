/**
 * DeepSeek's prepaid balance (`GET /user/balance`): one entry per currency (CNY or USD), amounts as
 * decimal strings in major units. DeepSeek publishes no spend history API, so spend is the fall of the
 * balance between readings (see `samplesFromBalance`).
 *
 * Reference: DeepSeek API docs, "Get User Balance" (Bearer API key).
 */
import * as z from 'zod';
import { allowlistedHttp } from './allowlistedHttp.ts';
import { fetchProviderJson } from './fetchProviderJson.ts';
import type { HttpClient } from './HttpClient.ts';
import { providerAmount } from './providerAmount.ts';
import type { BalanceClient } from './SpendReport.ts';

export const DEEPSEEK_DEFAULT_BASE_URL = 'https://api.deepseek.com';
export const DEEPSEEK_BALANCE_PATH = '/user/balance';

const PROVIDER = 'DeepSeek';
export const DEEPSEEK_KEY_REQUIREMENT =
  'Use a DeepSeek API key (platform → API keys). DeepSeek offers no read-only or billing-only key: the ' +
  'same key can call models, so give ClawPulsar a dedicated key; it only ever calls /user/balance.';

const balanceSchema = z.object({
  is_available: z.boolean(),
  balance_infos: z.array(
    z.object({
      currency: z.string().regex(/^[A-Za-z]{3}$/, 'expected a currency code'),
      total_balance: z.string(),
    }),
  ),
});

export interface DeepSeekClientConfig {
  /** The API key. Kept in this closure only; never logged or put in an error. */
  readonly apiKey: string;
  readonly http: HttpClient;
  readonly baseUrl?: string;
}

/**
 * Creates the DeepSeek balance client.
 *
 * @example
 * const { balances } = await deepseekClient({ apiKey, http: fetchHttpClient() }).readBalance();
 */
export function deepseekClient(config: DeepSeekClientConfig): BalanceClient {
  const baseUrl = (config.baseUrl ?? DEEPSEEK_DEFAULT_BASE_URL).replace(/\/+$/, '');
  const http = allowlistedHttp({ baseUrl, paths: [DEEPSEEK_BALANCE_PATH] }, config.http);
  const headers = { authorization: `Bearer ${config.apiKey}`, accept: 'application/json' };

  return {
    provider: 'deepseek',
    async readBalance(options) {
      const body = await fetchProviderJson(
        http,
        {
          provider: PROVIDER,
          url: `${baseUrl}${DEEPSEEK_BALANCE_PATH}`,
          headers,
          schema: balanceSchema,
          authRequirement: DEEPSEEK_KEY_REQUIREMENT,
        },
        options,
      );
      return {
        provider: 'deepseek',
        available: body.is_available,
        balances: body.balance_infos.map((info, i) => ({
          currency: info.currency.toLowerCase(),
          amountMicros: providerAmount(
            PROVIDER,
            `balance_infos[${i}].total_balance`,
            info.total_balance,
            'dollars',
          ),
        })),
      };
    },
  };
}
