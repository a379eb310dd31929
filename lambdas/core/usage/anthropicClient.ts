/**
 * Anthropic organization usage through the Admin API: the cost report (cents per day, as decimal
 * strings: "123.45" means $1.2345) and the Messages usage report (tokens per day).
 *
 * Reference: GET /v1/organizations/cost_report and GET /v1/organizations/usage_report/messages in the
 * Claude API reference (x-api-key admin key, anthropic-version header, bucket_width=1d with at most 31
 * buckets a page, cursor pagination with page/next_page). The cost report excludes Priority Tier costs
 * and cannot be filtered by API key; per-key budgets on Anthropic therefore use token usage only.
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

export const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com';
export const ANTHROPIC_COST_REPORT_PATH = '/v1/organizations/cost_report';
export const ANTHROPIC_MESSAGES_USAGE_PATH = '/v1/organizations/usage_report/messages';
export const ANTHROPIC_VERSION = '2023-06-01';

const PROVIDER = 'Anthropic';
export const ANTHROPIC_KEY_REQUIREMENT =
  'Use an Anthropic Admin API key (sk-ant-admin…, created by an organization admin in the Console). ' +
  'Anthropic offers no read-only admin key: this key can also manage members, workspaces and keys, so ' +
  'keep it only here; ClawPulsar sends it to the usage and cost report endpoints only.';

const instant = z
  .string()
  .refine((text) => !Number.isNaN(Date.parse(text)), 'expected an RFC 3339 timestamp');

const costPageSchema = z.object({
  data: z.array(
    z.object({
      starting_at: instant,
      ending_at: instant,
      results: z.array(z.object({ amount: z.string(), currency: z.string() })),
    }),
  ),
  has_more: z.boolean(),
  next_page: z.string().nullish(),
});

const tokenCount = z.number().int().nonnegative();
const messagesUsagePageSchema = z.object({
  data: z.array(
    z.object({
      starting_at: instant,
      ending_at: instant,
      results: z.array(
        z.object({
          uncached_input_tokens: tokenCount,
          cache_read_input_tokens: tokenCount,
          cache_creation: z
            .object({ ephemeral_1h_input_tokens: tokenCount, ephemeral_5m_input_tokens: tokenCount })
            .nullish(),
          output_tokens: tokenCount,
          model: z.string().nullish(),
          api_key_id: z.string().nullish(),
        }),
      ),
    }),
  ),
  has_more: z.boolean(),
  next_page: z.string().nullish(),
});

export interface AnthropicClientConfig {
  /** The Admin API key. Kept in this closure only; never logged or put in an error. */
  readonly adminKey: string;
  readonly http: HttpClient;
  readonly baseUrl?: string;
}

export interface AnthropicClient extends SpendClient {
  readMessagesUsage(
    range: UtcDayRange,
    query?: TokenUsageQuery,
    options?: ProviderRequestOptions,
  ): Promise<TokenUsageRow[]>;
}

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/**
 * Creates the Anthropic usage client.
 *
 * @example
 * const anthropic = anthropicClient({ adminKey, http: fetchHttpClient() });
 * const report = await anthropic.readDailySpend(utcDayRange('2025-03-01', '2025-04-01'));
 */
export function anthropicClient(config: AnthropicClientConfig): AnthropicClient {
  const baseUrl = (config.baseUrl ?? ANTHROPIC_DEFAULT_BASE_URL).replace(/\/+$/, '');
  const http = allowlistedHttp(
    { baseUrl, paths: [ANTHROPIC_COST_REPORT_PATH, ANTHROPIC_MESSAGES_USAGE_PATH] },
    config.http,
  );
  const headers = {
    'x-api-key': config.adminKey,
    'anthropic-version': ANTHROPIC_VERSION,
    accept: 'application/json',
  };

  function timeParams(range: UtcDayRange, cursor: string | undefined): URLSearchParams {
    const params = new URLSearchParams({
      starting_at: rfc3339(range.startMs),
      ending_at: rfc3339(range.endMs),
      bucket_width: '1d',
      limit: String(Math.min(range.dates.length, 31)),
    });
    if (cursor !== undefined) params.set('page', cursor);
    return params;
  }

  return {
    provider: 'anthropic',

    async readDailySpend(range, options) {
      const sums = new Map<string, number>();
      await paginate(
        PROVIDER,
        (cursor) =>
          fetchProviderJson(
            http,
            {
              provider: PROVIDER,
              url: `${baseUrl}${ANTHROPIC_COST_REPORT_PATH}?${timeParams(range, cursor)}`,
              headers,
              schema: costPageSchema,
              authRequirement: ANTHROPIC_KEY_REQUIREMENT,
            },
            options,
          ),
        (page) => {
          page.data.forEach((bucket, b) => {
            const date = utcDateOf(Date.parse(bucket.starting_at));
            bucket.results.forEach((result, r) => {
              const field = `data[${b}].results[${r}]`;
              if (result.currency.toUpperCase() !== 'USD') {
                throw new ProviderResponseError(PROVIDER, `${field}.currency is not USD`, {
                  fields: [field],
                });
              }
              // Cents as a decimal string: "123.45" is $1.2345.
              addToDate(sums, date, providerAmount(PROVIDER, `${field}.amount`, result.amount, 'cents'));
            });
          });
        },
      );
      return spendReport('anthropic', range, sums);
    },

    async readMessagesUsage(range, query = {}, options) {
      const rows: TokenUsageRow[] = [];
      await paginate(
        PROVIDER,
        (cursor) => {
          const params = timeParams(range, cursor);
          for (const group of query.groupBy ?? []) params.append('group_by[]', group);
          for (const id of query.apiKeyIds ?? []) params.append('api_key_ids[]', id);
          return fetchProviderJson(
            http,
            {
              provider: PROVIDER,
              url: `${baseUrl}${ANTHROPIC_MESSAGES_USAGE_PATH}?${params}`,
              headers,
              schema: messagesUsagePageSchema,
              authRequirement: ANTHROPIC_KEY_REQUIREMENT,
            },
            options,
          );
        },
        (page) => {
          for (const bucket of page.data) {
            const date = utcDateOf(Date.parse(bucket.starting_at));
            if (!range.dates.includes(date)) continue;
            for (const result of bucket.results) {
              const cacheWrites =
                (result.cache_creation?.ephemeral_1h_input_tokens ?? 0) +
                (result.cache_creation?.ephemeral_5m_input_tokens ?? 0);
              rows.push({
                date,
                model: result.model ?? null,
                apiKeyId: result.api_key_id ?? null,
                inputTokens: result.uncached_input_tokens + cacheWrites,
                cachedInputTokens: result.cache_read_input_tokens,
                outputTokens: result.output_tokens,
                requests: null,
              });
            }
          }
        },
      );
      return rows;
    },
  };
}
