import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteCertificateRepository } from '../../../../lambdas/adapters/local/SqliteCertificateRepository.ts';
import { SqliteDeliveryLog } from '../../../../lambdas/adapters/local/SqliteDeliveryLog.ts';
import { SqlitePresenceStore } from '../../../../lambdas/adapters/local/SqlitePresenceStore.ts';
import { SqliteRegistrationTokenStore } from '../../../../lambdas/adapters/local/SqliteRegistrationTokenStore.ts';
import { SqliteSourceRepository } from '../../../../lambdas/adapters/local/SqliteSourceRepository.ts';
import type { ManagementDeps } from '../../../../lambdas/core/management/ManagementDeps.ts';
import { routeManagement } from '../../../../lambdas/core/management/routeManagement.ts';
import { type MonitorFixture, monitorFixture } from '../../../support/monitorFixture.ts';

const NOW = Date.UTC(2025, 2, 15, 12);
let f: MonitorFixture;
let deps: ManagementDeps;

async function call(method: string, path: string, body?: unknown) {
  const [pathname, query = ''] = path.split('?') as [string, string?];
  return routeManagement(deps, { method, path: pathname, query: new URLSearchParams(query), body });
}

const budget = {
  name: 'OpenAI',
  scope: { provider: 'openai' },
  period: 'month',
  timeZone: 'Europe/Berlin',
  limitMicros: 100_000_000,
  thresholds: [{ id: 'p80', basis: 'actual', percent: 80 }],
};

beforeEach(async () => {
  f = await monitorFixture({ startMs: NOW });
  deps = {
    agents: f.agents,
    certificates: new SqliteCertificateRepository(f.db),
    sources: new SqliteSourceRepository(f.db),
    deliveries: new SqliteDeliveryLog(f.db),
    presence: new SqlitePresenceStore(f.db),
    custody: f.deps.custody,
    tokens: new SqliteRegistrationTokenStore(f.db),
    clock: f.clock,
    logger: f.logger,
    webhookBaseUrl: 'http://127.0.0.1:7700/v1/hooks',
    monitor: f.deps,
  };
});
afterEach(async () => {
  await f.close();
});

describe('key routes', () => {
  it('adds, lists masked, rotates and deletes a key, never returning it', async () => {
    const added = await call('POST', '/v1/keys', {
      provider: 'openai',
      label: 'org',
      key: f.providerKey,
      baseUrl: f.provider.url,
    });
    expect(added.status).toBe(201);
    const { keyId } = (added.body as { key: { keyId: string } }).key;

    const listed = await call('GET', '/v1/keys');
    const rotated = await call('PUT', `/v1/keys/${keyId}`, { key: f.providerKey });
    const one = await call('GET', `/v1/keys/${keyId}`);
    const deleted = await call('DELETE', `/v1/keys/${keyId}`);
    const gone = await call('GET', `/v1/keys/${keyId}`);

    expect((listed.body as { keys: unknown[] }).keys).toEqual([
      expect.objectContaining({
        keyId,
        provider: 'openai',
        label: 'org',
        masked: `…${f.providerKey.slice(-4)}`,
      }),
    ]);
    expect(rotated.status).toBe(200);
    expect(one.status).toBe(200);
    expect(deleted).toEqual({ status: 200, body: { deleted: true, keyId } });
    expect(gone.status).toBe(404);
    for (const response of [added, listed, rotated, one])
      expect(JSON.stringify(response)).not.toContain(f.providerKey);
  });

  it.each([
    ['an unknown provider', { provider: 'mistral', label: 'x', key: 'abcdefgh1234' }, 'invalid_request'],
    ['a missing label', { provider: 'openai', key: 'abcdefgh1234' }, 'invalid_request'],
    [
      'an unknown field',
      { provider: 'openai', label: 'x', key: 'abcdefgh1234', scope: 'all' },
      'invalid_request',
    ],
    ['a key with spaces', { provider: 'openai', label: 'x', key: 'abc def ghi' }, 'invalid_key'],
  ])('refuses %s with 400 and stores nothing', async (_case, body, code) => {
    const response = await call('POST', '/v1/keys', body);

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { code } });
    expect(await f.deps.keys.list()).toEqual([]);
  });

  it('refuses a malformed key id in the path', async () => {
    expect((await call('DELETE', '/v1/keys/..%2Fetc')).status).toBe(400);
    expect((await call('PUT', '/v1/keys/Key_Upper', { key: 'abcdefgh' })).status).toBe(400);
  });
});

