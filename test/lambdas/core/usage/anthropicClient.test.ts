import { describe, expect, it } from 'vitest';
import { fetchHttpClient } from '../../../../lambdas/adapters/http/fetchHttpClient.ts';
import { formatMicros } from '../../../../lambdas/core/budget/money.ts';
import { anthropicClient } from '../../../../lambdas/core/usage/anthropicClient.ts';
import { ProviderAuthError, ProviderResponseError } from '../../../../lambdas/core/usage/errors.ts';
import { utcDayRange } from '../../../../lambdas/core/usage/utcDayRange.ts';
import { scriptedProviderPerTest, usageFixture } from '../../../support/usageProviderServer.ts';

const KEY = 'sk-ant-admin01-canary-0123456789';
const fixture = usageFixture;
const LAST_PAGE = { data: [], has_more: false, next_page: null };

const serve = scriptedProviderPerTest();

function bucket(date: string, ...amounts: string[]) {
  const start = `${date}T00:00:00Z`;
  const end = new Date(Date.parse(start) + 86_400_000).toISOString().replace('.000Z', 'Z');
  return {
    starting_at: start,
    ending_at: end,
    results: amounts.map((amount) => ({ amount, currency: 'USD' })),
  };
}

describe('anthropicClient.readDailySpend', () => {
  it('reads the published cost report example as cents: "123.78912" is $1.237891', async () => {
    const { url } = await serve((request) =>
      request.query.get('page')
        ? { status: 200, body: LAST_PAGE }
        : { status: 200, body: fixture('anthropic-cost-report.json') },
    );
    const client = anthropicClient({ adminKey: KEY, http: fetchHttpClient(), baseUrl: url });

    const report = await client.readDailySpend(utcDayRange('2025-08-01', '2025-08-02'));

    // Read as dollars this would be $123.78912 — a hundred times too much.
    expect(report.days).toEqual([{ date: '2025-08-01', amountMicros: 1_237_891 }]);
    expect(formatMicros(report.totalMicros)).toBe('1.237891');
  });

  it('sends the admin key as x-api-key with anthropic-version, never as Authorization', async () => {
    const { url, requests } = await serve(() => ({ status: 200, body: LAST_PAGE }));
    const client = anthropicClient({ adminKey: KEY, http: fetchHttpClient(), baseUrl: url });

    await client.readDailySpend(utcDayRange('2025-08-01', '2025-09-01'));

    const [request] = requests;
    expect(request?.path).toBe('/v1/organizations/cost_report');
    expect(Object.fromEntries(request!.query)).toEqual({
      starting_at: '2025-08-01T00:00:00Z',
      ending_at: '2025-09-01T00:00:00Z',
      bucket_width: '1d',
      limit: '31',
    });
    expect(request?.headers['x-api-key']).toBe(KEY);
    expect(request?.headers['anthropic-version']).toBe('2023-06-01');
    expect(request?.headers.authorization).toBeUndefined();
  });

  it('follows next_page and sums grouped results', async () => {
    const { url, requests } = await serve((request) => {
      switch (request.query.get('page')) {
        case null:
          return {
            status: 200,
            body: { data: [bucket('2025-08-01', '100', '0.5')], has_more: true, next_page: 'p2' },
          };
        case 'p2':
          return {
            status: 200,
            body: { data: [bucket('2025-08-02', '12345.6789')], has_more: false, next_page: null },
          };
        default:
          return { status: 400 };
      }
    });
    const client = anthropicClient({ adminKey: KEY, http: fetchHttpClient(), baseUrl: url });

    const report = await client.readDailySpend(utcDayRange('2025-08-01', '2025-08-03'));

    expect(requests).toHaveLength(2);
    expect(report.days).toEqual([
      { date: '2025-08-01', amountMicros: 1_005_000 },
      { date: '2025-08-02', amountMicros: 123_456_789 },
    ]);
    expect(report.totalMicros).toBe(124_461_789);
  });

  it('warns that Anthropic has no read-only admin key when the key is refused', async () => {
    const { url } = await serve(() => ({
      status: 403,
      body: { type: 'error', error: { type: 'permission_error' } },
    }));
    const client = anthropicClient({ adminKey: KEY, http: fetchHttpClient(), baseUrl: url });

    const failure = client.readDailySpend(utcDayRange('2025-08-01', '2025-08-02'));

    await expect(failure).rejects.toBeInstanceOf(ProviderAuthError);
    await expect(failure).rejects.toThrow(/no read-only admin key/);
  });

  it.each([
    [
      'a number instead of a cents string',
      { data: [{ ...bucket('2025-08-01'), results: [{ amount: 12, currency: 'USD' }] }], has_more: false },
      'data[0].results[0].amount',
    ],
    [
      'a malformed amount',
      { data: [bucket('2025-08-01', '12,5')], has_more: false },
      'data[0].results[0].amount is not a valid amount',
    ],
    [
      'a missing starting_at',
      { data: [{ ending_at: '2025-08-02T00:00:00Z', results: [] }], has_more: false },
      'data[0].starting_at is missing',
    ],
    ['a missing has_more', { data: [] }, 'has_more is missing'],
  ])('rejects %s, naming the field', async (_name, body, message) => {
    const { url } = await serve(() => ({ status: 200, body }));
    const client = anthropicClient({ adminKey: KEY, http: fetchHttpClient(), baseUrl: url });

    const failure = client.readDailySpend(utcDayRange('2025-08-01', '2025-08-02'));

    await expect(failure).rejects.toBeInstanceOf(ProviderResponseError);
    await expect(failure).rejects.toThrow(message);
  });
});

describe('anthropicClient.readMessagesUsage', () => {
  it('reads the published usage report example', async () => {
    const { url, requests } = await serve((request) =>
      request.query.get('page')
        ? { status: 200, body: LAST_PAGE }
        : { status: 200, body: fixture('anthropic-usage-messages.json') },
    );
    const client = anthropicClient({ adminKey: KEY, http: fetchHttpClient(), baseUrl: url });

    const rows = await client.readMessagesUsage(utcDayRange('2025-08-01', '2025-08-02'), {
      groupBy: ['model', 'api_key_id'],
      apiKeyIds: ['apikey_01Rj2N8SVvo6BePZj99NhmiT'],
    });

    expect(rows).toEqual([
      {
        date: '2025-08-01',
        model: 'claude-sonnet-4-20250514',
        apiKeyId: 'apikey_01Rj2N8SVvo6BePZj99NhmiT',
        inputTokens: 3000,
        cachedInputTokens: 200,
        outputTokens: 500,
        requests: null,
      },
    ]);
    expect(requests[0]?.path).toBe('/v1/organizations/usage_report/messages');
    expect(requests[0]?.query.getAll('group_by[]')).toEqual(['model', 'api_key_id']);
    expect(requests[0]?.query.getAll('api_key_ids[]')).toEqual(['apikey_01Rj2N8SVvo6BePZj99NhmiT']);
    expect(requests[1]?.query.get('page')).toBe('2019-12-27T18:11:19.117Z');
  });
});
