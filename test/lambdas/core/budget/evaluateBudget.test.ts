import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Threshold } from '../../../../lambdas/core/budget/Budget.ts';
import { evaluateBudget, thresholdMicros } from '../../../../lambdas/core/budget/evaluateBudget.ts';
import { DAY_MS, dailySamples, HOUR_MS, monthlyBudget } from './fixtures.ts';

// 2025-03-01 00:00 in Berlin is 2025-02-28T23:00Z; buckets are UTC days.
const MARCH_1_UTC = Date.UTC(2025, 2, 1);

describe('thresholdMicros', () => {
  it('turns percentages into amounts, rounding up', () => {
    expect(thresholdMicros({ id: 'a', basis: 'actual', percent: 80 }, 100_000_000)).toBe(80_000_000);
    expect(thresholdMicros({ id: 'a', basis: 'actual', percent: 33.33 }, 100)).toBe(34);
    expect(thresholdMicros({ id: 'a', basis: 'actual', percent: 0.01 }, 1)).toBe(1);
    expect(thresholdMicros({ id: 'a', basis: 'actual', amountMicros: 5 }, 100)).toBe(5);
  });

  it('is the smallest whole amount at or above the exact share', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e12 }),
        fc.integer({ min: 1, max: 100_000 }),
        (limit, basisPoints) => {
          const percent = basisPoints / 100;
          const amount = thresholdMicros({ id: 'a', basis: 'actual', percent }, limit);
          const exact = (BigInt(limit) * BigInt(basisPoints)) as bigint;
          expect(BigInt(amount) * 10_000n >= exact).toBe(true);
          expect(BigInt(amount - 1) * 10_000n < exact).toBe(true);
        },
      ),
    );
  });
});

describe('evaluateBudget', () => {
  it('reports actual thresholds crossed in the current period', () => {
    // $9 a day from March 1st; now March 10th 12:00 UTC.
    const samples = dailySamples(MARCH_1_UTC, Array(10).fill(9_000_000));
    const now = MARCH_1_UTC + 9 * DAY_MS + 12 * HOUR_MS;

    const evaluation = evaluateBudget({ budget: monthlyBudget(), samples, nowMs: now });

    expect(evaluation.period.key).toBe('month:2025-03-01');
    // Today's bucket is still open: it holds what was spent so far, all of it before now.
    expect(evaluation.forecast.actualMicros).toBe(90_000_000);
    expect(evaluation.crossed.map((c) => c.thresholdId)).toEqual(['half', 'p80', 'over']);
    expect(evaluation.crossed[1]).toEqual({
      thresholdId: 'p80',
      basis: 'actual',
      thresholdMicros: 80_000_000,
      valueMicros: 90_000_000,
    });
  });

  it('raises a forecast threshold before the actual spend gets there', () => {
    // $5 a day: $50 by the 10th, heading for $155.
    const samples = dailySamples(MARCH_1_UTC - 7 * DAY_MS, Array(17).fill(5_000_000));
    const now = MARCH_1_UTC + 10 * DAY_MS;

    const evaluation = evaluateBudget({ budget: monthlyBudget(), samples, nowMs: now });

    expect(evaluation.crossed.map((c) => c.thresholdId)).toEqual(['half', 'over']);
    expect(evaluation.crossed[1]?.basis).toBe('forecast');
    expect(evaluation.crossed[1]?.band).toBe('p50');
  });

  it('apportions the UTC bucket that straddles the start of the month in the user zone', () => {
    // The Feb 28 UTC bucket's last hour is already March in Berlin.
    const samples = dailySamples(MARCH_1_UTC - DAY_MS, [24_000_000]);

    const evaluation = evaluateBudget({ budget: monthlyBudget(), samples, nowMs: MARCH_1_UTC + HOUR_MS });

    expect(evaluation.forecast.actualMicros).toBe(1_000_000);
  });

  it('counts only the keys the budget covers', () => {
    const samples = [
      ...dailySamples(MARCH_1_UTC, [60_000_000], 'key_a'),
      ...dailySamples(MARCH_1_UTC, [60_000_000], 'key_b'),
    ];
    const now = MARCH_1_UTC + DAY_MS;

    const one = evaluateBudget({
      budget: monthlyBudget({ scope: { provider: 'openai', keyIds: ['key_a'] } }),
      samples,
      nowMs: now,
    });
    const all = evaluateBudget({ budget: monthlyBudget(), samples, nowMs: now });
    const other = evaluateBudget({
      budget: monthlyBudget({ scope: { provider: 'anthropic' } }),
      samples,
      nowMs: now,
    });

    expect(one.forecast.actualMicros).toBe(60_000_000);
    expect(all.forecast.actualMicros).toBe(120_000_000);
    expect(other.forecast.actualMicros).toBe(0);
  });

  it('refuses overlapping samples rather than counting spend twice', () => {
    const samples = [...dailySamples(MARCH_1_UTC, [1]), ...dailySamples(MARCH_1_UTC, [1])];

    expect(() => evaluateBudget({ budget: monthlyBudget(), samples, nowMs: MARCH_1_UTC + DAY_MS })).toThrow(
      /overlap/,
    );
  });

  it('refuses account-wide and per-key samples together, which would count spend twice', () => {
    const samples = [...dailySamples(MARCH_1_UTC, [1], null), ...dailySamples(MARCH_1_UTC, [1], 'key_a')];

    expect(() => evaluateBudget({ budget: monthlyBudget(), samples, nowMs: MARCH_1_UTC + DAY_MS })).toThrow(
      /count twice/,
    );
  });

  it('reports the burn rate when the budget has a rule', () => {
    const samples = dailySamples(MARCH_1_UTC, [1_000_000]);

    const evaluation = evaluateBudget({
      budget: monthlyBudget({ burnRate: { multiplier: 5 } }),
      samples,
      nowMs: MARCH_1_UTC + DAY_MS,
    });

    expect(evaluation.burnRate).toBeDefined();
  });

  it('crosses a threshold exactly when the compared spend reaches it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 20_000_000 }), { minLength: 1, maxLength: 25 }),
        fc.integer({ min: 1, max: 20_000 }),
        fc.constantFrom<Threshold['basis']>('actual', 'forecast'),
        fc.constantFrom<'p50' | 'p90'>('p50', 'p90'),
        (amounts, basisPoints, basis, band) => {
          const threshold: Threshold =
            basis === 'actual'
              ? { id: 't', basis, percent: basisPoints / 100 }
              : { id: 't', basis, band, percent: basisPoints / 100 };
          const budget = monthlyBudget({ timeZone: 'UTC', thresholds: [threshold] });
          const now = MARCH_1_UTC + amounts.length * DAY_MS;
          const evaluation = evaluateBudget({
            budget,
            samples: dailySamples(MARCH_1_UTC, amounts),
            nowMs: now,
          });
          const value =
            basis === 'actual'
              ? evaluation.forecast.actualMicros
              : band === 'p90'
                ? evaluation.forecast.p90Micros
                : evaluation.forecast.p50Micros;
          expect(evaluation.crossed.length === 1).toBe(
            value >= thresholdMicros(threshold, budget.limitMicros),
          );
        },
      ),
    );
  });
});
