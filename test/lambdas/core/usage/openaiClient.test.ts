import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { fetchHttpClient } from '../../../../lambdas/adapters/http/fetchHttpClient.ts';
import { formatMicros } from '../../../../lambdas/core/budget/money.ts';
import { ProviderAuthError, ProviderResponseError } from '../../../../lambdas/core/usage/errors.ts';
import { openaiClient } from '../../../../lambdas/core/usage/openaiClient.ts';
import { utcDayRange } from '../../../../lambdas/core/usage/utcDayRange.ts';
import { scriptedProviderPerTest, usageFixture } from '../../../support/usageProviderServer.ts';

const KEY = 'sk-admin-canary-0123456789';
const fixture = usageFixture;
const DAY = 86_400;

const serve = scriptedProviderPerTest();

function bucket(startTime: number, ...values: (number | string)[]) {
  return {
    object: 'bucket',
    start_time: startTime,
    end_time: startTime + DAY,
    results: values.map((value) => ({
      object: 'organization.costs.result',
      amount: { value, currency: 'usd' },
    })),
  };
}

describe('openaiClient.readDailySpend', () => {
  it('reads the published Costs example as exactly six US cents', async () => {
    const { url } = await serve(() => ({ status: 200, body: fixture('openai-costs.json') }));
    const client = openaiClient({ adminKey: KEY, http: fetchHttpClient(), baseUrl: url });

    const report = await client.readDailySpend(utcDayRange('2024-11-01', '2024-11-03'));

    // 0.06 dollars: as cents it would be 600 micros, as whole dollars 60,000,000.
    expect(report.days).toEqual([
      { date: '2024-11-01', amountMicros: 60_000 },
      { date: '2024-11-02', amountMicros: 0 },
    ]);
    expect(report.totalMicros).toBe(60_000);
    expect(formatMicros(report.totalMicros)).toBe('0.06');
    expect(report.currency).toBe('usd');
  });

  it('sends the documented query and the admin key as a Bearer token', async () => {
    const { url, requests } = await serve(() => ({ status: 200, body: fixture('openai-costs.json') }));
    const client = openaiClient({
      adminKey: KEY,
      http: fetchHttpClient(),
      baseUrl: url,
      apiKeyIds: ['key_a'],
    });

    await client.readDailySpend(utcDayRange('2024-11-01', '2024-11-08'));

    const [request] = requests;
    expect(request?.method).toBe('GET');
    expect(request?.path).toBe('/v1/organization/costs');
    expect(Object.fromEntries(request!.query)).toEqual({
      start_time: '1730419200',
      end_time: String(1730419200 + 7 * DAY),
      bucket_width: '1d',
      limit: '7',
      'api_key_ids[]': 'key_a',
    });
    expect(request?.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('builds the same request as the official openai SDK', async () => {
    const { url, requests } = await serve(() => ({ status: 200, body: fixture('openai-costs.json') }));
    const range = utcDayRange('2024-11-01', '2024-11-08');
    const sdk = new OpenAI({ adminAPIKey: KEY, apiKey: null, baseURL: `${url}/v1`, maxRetries: 0 });

    await sdk.admin.organization.usage.costs({
      start_time: range.startMs / 1000,
      end_time: range.endMs / 1000,
      bucket_width: '1d',
      limit: 7,
      api_key_ids: ['key_a'],
    });
    await openaiClient({
      adminKey: KEY,
      http: fetchHttpClient(),
      baseUrl: url,
      apiKeyIds: ['key_a'],
    }).readDailySpend(range);

    const [bySdk, byClient] = requests;
    expect(byClient?.path).toBe(bySdk?.path);
    expect(Object.fromEntries(byClient!.query)).toEqual(Object.fromEntries(bySdk!.query));
    expect(byClient?.headers.authorization).toBe(bySdk?.headers.authorization);
  });

  it('follows next_page until has_more is false and sums every result', async () => {
    const start = 1735689600; // 2025-01-01
    const pages: Record<string, unknown> = {
      first: { object: 'page', data: [bucket(start, 1.5, 0.25)], has_more: true, next_page: 'page_two' },
      page_two: {
        object: 'page',
        data: [bucket(start + DAY, '2.000001')],
        has_more: true,
        next_page: 'page_three',
      },
      page_three: { object: 'page', data: [bucket(start + 2 * DAY, 0.1)], has_more: false, next_page: null },
    };
    const { url, requests } = await serve((request) => ({
      status: 200,
      body: pages[request.query.get('page') ?? 'first'],
    }));
    const client = openaiClient({ adminKey: KEY, http: fetchHttpClient(), baseUrl: url });

    const report = await client.readDailySpend(utcDayRange('2025-01-01', '2025-01-04'));

    expect(requests.map((request) => request.query.get('page'))).toEqual([null, 'page_two', 'page_three']);
    expect(report.days.map((day) => day.amountMicros)).toEqual([1_750_000, 2_000_001, 100_000]);
    expect(report.totalMicros).toBe(3_850_001);
  });

  it('retries a 429 honouring Retry-After', async () => {
    const { url, requests } = await serve((_request, index) =>
      index === 0
        ? { status: 429, headers: { 'retry-after': '1' }, body: { error: { message: 'rate limited' } } }
        : { status: 200, body: fixture('openai-costs.json') },
    );
    const waits: number[] = [];
    const client = openaiClient({ adminKey: KEY, http: fetchHttpClient(), baseUrl: url });

    const report = await client.readDailySpend(utcDayRange('2024-11-01', '2024-11-02'), {
      sleep: async (ms) => void waits.push(ms),
    });

    expect(report.totalMicros).toBe(60_000);
    expect(waits).toEqual([1000]);
    expect(requests).toHaveLength(2);
  });

  it('tells the user an admin key with read-only permission is needed on 401', async () => {
    const { url } = await serve(() => ({ status: 401, body: { error: { message: 'Invalid key' } } }));
    const client = openaiClient({ adminKey: KEY, http: fetchHttpClient(), baseUrl: url });

    const failure = client.readDailySpend(utcDayRange('2024-11-01', '2024-11-02'));

    await expect(failure).rejects.toBeInstanceOf(ProviderAuthError);
    await expect(failure).rejects.toThrow(/Admin key .*Read only/);
  });

  it('names the field when a result has no amount', async () => {
    const broken = { object: 'page', data: [{ ...bucket(1730419200), results: [{}] }], has_more: false };
    const { url } = await serve(() => ({ status: 200, body: broken }));
    const client = openaiClient({ adminKey: KEY, http: fetchHttpClient(), baseUrl: url });

    await expect(client.readDailySpend(utcDayRange('2024-11-01', '2024-11-02'))).rejects.toThrow(
      'data[0].results[0].amount is missing',
    );
  });

  it('refuses a currency other than usd', async () => {
    const euro = {
      data: [{ ...bucket(1730419200), results: [{ amount: { value: 1, currency: 'eur' } }] }],
      has_more: false,
    };
    const { url } = await serve(() => ({ status: 200, body: euro }));
    const client = openaiClient({ adminKey: KEY, http: fetchHttpClient(), baseUrl: url });

    await expect(client.readDailySpend(utcDayRange('2024-11-01', '2024-11-02'))).rejects.toBeInstanceOf(
      ProviderResponseError,
    );
  });

  it('stops when has_more is true without a next_page', async () => {
    const { url } = await serve(() => ({ status: 200, body: { data: [], has_more: true, next_page: null } }));
    const client = openaiClient({ adminKey: KEY, http: fetchHttpClient(), baseUrl: url });

    await expect(client.readDailySpend(utcDayRange('2024-11-01', '2024-11-02'))).rejects.toThrow(
      /next_page is missing/,
    );
  });
});

describe('openaiClient.readCompletionsUsage', () => {
  it('reads the published Completions example, cached tokens apart', async () => {
    const { url, requests } = await serve((request) =>
      request.query.get('page')
        ? { status: 200, body: { object: 'page', data: [], has_more: false, next_page: null } }
        : { status: 200, body: fixture('openai-usage-completions.json') },
    );
    const client = openaiClient({ adminKey: KEY, http: fetchHttpClient(), baseUrl: url });

    const rows = await client.readCompletionsUsage(utcDayRange('2024-11-01', '2024-11-02'), {
      groupBy: ['model'],
    });

    expect(rows).toEqual([
      {
        date: '2024-11-01',
        model: null,
        apiKeyId: null,
        inputTokens: 200,
        cachedInputTokens: 800,
        outputTokens: 500,
        requests: 5,
      },
    ]);
    expect(requests[0]?.path).toBe('/v1/organization/usage/completions');
    expect(requests[0]?.query.getAll('group_by[]')).toEqual(['model']);
    expect(requests[1]?.query.get('page')).toBe('page_AAAAAGdGxdEiJdKOAAAAAGcqsYA=');
  });
});
