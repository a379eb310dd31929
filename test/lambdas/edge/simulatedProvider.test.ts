import { afterEach, describe, expect, it } from 'vitest';
import { fetchHttpClient } from '../../../lambdas/adapters/http/fetchHttpClient.ts';
import type { Logger } from '../../../lambdas/core/ports.ts';
import { anthropicClient } from '../../../lambdas/core/usage/anthropicClient.ts';
import { deepseekClient } from '../../../lambdas/core/usage/deepseekClient.ts';
import { ProviderAuthError, ProviderUnavailableError } from '../../../lambdas/core/usage/errors.ts';
import { openaiClient } from '../../../lambdas/core/usage/openaiClient.ts';
import { openrouterClient } from '../../../lambdas/core/usage/openrouterClient.ts';
import { utcDayRange } from '../../../lambdas/core/usage/utcDayRange.ts';
import { vercelClient } from '../../../lambdas/core/usage/vercelClient.ts';
import type { SimulatedProvider, SimulatedProviderOptions } from '../../../lambdas/edge/simulatedProvider.ts';
import { startSimulatedProvider } from '../../../lambdas/edge/simulatedProvider.ts';

const KEY = 'sk-sim-canary-0123456789';
// Noon on 2025-03-10 UTC: March 1–9 are complete, the 10th is half spent.
const NOW = Date.UTC(2025, 2, 10, 12);

const lines: { event: string; fields?: Record<string, unknown> }[] = [];
const logger: Logger = {
  info: (event, fields) => void lines.push({ event, fields }),
  warn: (event, fields) => void lines.push({ event, fields }),
  error: (event, fields) => void lines.push({ event, fields }),
};

let provider: SimulatedProvider | undefined;
afterEach(async () => {
  await provider?.close();
  provider = undefined;
  lines.length = 0;
});

async function start(options: Partial<SimulatedProviderOptions> = {}): Promise<SimulatedProvider> {
  provider = await startSimulatedProvider({ key: KEY, now: () => NOW, logger, ...options });
  return provider;
}

