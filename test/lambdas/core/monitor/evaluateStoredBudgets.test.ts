import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openEdgeDatabase } from '../../../../lambdas/adapters/local/openEdgeDatabase.ts';
import { SqliteAgentRepository } from '../../../../lambdas/adapters/local/SqliteAgentRepository.ts';
import { SqliteBudgetAlertStore } from '../../../../lambdas/adapters/local/SqliteBudgetAlertStore.ts';
import { SqliteBudgetRepository } from '../../../../lambdas/adapters/local/SqliteBudgetRepository.ts';
import { SqliteProviderKeyRepository } from '../../../../lambdas/adapters/local/SqliteProviderKeyRepository.ts';
import { SqliteSpendHistory } from '../../../../lambdas/adapters/local/SqliteSpendHistory.ts';
import { budgetAlertMessageSchema } from '../../../../lambdas/core/delivery/messages.ts';
import { addProviderKey } from '../../../../lambdas/core/keys/addProviderKey.ts';
import { pollBudgets } from '../../../../lambdas/core/monitor/pollBudgets.ts';
import { createBudget, replaceBudget } from '../../../../lambdas/core/monitor/putBudget.ts';
import { type MonitorFixture, monitorFixture, RecordingTopic } from '../../../support/monitorFixture.ts';

const NOW = Date.UTC(2025, 2, 15, 12);
const ALERTS = 'clawpulsar/laptop/alerts';

let f: MonitorFixture;
let keyId: string;

function definition(overrides: Record<string, unknown> = {}) {
  return {
    id: 'openai-month',
    name: 'OpenAI monthly',
    scope: { provider: 'openai' },
    period: 'month',
    timeZone: 'UTC',
    limitMicros: 100_000_000,
    thresholds: [{ id: 'p80', basis: 'actual', percent: 80 }],
    notifyAgents: ['laptop'],
    ...overrides,
  };
}

function spendMarch(daily: number, today: number): void {
  for (let day = 1; day <= 14; day++)
    f.provider.setDailySpend(`2025-03-${String(day).padStart(2, '0')}`, daily);
  f.provider.setDailySpend('2025-03-15', today);
}

beforeEach(async () => {
  f = await monitorFixture({ startMs: NOW });
  await f.agents.put({ agentId: 'laptop', status: 'active', createdAt: NOW });
  keyId = (
    await addProviderKey(f.deps, {
      provider: 'openai',
      label: 'org',
      key: f.providerKey,
      baseUrl: f.provider.url,
    })
  ).key.keyId;
});
afterEach(async () => {
  await f.close();
});