describe('budget routes', () => {
  it('creates, lists, shows the status of, replaces and deletes a budget', async () => {
    const created = await call('POST', '/v1/budgets', { ...budget, id: 'openai-prod' });
    const duplicate = await call('POST', '/v1/budgets', { ...budget, id: 'openai-prod' });
    const listed = await call('GET', '/v1/budgets');
    const status = await call('GET', '/v1/budgets/openai-prod/status');
    const replaced = await call('PUT', '/v1/budgets/openai-prod', { ...budget, limitMicros: 50_000_000 });
    const deleted = await call('DELETE', '/v1/budgets/openai-prod');
    const missing = await call('GET', '/v1/budgets/openai-prod/status');

    expect(created.status).toBe(201);
    expect(duplicate).toMatchObject({ status: 409, body: { error: { code: 'budget_exists' } } });
    expect((listed.body as { budgets: unknown[] }).budgets).toEqual([
      expect.objectContaining({ id: 'openai-prod', limitMicros: 100_000_000, notifyWebhooks: [] }),
    ]);
    expect(status.body).toMatchObject({
      spentMicros: 0,
      limitMicros: 100_000_000,
      percent: 0,
      period: { kind: 'month', key: 'month:2025-03-01', timeZone: 'Europe/Berlin' },
      thresholds: [{ id: 'p80', basis: 'actual', amountMicros: 80_000_000, crossed: false }],
      alerts: [],
    });
    expect(replaced.body).toMatchObject({ budget: { limitMicros: 50_000_000 } });
    expect(deleted.status).toBe(200);
    expect(missing.status).toBe(404);
  });

  it('generates an id when none is given', async () => {
    const created = await call('POST', '/v1/budgets', budget);

    expect((created.body as { budget: { id: string } }).budget.id).toMatch(/^budget-[0-9a-f]{8}$/);
  });

  it('returns a webhook secret once and never the webhook URL', async () => {
    const created = await call('POST', '/v1/budgets', {
      ...budget,
      id: 'hooked',
      notifyWebhooks: [
        { id: 'chat-ops', url: 'https://hooks.slack.com/services/T0/B0/SECRETPATH', format: 'slack' },
        { id: 'sink', url: 'https://example.com/in' },
      ],
    });
    const shown = await call('GET', '/v1/budgets/hooked');

    expect(created.body).toMatchObject({ webhookSecrets: { sink: expect.stringMatching(/^whsec_/) } });
    expect(shown.body).toMatchObject({
      notifyWebhooks: [
        { id: 'chat-ops', format: 'slack', host: 'hooks.slack.com' },
        {
          id: 'sink',
          format: 'standard',
          host: 'example.com',
          secretFingerprint: expect.stringMatching(/^sha256:/),
        },
      ],
    });
    const secret = (created.body as { webhookSecrets: { sink: string } }).webhookSecrets.sink;
    for (const response of [created, shown]) expect(JSON.stringify(response)).not.toContain('SECRETPATH');
    expect(JSON.stringify(shown)).not.toContain(secret);
  });

  it.each([
    ['a limit of zero', { limitMicros: 0 }, 'invalid_budget'],
    ['an unknown period', { period: 'year' }, 'invalid_budget'],
    ['an unknown time zone', { timeZone: 'Mars/Olympus' }, 'invalid_time_zone'],
    ['an unknown key', { scope: { provider: 'openai', keyIds: ['key-0000000000000000'] } }, 'unknown_key'],
    ['an unknown agent', { notifyAgents: ['nobody-here'] }, 'unknown_agent'],
    ['a bad agent id', { notifyAgents: ['Not An Id'] }, 'invalid_budget'],
    [
      'an http webhook to another host',
      { notifyWebhooks: [{ id: 'web', url: 'http://example.com/x' }] },
      'invalid_webhook_url',
    ],
    [
      'duplicate webhook ids',
      {
        notifyWebhooks: [
          { id: 'web', url: 'https://a.example' },
          { id: 'web', url: 'https://b.example' },
        ],
      },
      'invalid_budget',
    ],
    ['an unknown field', { colour: 'red' }, 'invalid_budget'],
  ])('refuses %s with 400 and stores nothing', async (_case, change, code) => {
    const response = await call('POST', '/v1/budgets', { ...budget, ...change });

    expect(response).toMatchObject({ status: 400, body: { error: { code } } });
    expect(await f.deps.budgets.list()).toEqual([]);
  });

  it('refuses a body id that differs from the path and a non-object body', async () => {
    await call('POST', '/v1/budgets', { ...budget, id: 'one' });

    expect((await call('PUT', '/v1/budgets/one', { ...budget, id: 'two' })).status).toBe(400);
    expect((await call('PUT', '/v1/budgets/one', [1, 2])).status).toBe(400);
    expect((await call('PUT', '/v1/budgets/unknown', budget)).status).toBe(404);
  });
});

