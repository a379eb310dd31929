import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addProviderKey } from '../../../../lambdas/core/keys/addProviderKey.ts';
import type { StoredProviderKey } from '../../../../lambdas/core/keys/ProviderKeyRepository.ts';
import { pollProviderKey } from '../../../../lambdas/core/monitor/pollProviderKey.ts';
import type { UsageProviderId } from '../../../../lambdas/core/usage/SpendReport.ts';
import { type MonitorFixture, monitorFixture } from '../../../support/monitorFixture.ts';

const DAY = 86_400_000;
const NOW = Date.UTC(2025, 2, 15, 12);

let f: MonitorFixture;
/** Requests before this index were made while setting up. */
let mark = 0;
const requests = () => f.provider.requests.slice(mark);
beforeEach(async () => {
  f = await monitorFixture({ startMs: NOW });
});
afterEach(async () => {
  await f.close();
});

async function addKey(provider: UsageProviderId): Promise<StoredProviderKey> {
  const { key } = await addProviderKey(f.deps, {
    provider,
    label: provider,
    key: f.providerKey,
    baseUrl: f.provider.url,
  });
  mark = f.provider.requests.length;
  return (await f.deps.keys.get(key.keyId))!;
}

describe('pollProviderKey with a cost API', () => {
  it('backfills what the budgets need as daily aggregates, exactly as the provider reports them', async () => {
    // Prepare
    f.provider.setDailySpend('2025-03-01', 1_250_000);
    f.provider.setDailySpend('2025-03-14', 3_000_000);
    f.provider.setDailySpend('2025-03-15', 4_000_000);
    const key = await addKey('openai');

    // Act
    const result = await pollProviderKey(f.deps, key, Date.UTC(2025, 2, 1), NOW);

    // Assess
    expect(result).toEqual({ keyId: key.keyId, ok: true, days: 15 });
    const rows = await f.history.list({ keyIds: [key.keyId] }, NOW);
    expect(rows.map((row) => row.date)).toEqual(
      Array.from({ length: 15 }, (_, i) => `2025-03-${String(i + 1).padStart(2, '0')}`),
    );
    expect(rows[0]).toMatchObject({
      provider: 'openai',
      amountMicros: 1_250_000,
      expiresAt: Date.UTC(2025, 4, 30),
    });
    expect(rows[13]!.amountMicros).toBe(3_000_000);
    expect(rows[14]!.amountMicros).toBe(2_000_000); // half of today has passed
    expect((await f.deps.keys.get(key.keyId))!.poll).toEqual({
      lastPolledAt: NOW,
      ok: true,
      coveredFrom: '2025-03-01',
    });
    expect(requests().every((r) => r.path === '/v1/organization/costs' && r.method === 'GET')).toBe(true);
  });

  it('re-reads only the last three days once covered, and restated figures replace older ones', async () => {
    const key = await addKey('openai');
    await pollProviderKey(f.deps, key, Date.UTC(2025, 2, 1), NOW);
    f.provider.setDailySpend('2025-03-13', 7_777_777);
    f.provider.setDailySpend('2025-03-10', 9_999_999);
    mark = f.provider.requests.length;
    f.clock.advance(300_000);

    await pollProviderKey(f.deps, (await f.deps.keys.get(key.keyId))!, Date.UTC(2025, 2, 1), f.clock.now());

    const start = new URLSearchParams(requests()[0]!.query).get('start_time');
    expect(Number(start)).toBe(Date.UTC(2025, 2, 12) / 1000);
    const rows = await f.history.list(
      { keyIds: [key.keyId], from: '2025-03-10', to: '2025-03-13' },
      f.clock.now(),
    );
    expect(rows.find((row) => row.date === '2025-03-13')!.amountMicros).toBe(7_777_777);
    expect(rows.find((row) => row.date === '2025-03-10')!.amountMicros).not.toBe(9_999_999);
  });

  it('is idempotent: polling the same window twice leaves the same rows', async () => {
    const key = await addKey('anthropic');
    await pollProviderKey(f.deps, key, Date.UTC(2025, 2, 1), NOW);
    const first = await f.history.list({}, NOW);

    await pollProviderKey(f.deps, key, Date.UTC(2025, 2, 1), NOW);

    expect(await f.history.list({}, NOW)).toEqual(first);
    expect(requests().every((r) => r.path === '/v1/organizations/cost_report')).toBe(true);
  });

  it('leaves days the provider cannot report yet alone (OpenRouter reports completed days only)', async () => {
    const key = await addKey('openrouter');

    await pollProviderKey(f.deps, key, NOW - 7 * DAY, NOW);

    const dates = (await f.history.list({}, NOW)).map((row) => row.date);
    expect(dates).not.toContain('2025-03-15');
    expect(dates).toContain('2025-03-14');
  });

  it('records a failed poll on the key without throwing, and without the key in the message', async () => {
    const key = await addKey('openai');
    f.provider.failNext(1, 503);

    const result = await pollProviderKey(f.deps, key, NOW - 7 * DAY, NOW);

    expect(result).toMatchObject({ ok: false, error: 'provider_unavailable' });
    const poll = (await f.deps.keys.get(key.keyId))!.poll!;
    expect(poll).toMatchObject({ ok: false, error: { code: 'provider_unavailable' } });
    expect(JSON.stringify(poll)).not.toContain(f.providerKey);
    expect(JSON.stringify(f.logger.lines)).not.toContain(f.providerKey);
    expect(await f.history.list({}, NOW)).toEqual([]);
  });
});

describe('pollProviderKey with a balance', () => {
  it.each(['deepseek', 'vercel'] as const)(
    'counts %s spend between successive readings on the day of the reading',
    async (provider) => {
      // Prepare: the simulated balance falls (and lifetime spend rises) as the day goes on
      f.provider.setDailySpend('2025-03-15', 24_000_000);
      const key = await addKey(provider);

      // Act: a first reading, then one an hour later
      await pollProviderKey(f.deps, key, NOW, NOW);
      const first = await f.history.list({}, NOW);
      f.clock.advance(3_600_000);
      await pollProviderKey(f.deps, (await f.deps.keys.get(key.keyId))!, NOW, f.clock.now());
      // A repeated reading at the same instant adds nothing
      await pollProviderKey(f.deps, (await f.deps.keys.get(key.keyId))!, NOW, f.clock.now());

      // Assess
      expect(first).toMatchObject([{ date: '2025-03-15', amountMicros: 0, reading: { atMs: NOW } }]);
      const rows = await f.history.list({}, f.clock.now());
      expect(rows).toHaveLength(1);
      expect(rows[0]!.amountMicros).toBe(1_000_000);
      expect(rows[0]!.reading!.atMs).toBe(NOW + 3_600_000);
    },
  );

  it('refuses to count a reading twice when another poller got there first', async () => {
    const key = await addKey('vercel');
    await pollProviderKey(f.deps, key, NOW, NOW);
    const latest = (await f.history.latestReading(key.keyId, NOW))!;
    const stale = { date: latest.date, atMs: latest.reading!.atMs };
    const newer = {
      ...latest,
      amountMicros: 5,
      reading: { valueMicros: 10, atMs: NOW + 1 },
      updatedAt: NOW + 1,
    };

    expect(await f.history.applyReading(newer, stale)).toBe(true);
    expect(await f.history.applyReading({ ...newer, amountMicros: 99 }, stale)).toBe(false);
    expect(await f.history.applyReading({ ...newer, amountMicros: 99 }, null)).toBe(false);

    expect((await f.history.latestReading(key.keyId, NOW + 1))!.amountMicros).toBe(5);
  });
});
