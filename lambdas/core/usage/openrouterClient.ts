/**
 * OpenRouter spend through its management API: daily spend per endpoint for the last 30 completed UTC
 * days (`GET /api/v1/activity`, `usage` in dollars as JSON numbers) and the account's credits
 * (`GET /api/v1/credits`, total purchased and total used, in dollars).
 *
 * Reference: OpenRouter API reference, "Get user activity grouped by endpoint" and "Get remaining
 * credits"; both require a management key sent as a Bearer token. BYOK spend (`byok_usage_inference`) is
 * paid to the user's own provider accounts, not to OpenRouter, and is left out here.
 */
import * as z from 'zod';
import { addDays, formatLocalDate } from '../budget/localDate.ts';
import { sumMicros } from '../budget/money.ts';
import { allowlistedHttp } from './allowlistedHttp.ts';
import { fetchProviderJson } from './fetchProviderJson.ts';
import type { HttpClient } from './HttpClient.ts';
import { providerAmount } from './providerAmount.ts';
import type { BalanceClient, SpendClient } from './SpendReport.ts';
import { addToDate, spendReport } from './SpendReport.ts';
import { utcDateOf } from './utcDayRange.ts';

export const OPENROUTER_DEFAULT_BASE_URL = 'https://openrouter.ai';
export const OPENROUTER_ACTIVITY_PATH = '/api/v1/activity';
export const OPENROUTER_CREDITS_PATH = '/api/v1/credits';
/** OpenRouter keeps activity for the last 30 completed UTC days. */
export const OPENROUTER_ACTIVITY_DAYS = 30;

const PROVIDER = 'OpenRouter';
export const OPENROUTER_KEY_REQUIREMENT =
  'Use an OpenRouter management key (Settings → Management keys): /activity and /credits accept only ' +
  'management keys. OpenRouter has no read-only scope; a management key can create and delete API keys.';

const activitySchema = z.object({
  data: z.array(
    z.object({
      date: z.string().regex(/^\d{4}-\d{2}-\d{2}/, 'expected a YYYY-MM-DD date'),
      usage: z.number(),
    }),
  ),
});

const creditsSchema = z.object({
  data: z.object({ total_credits: z.number(), total_usage: z.number() }),
});

export interface OpenRouterClientConfig {
  /** The management key. Kept in this closure only; never logged or put in an error. */
  readonly managementKey: string;
  readonly http: HttpClient;
  readonly baseUrl?: string;
  /** Restrict activity to one API key, by the SHA-256 hash the keys API returns. */
  readonly apiKeyHash?: string;
}

/**
 * Creates the OpenRouter usage client.
 *
 * @example
 * const openrouter = openrouterClient({ managementKey, http: fetchHttpClient() });
 * const balance = await openrouter.readBalance();
 */
export function openrouterClient(config: OpenRouterClientConfig): SpendClient & BalanceClient {
  const baseUrl = (config.baseUrl ?? OPENROUTER_DEFAULT_BASE_URL).replace(/\/+$/, '');
  const http = allowlistedHttp(
    { baseUrl, paths: [OPENROUTER_ACTIVITY_PATH, OPENROUTER_CREDITS_PATH] },
    config.http,
  );
  const headers = { authorization: `Bearer ${config.managementKey}`, accept: 'application/json' };

  return {
    provider: 'openrouter',

    async readDailySpend(range, options) {
      const params = new URLSearchParams();
      if (config.apiKeyHash !== undefined) params.set('api_key_hash', config.apiKeyHash);
      const query = params.size > 0 ? `?${params}` : '';
      const page = await fetchProviderJson(
        http,
        {
          provider: PROVIDER,
          url: `${baseUrl}${OPENROUTER_ACTIVITY_PATH}${query}`,
          headers,
          schema: activitySchema,
          authRequirement: OPENROUTER_KEY_REQUIREMENT,
        },
        options,
      );
      const sums = new Map<string, number>();
      page.data.forEach((item, i) => {
        addToDate(
          sums,
          item.date.slice(0, 10),
          providerAmount(PROVIDER, `data[${i}].usage`, item.usage, 'dollars'),
        );
      });
      // Activity covers [today − 30 days, today): older days and today are not reported yet.
      const today = utcDateOf((options?.now ?? Date.now)());
      const [year, month, day] = today.split('-').map(Number) as [number, number, number];
      const oldest = formatLocalDate(addDays({ year, month, day }, -OPENROUTER_ACTIVITY_DAYS));
      const unavailableDates = range.dates.filter((date) => date < oldest || date >= today);
      const report = spendReport('openrouter', range, sums);
      return unavailableDates.length > 0 ? { ...report, unavailableDates } : report;
    },

    async readBalance(options) {
      const credits = await fetchProviderJson(
        http,
        {
          provider: PROVIDER,
          url: `${baseUrl}${OPENROUTER_CREDITS_PATH}`,
          headers,
          schema: creditsSchema,
          authRequirement: OPENROUTER_KEY_REQUIREMENT,
        },
        options,
      );
      const purchased = providerAmount(PROVIDER, 'data.total_credits', credits.data.total_credits, 'dollars');
      const used = providerAmount(PROVIDER, 'data.total_usage', credits.data.total_usage, 'dollars');
      return {
        provider: 'openrouter',
        balances: [{ currency: 'usd', amountMicros: sumMicros([purchased, -used]) }],
        totalUsedMicros: used,
      };
    },
  };
}
