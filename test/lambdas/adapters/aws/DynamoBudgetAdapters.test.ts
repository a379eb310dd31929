import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoBudgetAlertStore } from '../../../../lambdas/adapters/aws/DynamoBudgetAlertStore.ts';
import { DynamoBudgetRepository } from '../../../../lambdas/adapters/aws/DynamoBudgetRepository.ts';
import { DynamoProviderKeyRepository } from '../../../../lambdas/adapters/aws/DynamoProviderKeyRepository.ts';
import { DynamoSpendHistory } from '../../../../lambdas/adapters/aws/DynamoSpendHistory.ts';
import type { StoredProviderKey } from '../../../../lambdas/core/keys/ProviderKeyRepository.ts';
import type { AlertRecord, DailySpendRecord } from '../../../../lambdas/core/monitor/ports.ts';
import { createBudgetTables } from '../../../support/budgetTables.ts';
import { type LocalDynamo, startLocalDynamo } from '../../../support/localDynamo.ts';

const NOW = Date.UTC(2025, 2, 15, 12);
const DAY = 86_400_000;
let dynamo: LocalDynamo;
let tables: Awaited<ReturnType<typeof createBudgetTables>>;

beforeAll(async () => {
  dynamo = await startLocalDynamo();
  tables = await createBudgetTables(dynamo);
});
afterAll(() => dynamo.close());

function key(keyId: string, overrides: Partial<StoredProviderKey> = {}): StoredProviderKey {
  return {
    keyId,
    provider: 'openai',
    label: 'org',
    ciphertext: new Uint8Array([9, 8, 7]),
    fingerprint: 'sha256:01234567',
    last4: 'abcd',
    createdAt: 100,
    updatedAt: 100,
    ...overrides,
  };
}

function day(
  keyId: string,
  date: string,
  amountMicros: number,
  overrides: Partial<DailySpendRecord> = {},
): DailySpendRecord {
  return {
    provider: 'openai',
    keyId,
    date,
    amountMicros,
    updatedAt: NOW,
    expiresAt: Date.parse(`${date}T00:00:00Z`) + 90 * DAY,
    ...overrides,
  };
}

describe('DynamoProviderKeyRepository', () => {
  it('stores a key, keeps its poll state on rotation, and deletes it for good', async () => {
    const keys = new DynamoProviderKeyRepository(dynamo.client, tables.providerKeys);
    await keys.put(key('key-aaaaaaaaaaaaaaaa', { baseUrl: 'https://proxy.example' }));
    expect(
      await keys.recordPoll('key-aaaaaaaaaaaaaaaa', { lastPolledAt: 5, ok: true, coveredFrom: '2025-03-01' }),
    ).toBe(true);

    await keys.put(
      key('key-aaaaaaaaaaaaaaaa', {
        ciphertext: new Uint8Array([1]),
        last4: 'wxyz',
        updatedAt: 200,
        createdAt: 200,
      }),
    );

    expect(await keys.get('key-aaaaaaaaaaaaaaaa')).toEqual({
      ...key('key-aaaaaaaaaaaaaaaa', { ciphertext: new Uint8Array([1]), last4: 'wxyz', updatedAt: 200 }),
      poll: { lastPolledAt: 5, ok: true, coveredFrom: '2025-03-01' },
    });
    expect(await keys.listIds()).toEqual(['key-aaaaaaaaaaaaaaaa']);
    expect(await keys.delete('key-aaaaaaaaaaaaaaaa')).toBe(true);
    expect(await keys.get('key-aaaaaaaaaaaaaaaa')).toBeUndefined();
    expect(await keys.recordPoll('key-aaaaaaaaaaaaaaaa', { lastPolledAt: 6, ok: true })).toBe(false);
    expect(await keys.get('key-aaaaaaaaaaaaaaaa')).toBeUndefined();
    expect(await keys.delete('key-aaaaaaaaaaaaaaaa')).toBe(false);
  });
});

describe('DynamoBudgetRepository', () => {
  it('creates once, replaces only what exists, and keeps webhook ciphertext as bytes', async () => {
    const budgets = new DynamoBudgetRepository(dynamo.client, tables.budgets);
    const stored = {
      budget: {
        id: 'b1',
        name: 'B',
        scope: { provider: 'openai' as const },
        period: 'month' as const,
        timeZone: 'UTC',
        limitMicros: 1,
        thresholds: [],
        notifyAgents: ['laptop'],
      },
      webhooks: [
        {
          id: 'ops',
          format: 'standard' as const,
          host: 'example.com',
          ciphertext: new Uint8Array([1, 2, 255]),
          secretFingerprint: 'sha256:00000000',
        },
      ],
      createdAt: 1,
      updatedAt: 1,
    };

    expect(await budgets.replace(stored)).toBe(false);
    expect(await budgets.create(stored)).toBe(true);
    expect(await budgets.create(stored)).toBe(false);
    expect(await budgets.replace({ ...stored, updatedAt: 2 })).toBe(true);

    expect(await budgets.get('b1')).toEqual({ ...stored, updatedAt: 2 });
    expect(await budgets.list()).toHaveLength(1);
    expect(await budgets.delete('b1')).toBe(true);
    expect(await budgets.list()).toEqual([]);
  });
});