describe('history routes', () => {
  beforeEach(async () => {
    const day = (date: string, keyId: string, amountMicros: number, provider = 'openai' as const) => ({
      provider,
      keyId,
      date,
      amountMicros,
      updatedAt: NOW,
      expiresAt: Date.parse(`${date}T00:00:00Z`) + 90 * 86_400_000,
    });
    await f.history.upsert([
      day('2024-12-01', 'key-aaaaaaaaaaaaaaaa', 1),
      day('2025-03-01', 'key-aaaaaaaaaaaaaaaa', 12_345_600),
      day('2025-03-02', 'key-aaaaaaaaaaaaaaaa', 500_000),
      day('2025-03-02', 'key-bbbbbbbbbbbbbbbb', 42, 'anthropic' as 'openai'),
    ]);
  });

  it('exports JSON and CSV of the unexpired days', async () => {
    const json = await call('GET', '/v1/history?format=json');
    const csv = await call('GET', '/v1/history?format=csv&from=2025-03-02&to=2025-03-02');

    expect(json.body).toMatchObject({ from: '2024-12-16', to: '2025-03-15' });
    expect((json.body as { days: unknown[] }).days).toEqual([
      {
        date: '2025-03-01',
        provider: 'openai',
        keyId: 'key-aaaaaaaaaaaaaaaa',
        amountMicros: 12_345_600,
        amountUsd: '12.3456',
      },
      {
        date: '2025-03-02',
        provider: 'anthropic',
        keyId: 'key-bbbbbbbbbbbbbbbb',
        amountMicros: 42,
        amountUsd: '0.000042',
      },
      {
        date: '2025-03-02',
        provider: 'openai',
        keyId: 'key-aaaaaaaaaaaaaaaa',
        amountMicros: 500_000,
        amountUsd: '0.50',
      },
    ]);
    expect(csv).toEqual({
      status: 200,
      contentType: 'text/csv; charset=utf-8',
      body:
        'date,provider,key_id,amount_usd,amount_micros\r\n' +
        '2025-03-02,anthropic,key-bbbbbbbbbbbbbbbb,0.000042,42\r\n' +
        '2025-03-02,openai,key-aaaaaaaaaaaaaaaa,0.50,500000\r\n',
    });
  });

  it('deletes by key, by provider, or everything', async () => {
    expect((await call('DELETE', '/v1/history?keyId=key-bbbbbbbbbbbbbbbb')).body).toEqual({ deleted: 1 });
    expect((await call('DELETE', '/v1/history?provider=openai')).body).toEqual({ deleted: 3 });
    expect((await call('DELETE', '/v1/history')).body).toEqual({ deleted: 0 });
    expect((await call('GET', '/v1/history')).body).toMatchObject({ days: [] });
  });

  it.each([
    '/v1/history?format=xml',
    '/v1/history?from=2025-02-30',
    '/v1/history?from=2025-03-05&to=2025-03-01',
    '/v1/history?keyId=../x',
    '/v1/history?limit=5',
  ])('refuses %s with 400', async (path) => {
    expect((await call('GET', path)).status).toBe(400);
  });
});

describe('without a budget monitor', () => {
  it('answers 404 on its routes', async () => {
    const { monitor: _monitor, ...rest } = deps;
    deps = rest;

    expect(await call('GET', '/v1/keys')).toMatchObject({
      status: 404,
      body: { error: { code: 'budget_monitor_off' } },
    });
  });
});
