import { describe, expect, it } from 'vitest';
import { fetchHttpClient } from '../../../../lambdas/adapters/http/fetchHttpClient.ts';
import { openrouterClient } from '../../../../lambdas/core/usage/openrouterClient.ts';
import { utcDayRange } from '../../../../lambdas/core/usage/utcDayRange.ts';
import { scriptedProviderPerTest, usageFixture } from '../../../support/usageProviderServer.ts';

const KEY = 'sk-canary-0123456789';
const fixture = usageFixture;

const serve = scriptedProviderPerTest();

describe('openrouterClient', () => {
  it('reads the documented activity example as dollars, leaving BYOK spend out', async () => {
    const { url, requests } = await serve(() => ({ status: 200, body: fixture('openrouter-activity.json') }));
    const client = openrouterClient({ managementKey: KEY, http: fetchHttpClient(), baseUrl: url });

    const report = await client.readDailySpend(utcDayRange('2025-08-23', '2025-08-25'), {
      now: () => Date.parse('2025-08-30T10:00:00Z'),
    });

    expect(report.days).toEqual([
      { date: '2025-08-23', amountMicros: 0 },
      { date: '2025-08-24', amountMicros: 15_000 },
    ]);
    expect(report.unavailableDates).toBeUndefined();
    expect(requests[0]?.path).toBe('/api/v1/activity');
    expect(requests[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('sums several endpoints of one day and filters by key hash', async () => {
    const body = {
      data: [
        { date: '2025-08-24', usage: 0.5, model: 'a' },
        { date: '2025-08-24', usage: 1.25, model: 'b' },
      ],
    };
    const { url, requests } = await serve(() => ({ status: 200, body }));
    const client = openrouterClient({
      managementKey: KEY,
      http: fetchHttpClient(),
      baseUrl: url,
      apiKeyHash: 'abc123',
    });

    const report = await client.readDailySpend(utcDayRange('2025-08-24', '2025-08-25'), {
      now: () => Date.parse('2025-08-30T10:00:00Z'),
    });

    expect(report.totalMicros).toBe(1_750_000);
    expect(requests[0]?.query.get('api_key_hash')).toBe('abc123');
  });

  it('marks today and days older than 30 as unavailable rather than as no spend', async () => {
    const { url } = await serve(() => ({ status: 200, body: { data: [] } }));
    const client = openrouterClient({ managementKey: KEY, http: fetchHttpClient(), baseUrl: url });

    const report = await client.readDailySpend(utcDayRange('2025-07-30', '2025-09-01'), {
      now: () => Date.parse('2025-08-30T10:00:00Z'),
    });

    expect(report.unavailableDates).toEqual(['2025-07-30', '2025-08-30', '2025-08-31']);
  });

  it('reads the documented credits example as a balance and lifetime spend', async () => {
    const { url, requests } = await serve(() => ({ status: 200, body: fixture('openrouter-credits.json') }));
    const client = openrouterClient({ managementKey: KEY, http: fetchHttpClient(), baseUrl: url });

    const snapshot = await client.readBalance();

    expect(snapshot).toEqual({
      provider: 'openrouter',
      balances: [{ currency: 'usd', amountMicros: 74_750_000 }],
      totalUsedMicros: 25_750_000,
    });
    expect(requests[0]?.path).toBe('/api/v1/credits');
  });

  it('explains that a management key is needed', async () => {
    const { url } = await serve(() => ({
      status: 401,
      body: { error: { code: 401, message: 'No auth credentials found' } },
    }));
    const client = openrouterClient({ managementKey: KEY, http: fetchHttpClient(), baseUrl: url });

    await expect(client.readBalance()).rejects.toThrow(/management key/);
  });
});
