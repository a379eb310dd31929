import { describe, expect, it } from 'vitest';
import type { AlertLedger } from '../../../../lambdas/core/budget/claimNewAlerts.ts';
import { ALERT_KEY_RETENTION_MS, claimNewAlerts } from '../../../../lambdas/core/budget/claimNewAlerts.ts';
import { evaluateBudget } from '../../../../lambdas/core/budget/evaluateBudget.ts';
import { DAY_MS, dailySamples, HOUR_MS, hourlySamples, monthlyBudget } from './fixtures.ts';

/** The ledger contract in memory: claim succeeds once per unexpired key. */
class MemoryLedger implements AlertLedger {
  readonly keys = new Map<string, number>();
  async claim(key: string, expiresAtMs: number): Promise<boolean> {
    if (this.keys.has(key)) return false;
    this.keys.set(key, expiresAtMs);
    return true;
  }
}

const MARCH_1_UTC = Date.UTC(2025, 2, 1);
const overspend = dailySamples(MARCH_1_UTC - 7 * DAY_MS, Array(48).fill(10_000_000));

describe('claimNewAlerts', () => {
  it('fires each crossed threshold once across repeated evaluations', async () => {
    const ledger = new MemoryLedger();
    const budget = monthlyBudget();
    const fired: string[] = [];

    for (let hour = 0; hour < 48; hour++) {
      const now = MARCH_1_UTC + 9 * DAY_MS + hour * HOUR_MS;
      const alerts = await claimNewAlerts(evaluateBudget({ budget, samples: overspend, nowMs: now }), ledger);
      fired.push(...alerts.map((alert) => alert.threshold?.thresholdId ?? alert.kind));
    }

    expect(fired.sort()).toEqual(['half', 'over', 'p80']);
  });

  it('re-arms in a new period', async () => {
    const ledger = new MemoryLedger();
    const budget = monthlyBudget();

    const march = await claimNewAlerts(
      evaluateBudget({ budget, samples: overspend, nowMs: Date.UTC(2025, 2, 20) }),
      ledger,
    );
    const marchAgain = await claimNewAlerts(
      evaluateBudget({ budget, samples: overspend, nowMs: Date.UTC(2025, 2, 25) }),
      ledger,
    );
    const april = await claimNewAlerts(
      evaluateBudget({ budget, samples: overspend, nowMs: Date.UTC(2025, 3, 15) }),
      ledger,
    );

    expect(march).toHaveLength(3);
    expect(marchAgain).toHaveLength(0);
    expect(april.map((alert) => alert.evaluation.period.key)).toEqual([
      'month:2025-04-01',
      'month:2025-04-01',
      'month:2025-04-01',
    ]);
  });

  it('re-arms when the budget is edited, not when it is renamed', async () => {
    const ledger = new MemoryLedger();
    const now = Date.UTC(2025, 2, 20);

    await claimNewAlerts(evaluateBudget({ budget: monthlyBudget(), samples: overspend, nowMs: now }), ledger);
    const renamed = await claimNewAlerts(
      evaluateBudget({ budget: monthlyBudget({ name: 'Renamed' }), samples: overspend, nowMs: now }),
      ledger,
    );
    const raised = await claimNewAlerts(
      evaluateBudget({ budget: monthlyBudget({ limitMicros: 150_000_000 }), samples: overspend, nowMs: now }),
      ledger,
    );

    expect(renamed).toHaveLength(0);
    expect(raised.map((alert) => alert.threshold?.thresholdId).sort()).toEqual(['half', 'over', 'p80']);
  });

  it('keeps keys until 90 days after the period ends', async () => {
    const ledger = new MemoryLedger();

    await claimNewAlerts(
      evaluateBudget({ budget: monthlyBudget(), samples: overspend, nowMs: Date.UTC(2025, 2, 20) }),
      ledger,
    );

    const aprilFirstBerlin = Date.UTC(2025, 2, 31, 22);
    expect([...ledger.keys.values()]).toEqual(Array(3).fill(aprilFirstBerlin + ALERT_KEY_RETENTION_MS));
    expect([...ledger.keys.keys()][0]).toMatch(
      /^openai-prod\|[0-9a-f]{16}\|month:2025-03-01\|threshold:half$/,
    );
  });

  it('sends the burn-rate alarm once a day during a runaway', async () => {
    const ledger = new MemoryLedger();
    const budget = monthlyBudget({ thresholds: [], burnRate: { multiplier: 5 }, timeZone: 'UTC' });
    // A week at $1/h, then $20/h from March 10th 00:00 on.
    const start = Date.UTC(2025, 2, 3);
    const samples = hourlySamples(start, [...Array(7 * 24).fill(1_000_000), ...Array(48).fill(20_000_000)]);
    const kinds: string[] = [];

    for (let hour = 1; hour <= 24; hour++) {
      const now = Date.UTC(2025, 2, 10) + hour * HOUR_MS;
      const alerts = await claimNewAlerts(evaluateBudget({ budget, samples, nowMs: now }), ledger);
      kinds.push(...alerts.map((alert) => alert.kind));
    }

    expect(kinds).toEqual(['burn_rate', 'burn_rate']);
    expect([...ledger.keys.keys()].map((key) => key.split('|')[3])).toEqual([
      'burn:day:2025-03-10',
      'burn:day:2025-03-11',
    ]);
  });

  it('sends each alert once when two pollers race', async () => {
    const ledger = new MemoryLedger();
    const evaluation = evaluateBudget({
      budget: monthlyBudget(),
      samples: overspend,
      nowMs: Date.UTC(2025, 2, 20),
    });

    const [a, b] = await Promise.all([
      claimNewAlerts(evaluation, ledger),
      claimNewAlerts(evaluation, ledger),
    ]);

    expect(a.length + b.length).toBe(3);
  });
});