describe('evaluateStoredBudgets through pollBudgets', () => {
  it('sends an 80 % alert once when spend crosses it, however often the budget is polled', async () => {
    // Prepare: $70 spent by yesterday, nothing yet today
    spendMarch(5_000_000, 0);
    await createBudget(f.deps, definition());
    await pollBudgets(f.deps, f.clock.now());
    expect(f.tunnel.messages).toHaveLength(0);

    // Act: today's spend takes the month to $82
    spendMarch(5_000_000, 24_000_000);
    for (let i = 0; i < 4; i++) {
      f.clock.advance(60_000);
      await pollBudgets(f.deps, f.clock.now());
    }

    // Assess
    const sent = f.tunnel.json(ALERTS);
    expect(sent).toHaveLength(1);
    const message = budgetAlertMessageSchema.parse(sent[0]);
    expect(message).toMatchObject({
      type: 'budget-alert',
      budgetId: 'openai-month',
      kind: 'threshold',
      thresholdId: 'p80',
      limitMicros: 100_000_000,
      period: { kind: 'month', key: 'month:2025-03-01', timeZone: 'UTC' },
    });
    expect(message.amountMicros).toBeGreaterThanOrEqual(80_000_000);
    expect(message.percent).toBeCloseTo(message.amountMicros / 1_000_000, 1);
    expect(message.forecast.p90Micros).toBeGreaterThanOrEqual(message.forecast.p50Micros);
    expect(message.next).toMatch(/pause the agent/);
    expect(message.simulated).toBeUndefined();
    const alerts = await f.deps.alerts.list('openai-month', 10, f.clock.now());
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      thresholdId: 'p80',
      channels: [{ channel: 'agent:laptop', ok: true }],
    });
  });

  it('does not send it again after a restart (the ledger is in the database)', async () => {
    spendMarch(5_000_000, 24_000_000);
    await createBudget(f.deps, definition());
    await pollBudgets(f.deps, f.clock.now());
    expect(f.tunnel.messages).toHaveLength(1);

    // A restarted edge: the same file, a new connection and new adapters
    f.db.close();
    const reopened = openEdgeDatabase(f.databasePath);
    const deps = {
      ...f.deps,
      keys: new SqliteProviderKeyRepository(reopened),
      budgets: new SqliteBudgetRepository(reopened),
      history: new SqliteSpendHistory(reopened),
      alerts: new SqliteBudgetAlertStore(reopened, f.clock),
      agents: new SqliteAgentRepository(reopened),
    };
    f.clock.advance(300_000);
    await pollBudgets(deps, f.clock.now());
    reopened.close();

    expect(f.tunnel.messages).toHaveLength(1);
  });

  it('re-arms in the next period and when the budget is edited', async () => {
    spendMarch(5_000_000, 24_000_000);
    await createBudget(f.deps, definition());
    await pollBudgets(f.deps, f.clock.now());

    // An edit of the limit re-arms; a rename alone would not
    await replaceBudget(f.deps, 'openai-month', definition({ name: 'renamed' }));
    await pollBudgets(f.deps, f.clock.now());
    expect(f.tunnel.messages).toHaveLength(1);
    await replaceBudget(f.deps, 'openai-month', definition({ limitMicros: 90_000_000 }));
    await pollBudgets(f.deps, f.clock.now());
    expect(f.tunnel.messages).toHaveLength(2);

    // April: a new period
    f.clock.nowMs = Date.UTC(2025, 3, 2, 12);
    f.provider.setDailySpend('2025-04-01', 60_000_000);
    f.provider.setDailySpend('2025-04-02', 40_000_000);
    await pollBudgets(f.deps, f.clock.now());
    await pollBudgets(f.deps, f.clock.now());

    const periods = f.tunnel.json(ALERTS).map((message) => (message.period as { key: string }).key);
    expect(periods).toEqual(['month:2025-03-01', 'month:2025-03-01', 'month:2025-04-01']);
  });

  it('gives the claim back when no channel took the alert, and sends it on a later poll', async () => {
    spendMarch(5_000_000, 24_000_000);
    await createBudget(f.deps, definition());
    f.tunnel.fail = true;
    await pollBudgets(f.deps, f.clock.now());
    expect(f.logger.events()).toContain('budget_alert_pending');
    expect(await f.deps.alerts.list('openai-month', 10, f.clock.now())).toEqual([]);

    f.tunnel.fail = false;
    f.clock.advance(300_000);
    await pollBudgets(f.deps, f.clock.now());
    await pollBudgets(f.deps, f.clock.now());

    expect(f.tunnel.messages).toHaveLength(1);
  });

  it('tells every active agent when asked for "*", and nobody else', async () => {
    await f.agents.put({ agentId: 'desktop', status: 'active', createdAt: NOW });
    await f.agents.put({ agentId: 'old-box', status: 'revoked', createdAt: NOW, revokedAt: NOW });
    spendMarch(5_000_000, 24_000_000);
    await createBudget(f.deps, definition({ notifyAgents: ['*'] }));

    await pollBudgets(f.deps, f.clock.now());

    expect(f.tunnel.messages.map((m) => m.topic).sort()).toEqual([
      'clawpulsar/desktop/alerts',
      'clawpulsar/laptop/alerts',
    ]);
  });

  it('scopes a budget to its keys and publishes to SNS with the alert attributes', async () => {
    const topic = new RecordingTopic();
    const deps = { ...f.deps, topic };
    spendMarch(5_000_000, 24_000_000);
    await createBudget(
      deps,
      definition({ scope: { provider: 'openai', keyIds: [keyId] }, notifyAgents: [] }),
    );
    await createBudget(
      deps,
      definition({ id: 'other-key', scope: { provider: 'anthropic' }, notifyAgents: [] }),
    );

    await pollBudgets(deps, f.clock.now());

    expect(topic.published).toHaveLength(1);
    expect(topic.published[0]!.subject).toMatch(/OpenAI monthly/);
    expect(topic.published[0]!.attributes).toMatchObject({
      budgetId: 'openai-month',
      provider: 'openai',
      kind: 'threshold',
    });
  });

  it('marks alerts from simulated keys as simulated everywhere', async () => {
    const stored = (await f.deps.keys.get(keyId))!;
    await f.deps.keys.delete(keyId);
    await f.deps.keys.put({ ...stored, simulated: true });
    spendMarch(5_000_000, 24_000_000);
    await createBudget(f.deps, definition());

    await pollBudgets(f.deps, f.clock.now());

    const [message] = f.tunnel.json(ALERTS);
    expect(message).toMatchObject({ simulated: true });
    expect(message!.subject).toMatch(/^\[SIMULATED\]/);
    expect(message!.text).toMatch(/^SIMULATED: /);
  });
});
