import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BudgetScheduler } from '../../../lambdas/edge/BudgetScheduler.ts';
import { type MonitorFixture, monitorFixture } from '../../support/monitorFixture.ts';

let f: MonitorFixture;
beforeEach(async () => {
  f = await monitorFixture();
});
afterEach(async () => {
  await f.close();
});

const polls = () => f.logger.events().filter((event) => event === 'budget_poll_done').length;

describe('BudgetScheduler', () => {
  it('polls soon after start and then every interval, and not after stop', async () => {
    let sweeps = 0;
    const scheduler = new BudgetScheduler(f.deps, { intervalMs: 100, sweep: () => sweeps++ });

    scheduler.start();
    const started = Date.now();
    while (polls() < 3 && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 20));
    await scheduler.stop();
    const after = polls();
    await new Promise((r) => setTimeout(r, 300));

    expect(after).toBeGreaterThanOrEqual(3);
    expect(polls()).toBe(after);
  });

  it('never runs two polls at once: a second request joins the one under way', async () => {
    const scheduler = new BudgetScheduler(f.deps, { intervalMs: 60_000, sweep: () => {} });

    const [a, b] = [scheduler.pollNow(), scheduler.pollNow()];

    expect(a).toBe(b);
    await a;
    expect(polls()).toBe(1);
  });
});
