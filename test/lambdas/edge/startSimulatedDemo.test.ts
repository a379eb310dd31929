import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { budgetAlertMessageSchema } from '../../../lambdas/core/delivery/messages.ts';
import { pollBudgets } from '../../../lambdas/core/monitor/pollBudgets.ts';
import {
  DEMO_BUDGET_ID,
  type SimulatedDemo,
  startSimulatedDemo,
} from '../../../lambdas/edge/startSimulatedDemo.ts';
import { type MonitorFixture, monitorFixture } from '../../support/monitorFixture.ts';

const NOW = Date.UTC(2025, 2, 15, 12);
let f: MonitorFixture;
const demos: SimulatedDemo[] = [];

beforeEach(async () => {
  f = await monitorFixture({ startMs: NOW });
  await f.agents.put({ agentId: 'laptop', status: 'active', createdAt: NOW });
});
afterEach(async () => {
  for (const demo of demos.splice(0)) await demo.provider.close();
  await f.close();
});

describe('startSimulatedDemo', () => {
  it('adds a simulated key and budget whose first poll alerts every agent, marked SIMULATED', async () => {
    const demo = await startSimulatedDemo(f.deps);
    demos.push(demo);

    await pollBudgets(f.deps, NOW);

    expect(await f.deps.keys.get(demo.keyId)).toMatchObject({
      simulated: true,
      label: expect.stringMatching(/SIMULATED/),
    });
    const messages = f.tunnel.json('clawpulsar/laptop/alerts').map((m) => budgetAlertMessageSchema.parse(m));
    expect(messages.map((m) => m.thresholdId).sort()).toEqual(['forecast', 'half', 'p80']);
    for (const message of messages) {
      expect(message).toMatchObject({ budgetId: DEMO_BUDGET_ID, simulated: true });
      expect(message.subject).toMatch(/^\[SIMULATED\] /);
    }
    expect(messages[0]!.percent).toBeGreaterThanOrEqual(84);
    expect(messages[0]!.percent).toBeLessThan(87);
    expect(f.logger.events()).toContain('simulated_demo_ready');
  });

  it('replaces the demo key of an earlier run and points the budget at the new one', async () => {
    demos.push(await startSimulatedDemo(f.deps));
    const second = await startSimulatedDemo(f.deps);
    demos.push(second);

    const keys = await f.deps.keys.list();
    expect(keys.map((key) => key.keyId)).toEqual([second.keyId]);
    expect((await f.deps.budgets.get(DEMO_BUDGET_ID))!.budget.scope.keyIds).toEqual([second.keyId]);
  });
});
