/**
 * `clawpulsar dev --simulated-provider`: a budget demo with no real provider account. It starts the
 * simulated provider, puts a demo key for it in the vault and a demo budget on that key, with spend set
 * so the month is already at about 85 % of the limit: the first poll raises alerts, and every agent of
 * the edge receives them. Everything it creates says SIMULATED.
 */
import { randomBytes } from 'node:crypto';
import { ALL_AGENTS } from '../core/budget/Budget.ts';
import { addDays, formatLocalDate, parseLocalDate } from '../core/budget/localDate.ts';
import { addProviderKey } from '../core/keys/addProviderKey.ts';
import type { BudgetMonitorDeps } from '../core/monitor/BudgetMonitorDeps.ts';
import { createBudget, replaceBudget } from '../core/monitor/putBudget.ts';
import { utcDateOf } from '../core/usage/utcDayRange.ts';
import { type SimulatedProvider, startSimulatedProvider } from './simulatedProvider.ts';

export const DEMO_BUDGET_ID = 'simulated-demo';
const DEMO_LIMIT_MICROS = 100_000_000;
const DAY_MS = 86_400_000;

export interface SimulatedDemo {
  readonly provider: SimulatedProvider;
  readonly keyId: string;
  readonly budgetId: string;
}

/**
 * Starts the demo against `deps`. Demo keys of earlier runs (their simulated provider is gone) are
 * replaced; the demo budget is pointed at the new key, which re-arms its alerts.
 *
 * @example
 * const demo = await startSimulatedDemo(monitor);
 */
export async function startSimulatedDemo(deps: BudgetMonitorDeps): Promise<SimulatedDemo> {
  const nowMs = deps.clock.now();
  const key = `sim-${randomBytes(18).toString('base64url')}`;
  const provider = await startSimulatedProvider({ key, now: () => deps.clock.now(), logger: deps.logger });
  seedMonthToDate(provider, nowMs);

  for (const old of await deps.keys.list()) if (old.simulated) await deps.keys.delete(old.keyId);
  const added = await addProviderKey(
    deps,
    { provider: 'openai', label: 'SIMULATED demo key (not real spend)', key, baseUrl: provider.url },
    { simulated: true },
  );
  const definition = {
    id: DEMO_BUDGET_ID,
    name: 'SIMULATED demo budget',
    scope: { provider: 'openai', keyIds: [added.key.keyId] },
    period: 'month',
    timeZone: 'UTC',
    limitMicros: DEMO_LIMIT_MICROS,
    thresholds: [
      { id: 'half', basis: 'actual', percent: 50 },
      { id: 'p80', basis: 'actual', percent: 80 },
      { id: 'limit', basis: 'actual', percent: 100 },
      { id: 'forecast', basis: 'forecast', percent: 100 },
    ],
    notifyAgents: [ALL_AGENTS],
  };
  if (await deps.budgets.get(DEMO_BUDGET_ID)) await replaceBudget(deps, DEMO_BUDGET_ID, definition);
  else await createBudget(deps, definition);
  deps.logger.info('simulated_demo_ready', {
    simulated: true,
    providerKeyId: added.key.keyId,
    budgetId: DEMO_BUDGET_ID,
    note: 'SIMULATED spend on a demo key: alerts from this budget are not about real money',
  });
  return { provider, keyId: added.key.keyId, budgetId: DEMO_BUDGET_ID };
}

/** Sets every UTC day of this month so far to an even share of 85 % of the demo limit. */
function seedMonthToDate(provider: SimulatedProvider, nowMs: number): void {
  const today = parseLocalDate(utcDateOf(nowMs));
  const monthStart = { ...today, day: 1 };
  const elapsedDays = (nowMs - Date.UTC(today.year, today.month - 1, 1)) / DAY_MS;
  const daily = Math.round((DEMO_LIMIT_MICROS * 0.85) / Math.max(elapsedDays, 0.25));
  for (let day = monthStart; day.day <= today.day && day.month === today.month; day = addDays(day, 1)) {
    provider.setDailySpend(formatLocalDate(day), daily);
  }
}
