import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forecastPeriodSpend } from '../../../../lambdas/core/budget/forecastPeriodSpend.ts';
import { DAY_MS, dailySamples, HOUR_MS } from './fixtures.ts';

const T0 = Date.UTC(2025, 0, 1);
const MONTH = { startMs: T0, endMs: T0 + 31 * DAY_MS };

describe('forecastPeriodSpend', () => {
  it('projects a steady spend exactly', () => {
    // $2 a day for 10 days; now is the start of day 11, 21 days left.
    const samples = dailySamples(T0, Array(10).fill(2_000_000));

    const forecast = forecastPeriodSpend(samples, MONTH, T0 + 10 * DAY_MS);

    expect(forecast.actualMicros).toBe(20_000_000);
    expect(forecast.dailyRateMicros).toBe(2_000_000);
    expect(forecast.p50Micros).toBe(62_000_000);
    expect(forecast.p90Micros).toBe(62_000_000);
    expect(forecast.windows).toBe(7);
  });

  it('weights recent days more than old ones', () => {
    // The same $10 day, yesterday or five days ago.
    const recentSpike = dailySamples(T0, [1, 1, 1, 1, 1, 1, 1, 1, 10_000_000, 1]);
    const oldSpike = dailySamples(T0, [1, 1, 1, 1, 10_000_000, 1, 1, 1, 1, 1]);
    const now = T0 + 10 * DAY_MS;

    expect(forecastPeriodSpend(recentSpike, MONTH, now).dailyRateMicros).toBeGreaterThan(
      forecastPeriodSpend(oldSpike, MONTH, now).dailyRateMicros,
    );
  });

  it('widens the P90 band when daily spend varies', () => {
    const samples = dailySamples(T0, [0, 4_000_000, 0, 4_000_000, 0, 4_000_000, 0, 4_000_000]);

    const forecast = forecastPeriodSpend(samples, MONTH, T0 + 8 * DAY_MS);

    expect(forecast.p90Micros).toBeGreaterThan(forecast.p50Micros);
  });

  it('uses the average since the first sample when there is less than a day of history', () => {
    const samples = [
      {
        provider: 'openai' as const,
        keyId: null,
        startMs: T0,
        endMs: T0 + 6 * HOUR_MS,
        amountMicros: 3_000_000,
      },
    ];

    const forecast = forecastPeriodSpend(samples, MONTH, T0 + 6 * HOUR_MS);

    expect(forecast.windows).toBe(0);
    expect(forecast.dailyRateMicros).toBe(12_000_000);
    expect(forecast.p50Micros).toBe(3_000_000 + Math.round(12_000_000 * (31 - 0.25)));
  });

  it('forecasts nothing but the actual spend when there is no spend', () => {
    const forecast = forecastPeriodSpend([], MONTH, T0 + 5 * DAY_MS);

    expect(forecast).toEqual({ actualMicros: 0, p50Micros: 0, p90Micros: 0, dailyRateMicros: 0, windows: 0 });
  });

  it('always has actual ≤ P50 ≤ P90, and more recent spend never lowers the P50', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 100_000_000 }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 0, max: 40 * DAY_MS }),
        fc.integer({ min: 0, max: 10_000_000 }),
        (amounts, offset, extra) => {
          const samples = dailySamples(T0, amounts);
          const period = { startMs: T0, endMs: T0 + 45 * DAY_MS };
          const now = T0 + offset;
          const forecast = forecastPeriodSpend(samples, period, now);
          expect(forecast.actualMicros).toBeLessThanOrEqual(forecast.p50Micros);
          expect(forecast.p50Micros).toBeLessThanOrEqual(forecast.p90Micros);

          const more = [
            ...samples,
            {
              provider: 'openai' as const,
              keyId: 'extra',
              startMs: now - HOUR_MS,
              endMs: now,
              amountMicros: extra,
            },
          ];
          expect(
            forecastPeriodSpend(more, period, now, { historyStartMs: T0 }).p50Micros,
          ).toBeGreaterThanOrEqual(
            forecastPeriodSpend(samples, period, now, { historyStartMs: T0 }).p50Micros,
          );
        },
      ),
    );
  });

  it('projects a constant daily rate to exactly rate × days on any day of the month', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5_000_000 }), fc.integer({ min: 0, max: 30 }), (rate, day) => {
        // Ten days of history before the month, then every completed day of it so far.
        const samples = dailySamples(T0 - 10 * DAY_MS, Array(10 + day).fill(rate));
        const forecast = forecastPeriodSpend(samples, MONTH, T0 + day * DAY_MS);
        expect(forecast.actualMicros).toBe(day * rate);
        expect(forecast.p50Micros).toBe(31 * rate);
        expect(forecast.p90Micros).toBe(31 * rate);
      }),
    );
  });
});
