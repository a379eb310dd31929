import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { burnRate } from '../../../../lambdas/core/budget/burnRate.ts';
import { HOUR_MS, hourlySamples } from './fixtures.ts';

const T0 = Date.UTC(2025, 0, 1);
const WEEK_HOURS = 168;

describe('burnRate', () => {
  it('stays quiet at a steady rate', () => {
    const samples = hourlySamples(T0, Array(WEEK_HOURS + 1).fill(2_000_000));

    const reading = burnRate(samples, T0 + (WEEK_HOURS + 1) * HOUR_MS, { multiplier: 5 });

    expect(reading.recentMicrosPerHour).toBe(2_000_000);
    expect(reading.trailingMicrosPerHour).toBe(2_000_000);
    expect(reading.ratio).toBe(1);
    expect(reading.alarming).toBe(false);
  });

  it('alarms when the last hour runs far above the trailing week', () => {
    const samples = hourlySamples(T0, [...Array(WEEK_HOURS).fill(2_000_000), 30_000_000]);

    const reading = burnRate(samples, T0 + (WEEK_HOURS + 1) * HOUR_MS, { multiplier: 5 });

    expect(reading.ratio).toBe(15);
    expect(reading.alarming).toBe(true);
  });

  it('ignores spikes below the floor', () => {
    const samples = hourlySamples(T0, [...Array(10).fill(1_000), 100_000]);

    expect(burnRate(samples, T0 + 11 * HOUR_MS, { multiplier: 5 }).alarming).toBe(false);
    expect(burnRate(samples, T0 + 11 * HOUR_MS, { multiplier: 5, minMicrosPerHour: 50_000 }).alarming).toBe(
      true,
    );
  });

  it('alarms on a new key that suddenly spends above the floor', () => {
    const samples = hourlySamples(T0, [0, 0, 0, 5_000_000]);

    const reading = burnRate(samples, T0 + 4 * HOUR_MS, { multiplier: 5 });

    expect(reading.ratio).toBeNull();
    expect(reading.alarming).toBe(true);
  });

  it('compares with the covered part of the trailing window only', () => {
    // One day of history at $2/h, then $3/h: 1.5×, not 1.5 × 7.
    const samples = hourlySamples(T0, [...Array(24).fill(2_000_000), 3_000_000]);

    const reading = burnRate(samples, T0 + 25 * HOUR_MS, { multiplier: 5 });

    expect(reading.trailingMicrosPerHour).toBe(2_000_000);
    expect(reading.ratio).toBe(1.5);
  });

  it('alarms exactly when the recent rate exceeds multiplier × trailing, above the floor', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1_000, max: 10_000_000 }),
        fc.integer({ min: 0, max: 100_000_000 }),
        fc.integer({ min: 2, max: 20 }),
        (base, recent, multiplier) => {
          const samples = hourlySamples(T0, [...Array(48).fill(base), recent]);
          const reading = burnRate(samples, T0 + 49 * HOUR_MS, { multiplier, minMicrosPerHour: 0 });
          expect(reading.alarming).toBe(recent > multiplier * base);
          // Scaling every amount scales both rates and keeps the ratio.
          const scaled = burnRate(
            hourlySamples(T0, [...Array(48).fill(base * 3), recent * 3]),
            T0 + 49 * HOUR_MS,
            {
              multiplier,
              minMicrosPerHour: 0,
            },
          );
          expect(scaled.ratio).toBeCloseTo(reading.ratio ?? 0, 9);
        },
      ),
    );
  });
});
