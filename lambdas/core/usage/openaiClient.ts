/**
 * OpenAI organization usage: the Costs API (dollars per day, as JSON numbers) and the Completions Usage
 * API (tokens per day). Both accept only an Admin key, sent as a Bearer token.
 *
 * Reference: GET /v1/organization/costs and GET /v1/organization/usage/completions in the OpenAI API
 * reference (bucket_width=1d, limit up to 180 and 31 buckets, cursor pagination with page/next_page).
 */
import * as z from 'zod';
import { allowlistedHttp } from './allowlistedHttp.ts';
import { ProviderResponseError } from './errors.ts';
import type { ProviderRequestOptions } from './fetchProviderJson.ts';
import { fetchProviderJson } from './fetchProviderJson.ts';
import type { HttpClient } from './HttpClient.ts';
import { paginate } from './paginate.ts';
import { providerAmount } from './providerAmount.ts';
import type { SpendClient, TokenUsageQuery, TokenUsageRow } from './SpendReport.ts';
import { addToDate, spendReport } from './SpendReport.ts';
import type { UtcDayRange } from './utcDayRange.ts';
import { utcDateOf } from './utcDayRange.ts';

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com';
export const OPENAI_COSTS_PATH = '/v1/organization/costs';
export const OPENAI_COMPLETIONS_USAGE_PATH = '/v1/organization/usage/completions';

const PROVIDER = 'OpenAI';
export const OPENAI_KEY_REQUIREMENT =
  'Use an OpenAI Admin key (Organization settings → Admin keys) with Read only permission: the Costs and ' +
  'Usage APIs accept only admin keys, not project API keys.';

// Unknown fields pass (zod strips them); a missing documented field fails and is named.
const costsPageSchema = z.object({
  data: z.array(
    z.object({
      start_time: z.number().int(),
      end_time: z.number().int(),
      results: z.array(
        z.object({
          amount: z.object({ value: z.union([z.number(), z.string()]), currency: z.string() }),
        }),
      ),
    }),
  ),
  has_more: z.boolean(),
  next_page: z.string().nullish(),
});

const tokenCount = z.number().int().nonnegative();
const completionsPageSchema = z.object({
  data: z.array(
    z.object({
      start_time: z.number().int(),
      end_time: z.number().int(),
      results: z.array(
        z.object({
          input_tokens: tokenCount,
          output_tokens: tokenCount,
          input_cached_tokens: tokenCount.nullish(),
          num_model_requests: tokenCount,
          model: z.string().nullish(),
          api_key_id: z.string().nullish(),
        }),
      ),
    }),
  ),
  has_more: z.boolean(),
  next_page: z.string().nullish(),
});

export interface OpenAiClientConfig {
  /** The Admin key. Kept in this closure only; never logged or put in an error. */
  readonly adminKey: string;
  readonly http: HttpClient;
  readonly baseUrl?: string;
  /** Restrict costs to these API key ids (a budget on some keys only). */
  readonly apiKeyIds?: readonly string[];
  /** Restrict costs to these project ids. */
  readonly projectIds?: readonly string[];
}

export interface OpenAiClient extends SpendClient {
  readCompletionsUsage(
    range: UtcDayRange,
    query?: TokenUsageQuery,
    options?: ProviderRequestOptions,
  ): Promise<TokenUsageRow[]>;
}

function appendAll(params: URLSearchParams, name: string, values: readonly string[] | undefined): void {
  for (const value of values ?? []) params.append(`${name}[]`, value);
}

/**
 * Creates the OpenAI usage client.
 *
 * @example
 * const openai = openaiClient({ adminKey, http: fetchHttpClient() });
 * const report = await openai.readDailySpend(utcDayRange('2025-03-01', '2025-04-01'));
 */
export function openaiClient(config: OpenAiClientConfig): OpenAiClient {
  const baseUrl = (config.baseUrl ?? OPENAI_DEFAULT_BASE_URL).replace(/\/+$/, '');
  const http = allowlistedHttp(
    { baseUrl, paths: [OPENAI_COSTS_PATH, OPENAI_COMPLETIONS_USAGE_PATH] },
    config.http,
  );
  const headers = { authorization: `Bearer ${config.adminKey}`, accept: 'application/json' };

  function timeParams(range: UtcDayRange, maxBuckets: number, cursor: string | undefined): URLSearchParams {
    const params = new URLSearchParams({
      start_time: String(range.startMs / 1000),
      end_time: String(range.endMs / 1000),
      bucket_width: '1d',
      limit: String(Math.min(range.dates.length, maxBuckets)),
    });
    if (cursor !== undefined) params.set('page', cursor);
    return params;
  }

  return {
    provider: 'openai',

    async readDailySpend(range, options) {
      const sums = new Map<string, number>();
      await paginate(
        PROVIDER,
        (cursor) => {
          const params = timeParams(range, 180, cursor);
          appendAll(params, 'api_key_ids', config.apiKeyIds);
          appendAll(params, 'project_ids', config.projectIds);
          return fetchProviderJson(
            http,
            {
              provider: PROVIDER,
              url: `${baseUrl}${OPENAI_COSTS_PATH}?${params}`,
              headers,
              schema: costsPageSchema,
              authRequirement: OPENAI_KEY_REQUIREMENT,
            },
            options,
          );
        },
        (page) => {
          page.data.forEach((bucket, b) => {
            const date = utcDateOf(bucket.start_time * 1000);
            bucket.results.forEach((result, r) => {
              const field = `data[${b}].results[${r}].amount`;
              if (result.amount.currency.toLowerCase() !== 'usd') {
                throw new ProviderResponseError(PROVIDER, `${field}.currency is not usd`, {
                  fields: [field],
                });
              }
              addToDate(
                sums,
                date,
                providerAmount(PROVIDER, `${field}.value`, result.amount.value, 'dollars'),
              );
            });
          });
        },
      );
      return spendReport('openai', range, sums);
    },

    async readCompletionsUsage(range, query = {}, options) {
      const rows: TokenUsageRow[] = [];
      await paginate(
        PROVIDER,
        (cursor) => {
          const params = timeParams(range, 31, cursor);
          appendAll(params, 'group_by', query.groupBy);
          appendAll(params, 'api_key_ids', query.apiKeyIds);
          return fetchProviderJson(
            http,
            {
              provider: PROVIDER,
              url: `${baseUrl}${OPENAI_COMPLETIONS_USAGE_PATH}?${params}`,
              headers,
              schema: completionsPageSchema,
              authRequirement: OPENAI_KEY_REQUIREMENT,
            },
            options,
          );
        },
        (page) => {
          for (const bucket of page.data) {
            const date = utcDateOf(bucket.start_time * 1000);
            if (!range.dates.includes(date)) continue;
            for (const result of bucket.results) {
              const cached = result.input_cached_tokens ?? 0;
              rows.push({
                date,
                model: result.model ?? null,
                apiKeyId: result.api_key_id ?? null,
                // OpenAI counts cached tokens inside input_tokens.
                inputTokens: Math.max(0, result.input_tokens - cached),
                cachedInputTokens: cached,
                outputTokens: result.output_tokens,
                requests: result.num_model_requests,
              });
            }
          }
        },
      );
      return rows;
    },
  };
}
