import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { budgetAlertMessageSchema } from '../../../../lambdas/core/delivery/messages.ts';
import { addProviderKey } from '../../../../lambdas/core/keys/addProviderKey.ts';
import { pollBudgets } from '../../../../lambdas/core/monitor/pollBudgets.ts';
import { createBudget } from '../../../../lambdas/core/monitor/putBudget.ts';
import { type MonitorFixture, monitorFixture } from '../../../support/monitorFixture.ts';
import { RecordingTarget } from '../../../support/RecordingTarget.ts';

const NOW = Date.UTC(2025, 2, 15, 12);
let f: MonitorFixture;
let receiver: RecordingTarget;

beforeEach(async () => {
  f = await monitorFixture({ startMs: NOW });
  receiver = await RecordingTarget.start((request) => ({
    status: request.url.startsWith('/down') ? 500 : 204,
  }));
  await addProviderKey(f.deps, {
    provider: 'openai',
    label: 'org',
    key: f.providerKey,
    baseUrl: f.provider.url,
  });
  for (let day = 1; day <= 15; day++)
    f.provider.setDailySpend(`2025-03-${String(day).padStart(2, '0')}`, 10_000_000);
});
afterEach(async () => {
  vi.useRealTimers();
  await receiver.close();
  await f.close();
});

function budget(webhooks: unknown[]) {
  return {
    id: 'hooks',
    name: 'OpenAI with hooks',
    scope: { provider: 'openai' },
    period: 'month',
    timeZone: 'UTC',
    limitMicros: 100_000_000,
    thresholds: [{ id: 'p80', basis: 'actual', percent: 80 }],
    notifyWebhooks: webhooks,
  };
}

describe('deliverBudgetAlert to webhooks', () => {
  it('signs the standard format so the official library verifies it, with the alert id as message id', async () => {
    // Prepare
    const { webhookSecrets } = await createBudget(
      f.deps,
      budget([{ id: 'ops', url: receiver.url('/alerts'), format: 'standard' }]),
    );
    const secret = webhookSecrets!.ops!;
    expect(secret).toMatch(/^whsec_/);

    // Act
    await pollBudgets(f.deps, NOW);

    // Assess
    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    // The library checks the timestamp against the system clock: let it read the alert's time.
    vi.useFakeTimers({ toFake: ['Date'], now: NOW });
    const verified = new Webhook(secret).verify(request!.body.toString('utf8'), {
      'webhook-id': String(request!.headers['webhook-id']),
      'webhook-timestamp': String(request!.headers['webhook-timestamp']),
      'webhook-signature': String(request!.headers['webhook-signature']),
    }) as { type: string; data: unknown };
    vi.useRealTimers();
    expect(verified.type).toBe('budget.alert');
    const data = budgetAlertMessageSchema.parse(verified.data);
    expect(request!.headers['webhook-id']).toBe(data.alertId);
    expect(data).toMatchObject({ budgetId: 'hooks', thresholdId: 'p80' });
  });

  it('posts plain text for Slack and Discord', async () => {
    const { webhookSecrets } = await createBudget(
      f.deps,
      budget([
        { id: 'slack', url: receiver.url('/slack'), format: 'slack' },
        { id: 'discord', url: receiver.url('/discord'), format: 'discord' },
      ]),
    );
    expect(webhookSecrets).toBeUndefined();

    await pollBudgets(f.deps, NOW);

    const slack = receiver.requests.find((r) => r.url === '/slack')!;
    const discord = receiver.requests.find((r) => r.url === '/discord')!;
    expect(JSON.parse(slack.body.toString()).text).toMatch(
      /^Budget "OpenAI with hooks" at \d+\.\d% of its monthly limit\nSpent \$/,
    );
    expect(JSON.parse(discord.body.toString()).content).toMatch(/^Budget "OpenAI with hooks"/);
    expect(slack.headers['webhook-signature']).toBeUndefined();
  });

  it('records a failing receiver by status code only and still counts the alert sent on the others', async () => {
    await createBudget(
      f.deps,
      budget([
        { id: 'down', url: receiver.url('/down/secret-path-token'), format: 'slack' },
        { id: 'healthy', url: receiver.url('/up'), format: 'slack' },
      ]),
    );

    await pollBudgets(f.deps, NOW);
    await pollBudgets(f.deps, NOW + 60_000);

    const [record] = await f.deps.alerts.list('hooks', 10, NOW);
    expect(record!.channels).toEqual([
      { channel: 'webhook:down', ok: false, error: 'http_500' },
      { channel: 'webhook:healthy', ok: true },
    ]);
    expect(receiver.requests.filter((r) => r.url === '/up')).toHaveLength(1);
    expect(JSON.stringify(f.logger.lines)).not.toContain('secret-path-token');
  });
});
