import { describe, expect, it } from 'vitest';
import { buildAlertMessage, formatUsd } from '../../../../lambdas/core/budget/buildAlertMessage.ts';
import { alertsFor } from '../../../../lambdas/core/budget/claimNewAlerts.ts';
import { evaluateBudget } from '../../../../lambdas/core/budget/evaluateBudget.ts';
import { DAY_MS, dailySamples, HOUR_MS, hourlySamples, monthlyBudget } from './fixtures.ts';

const MARCH_1_UTC = Date.UTC(2025, 2, 1);

describe('buildAlertMessage', () => {
  it('says how much, of what, in which period, the forecast and what to do next', () => {
    // $9 a day; at 14:00 UTC today's open bucket holds 14/24 of it.
    const samples = [
      ...dailySamples(MARCH_1_UTC - 7 * DAY_MS, Array(16).fill(9_000_000)),
      ...dailySamples(MARCH_1_UTC + 9 * DAY_MS, [5_250_000]),
    ];
    const evaluation = evaluateBudget({
      budget: monthlyBudget(),
      samples,
      nowMs: MARCH_1_UTC + 9 * DAY_MS + 14 * HOUR_MS,
    });
    const alert = alertsFor(evaluation).find((candidate) => candidate.threshold?.thresholdId === 'p80')!;

    const message = buildAlertMessage(alert);

    expect(message.subject).toBe('Budget "OpenAI prod" at 86.6% of its monthly limit');
    expect(message.text).toContain(
      // One hour of the Feb 28 UTC bucket is March in Berlin: $0.375 + 9 × $9 + today's $5.25.
      'Spent $86.63 of $100.00 (86.6%) in March 2025 (Europe/Berlin), as of 2025-03-10 15:00.',
    );
    // March in Berlin has 743 hours (DST): 21 days 8 hours are left at $9 a day.
    expect(message.text).toContain(
      'Forecast for the end of the period: $278.63 (P90 $278.63), at a run-rate of $9.00/day.',
    );
    expect(message.text).toContain('Threshold "p80" ($80.00, on spend) reached at $86.63.');
    expect(message.text).toContain(
      'clawpulsar budget check --provider openai --start 2025-02-28 --end 2025-03-11',
    );
    expect(message.text).toContain('re-arms next period or when the budget is edited');
    expect(message.fields).toMatchObject({
      spent: '86.625',
      limit: '100.00',
      percent: '86.6',
      period: 'month:2025-03-01',
    });
  });

  it('words a forecast threshold as a forecast', () => {
    const samples = dailySamples(MARCH_1_UTC - 7 * DAY_MS, Array(17).fill(5_000_000));
    const evaluation = evaluateBudget({ budget: monthlyBudget(), samples, nowMs: MARCH_1_UTC + 10 * DAY_MS });
    const alert = alertsFor(evaluation).find((candidate) => candidate.threshold?.thresholdId === 'over')!;

    expect(buildAlertMessage(alert).subject).toMatch(
      /^Budget "OpenAI prod" is forecast to reach \$1\d\d\.\d\d of \$100\.00 in March 2025$/,
    );
  });

  it('explains a burn-rate alarm', () => {
    const samples = hourlySamples(MARCH_1_UTC, [...Array(48).fill(1_000_000), 30_000_000]);
    const budget = monthlyBudget({ thresholds: [], burnRate: { multiplier: 5 } });
    const evaluation = evaluateBudget({ budget, samples, nowMs: MARCH_1_UTC + 49 * HOUR_MS });
    const [alert] = alertsFor(evaluation);

    const message = buildAlertMessage(alert!);

    expect(message.subject).toBe('Budget "OpenAI prod": spending $30.00/h, far above normal');
    expect(message.text).toContain('30.0× the trailing $1.00/h');
  });

  it('rounds dollars to the cent for people', () => {
    expect(formatUsd(1_237_891)).toBe('$1.24');
    expect(formatUsd(5_000)).toBe('$0.01');
    expect(formatUsd(0)).toBe('$0.00');
  });
});
