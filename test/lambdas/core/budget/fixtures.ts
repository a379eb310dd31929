import type { Budget } from '../../../../lambdas/core/budget/Budget.ts';
import type { SpendSample } from '../../../../lambdas/core/budget/spendSamples.ts';

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

/** A monthly OpenAI budget of $100 in Berlin with the usual thresholds. */
export function monthlyBudget(overrides: Partial<Budget> = {}): Budget {
  return {
    id: 'openai-prod',
    name: 'OpenAI prod',
    scope: { provider: 'openai' },
    period: 'month',
    timeZone: 'Europe/Berlin',
    limitMicros: 100_000_000,
    thresholds: [
      { id: 'half', basis: 'actual', percent: 50 },
      { id: 'p80', basis: 'actual', percent: 80 },
      { id: 'over', basis: 'forecast', percent: 100 },
    ],
    ...overrides,
  };
}

/** Daily UTC buckets of `amounts[i]` micros, starting on `firstDayMs`. */
export function dailySamples(
  firstDayMs: number,
  amounts: readonly number[],
  keyId: string | null = null,
): SpendSample[] {
  return amounts.map((amountMicros, i) => ({
    provider: 'openai',
    keyId,
    startMs: firstDayMs + i * DAY_MS,
    endMs: firstDayMs + (i + 1) * DAY_MS,
    amountMicros,
  }));
}

/** Hourly samples of `amounts[i]` micros, starting at `firstHourMs`. */
export function hourlySamples(firstHourMs: number, amounts: readonly number[]): SpendSample[] {
  return amounts.map((amountMicros, i) => ({
    provider: 'openai',
    keyId: null,
    startMs: firstHourMs + i * HOUR_MS,
    endMs: firstHourMs + (i + 1) * HOUR_MS,
    amountMicros,
  }));
}