describe('DynamoSpendHistory', () => {
  it('upserts days, lists by key, by provider or all, skipping expired rows, and deletes by filter', async () => {
    const history = new DynamoSpendHistory(dynamo.client, tables.spendHistory);
    const rows = Array.from({ length: 30 }, (_, i) =>
      day('key-bbbbbbbbbbbbbbbb', `2025-03-${String(i + 1).padStart(2, '0')}`, i),
    );
    await history.upsert(rows);
    await history.upsert([
      day('key-bbbbbbbbbbbbbbbb', '2025-03-02', 999),
      day('key-cccccccccccccccc', '2025-03-02', 5, { provider: 'anthropic' }),
    ]);
    await history.upsert([day('key-bbbbbbbbbbbbbbbb', '2024-11-01', 7)]);

    const byKey = await history.list(
      { keyIds: ['key-bbbbbbbbbbbbbbbb'], from: '2025-03-01', to: '2025-03-03' },
      NOW,
    );
    const byProvider = await history.list({ provider: 'anthropic' }, NOW);
    const all = await history.list({ from: '2025-03-02', to: '2025-03-02' }, NOW);
    const everything = await history.list({}, NOW);

    expect(byKey.map((r) => [r.date, r.amountMicros])).toEqual([
      ['2025-03-01', 0],
      ['2025-03-02', 999],
      ['2025-03-03', 2],
    ]);
    expect(byProvider).toEqual([day('key-cccccccccccccccc', '2025-03-02', 5, { provider: 'anthropic' })]);
    expect(all.map((r) => r.keyId)).toEqual(['key-cccccccccccccccc', 'key-bbbbbbbbbbbbbbbb']);
    expect(everything).toHaveLength(31);
    expect(await history.delete({ provider: 'anthropic' })).toBe(1);
    expect(await history.delete({ keyId: 'key-bbbbbbbbbbbbbbbb' })).toBe(31);
    expect(await history.list({}, NOW)).toEqual([]);
  });

  it('applies a reading only over the reading it was computed from', async () => {
    const history = new DynamoSpendHistory(dynamo.client, tables.spendHistory);
    const first = day('key-dddddddddddddddd', '2025-03-14', 0, {
      reading: { valueMicros: 100, atMs: NOW - DAY },
    });
    expect(await history.applyReading(first, null)).toBe(true);
    expect(await history.applyReading(first, null)).toBe(false); // a second first reading loses

    const today = day('key-dddddddddddddddd', '2025-03-15', 50, { reading: { valueMicros: 150, atMs: NOW } });
    expect(await history.applyReading(today, { date: '2025-03-14', atMs: NOW - DAY })).toBe(true);
    expect(
      await history.applyReading({ ...today, amountMicros: 99 }, { date: '2025-03-14', atMs: NOW - DAY }),
    ).toBe(false);
    const later = { ...today, amountMicros: 60, reading: { valueMicros: 160, atMs: NOW + 1 } };
    expect(await history.applyReading(later, { date: '2025-03-15', atMs: NOW - 5 })).toBe(false);
    expect(await history.applyReading(later, { date: '2025-03-15', atMs: NOW })).toBe(true);

    expect(await history.latestReading('key-dddddddddddddddd', NOW)).toEqual(later);
    expect(await history.latestReading('key-eeeeeeeeeeeeeeee', NOW)).toBeUndefined();
  });
});

describe('DynamoBudgetAlertStore', () => {
  it('claims a key once until it expires, records and lists alerts newest first, releases on request', async () => {
    let now = NOW;
    const alerts = new DynamoBudgetAlertStore(dynamo.client, tables.budgetAlerts, { now: () => now });
    const record = (key: string, sentAt: number): AlertRecord => ({
      key,
      alertId: `alrt_${key.padEnd(24, 'x').slice(0, 24)}`,
      budgetId: 'b1',
      kind: 'threshold',
      thresholdId: 'p80',
      periodKey: 'month:2025-03-01',
      sentAt,
      spentMicros: 1,
      limitMicros: 2,
      percent: 50,
      forecastP50Micros: 3,
      forecastP90Micros: 4,
      subject: 's',
      channels: [{ channel: 'sns', ok: true }],
      expiresAt: NOW + 1000,
    });

    expect(await alerts.claim('b1|h|p|a', NOW + 1000)).toBe(true);
    expect(await alerts.claim('b1|h|p|a', NOW + 1000)).toBe(false);
    await alerts.record(record('b1|h|p|a', NOW));
    expect(await alerts.claim('b1|h|p|b', NOW + 1000)).toBe(true);
    await alerts.record(record('b1|h|p|b', NOW + 5));
    expect(await alerts.claim('b1|h|p|c', NOW + 1000)).toBe(true);
    await alerts.release('b1|h|p|c');

    expect((await alerts.list('b1', 10, NOW)).map((r) => r.key)).toEqual(['b1|h|p|b', 'b1|h|p|a']);
    expect(await alerts.list('b1', 1, NOW)).toHaveLength(1);
    expect(await alerts.claim('b1|h|p|c', NOW + 1000)).toBe(true);
    now = NOW + 1000;
    expect(await alerts.claim('b1|h|p|a', NOW + 2000)).toBe(true);
    expect((await alerts.list('b1', 10, now)).map((r) => r.key)).toEqual([]);
  });
});