describe('startSimulatedProvider', () => {
  it('says it is simulated in its startup log, its headers and its bodies', async () => {
    const { url } = await start();

    const response = await fetch(`${url}/v1/organization/costs?start_time=1741219200`, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    const body = (await response.json()) as Record<string, unknown>;

    expect(lines[0]).toEqual({
      event: 'simulated_provider_started',
      fields: { url, simulated: true, note: 'SIMULATED provider: generated spend, not real provider data' },
    });
    expect(response.headers.get('x-clawpulsar-simulated')).toBe('true');
    expect(body.clawpulsar_simulated).toBe(true);
  });

  it('serves the spend set for a day to the OpenAI and Anthropic clients alike', async () => {
    const sim = await start();
    sim.setDailySpend('2025-03-01', 42_123_457);
    sim.setDailySpend('2025-03-02', 0);
    const range = utcDayRange('2025-03-01', '2025-03-03');

    const openai = await openaiClient({
      adminKey: KEY,
      http: fetchHttpClient(),
      baseUrl: sim.url,
    }).readDailySpend(range);
    const anthropic = await anthropicClient({
      adminKey: KEY,
      http: fetchHttpClient(),
      baseUrl: sim.url,
    }).readDailySpend(range);

    expect(openai.days).toEqual([
      { date: '2025-03-01', amountMicros: 42_123_457 },
      { date: '2025-03-02', amountMicros: 0 },
    ]);
    expect(anthropic.days).toEqual(openai.days);
  });

  it('generates the same spend for the same seed, and pages when asked to', async () => {
    const sim = await start({ seed: 7, maxPageSize: 2 });
    const range = utcDayRange('2025-03-01', '2025-03-08');
    const client = openaiClient({ adminKey: KEY, http: fetchHttpClient(), baseUrl: sim.url });

    const first = await client.readDailySpend(range);
    const second = await client.readDailySpend(range);

    expect(second).toEqual(first);
    expect(sim.requests.filter((request) => request.path === '/v1/organization/costs')).toHaveLength(8);
    for (const day of first.days) {
      expect(day.amountMicros).toBeGreaterThanOrEqual(6_172_839);
      expect(day.amountMicros).toBeLessThanOrEqual(18_518_517);
    }
    await sim.close();
    provider = await start({ seed: 8 });
    const other = await openaiClient({
      adminKey: KEY,
      http: fetchHttpClient(),
      baseUrl: provider.url,
    }).readDailySpend(range);
    expect(other.totalMicros).not.toBe(first.totalMicros);
  });

  it('counts only the elapsed part of today and nothing after it', async () => {
    const sim = await start();
    sim.setDailySpend('2025-03-10', 10_000_000);
    sim.setDailySpend('2025-03-11', 10_000_000);

    const report = await openaiClient({
      adminKey: KEY,
      http: fetchHttpClient(),
      baseUrl: sim.url,
    }).readDailySpend(utcDayRange('2025-03-10', '2025-03-12'));

    expect(report.days.map((day) => day.amountMicros)).toEqual([5_000_000, 0]);
  });

  it('requires its key in each provider style', async () => {
    const sim = await start();
    const range = utcDayRange('2025-03-01', '2025-03-02');

    await expect(
      openaiClient({ adminKey: 'wrong', http: fetchHttpClient(), baseUrl: sim.url }).readDailySpend(range),
    ).rejects.toBeInstanceOf(ProviderAuthError);
    await expect(
      anthropicClient({ adminKey: 'wrong', http: fetchHttpClient(), baseUrl: sim.url }).readDailySpend(range),
    ).rejects.toBeInstanceOf(ProviderAuthError);
    const bearerOnAnthropic = await fetch(
      `${sim.url}/v1/organizations/cost_report?starting_at=2025-03-01T00:00:00Z`,
      {
        headers: { authorization: `Bearer ${KEY}`, 'anthropic-version': '2023-06-01' },
      },
    );
    expect(bearerOnAnthropic.status).toBe(401);
    expect(sim.requests.every((request) => !JSON.stringify(request).includes(KEY))).toBe(true);
  });

  it('rate limits and fails on demand, and the real client copes', async () => {
    const sim = await start();
    const range = utcDayRange('2025-03-01', '2025-03-02');
    const client = openaiClient({ adminKey: KEY, http: fetchHttpClient(), baseUrl: sim.url });
    const waits: number[] = [];

    sim.rateLimitNext(2, 3);
    const report = await client.readDailySpend(range, { sleep: async (ms) => void waits.push(ms) });
    sim.failNext(1, 503);
    const failure = client.readDailySpend(range);

    expect(report.days).toHaveLength(1);
    expect(waits).toEqual([3000, 3000]);
    await expect(failure).rejects.toBeInstanceOf(ProviderUnavailableError);
  });

  it('serves balances and activity consistent with its spend', async () => {
    const sim = await start({ purchasedMicros: 500_000_000 });

    const openrouter = openrouterClient({ managementKey: KEY, http: fetchHttpClient(), baseUrl: sim.url });
    const credits = await openrouter.readBalance();
    const activity = await openrouter.readDailySpend(utcDayRange('2025-02-08', '2025-03-10'), {
      now: () => NOW,
    });
    const deepseek = await deepseekClient({
      apiKey: KEY,
      http: fetchHttpClient(),
      baseUrl: sim.url,
    }).readBalance();
    const vercel = await vercelClient({
      apiKey: KEY,
      http: fetchHttpClient(),
      baseUrl: sim.url,
    }).readBalance();

    expect(activity.unavailableDates).toBeUndefined();
    expect(credits.totalUsedMicros).toBeGreaterThan(activity.totalMicros);
    expect(credits.balances[0]!.amountMicros + credits.totalUsedMicros!).toBe(500_000_000);
    expect(deepseek.balances).toEqual([{ currency: 'usd', amountMicros: credits.balances[0]!.amountMicros }]);
    expect(vercel.totalUsedMicros).toBe(credits.totalUsedMicros);
  });

  it('answers unknown paths and other methods without spend', async () => {
    const sim = await start();

    const chat = await fetch(`${sim.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}` },
      body: '{}',
    });
    const post = await fetch(`${sim.url}/v1/organization/costs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}` },
    });

    expect(chat.status).toBe(404);
    expect(post.status).toBe(405);
  });
});
