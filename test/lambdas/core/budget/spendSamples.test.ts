import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assertSamples,
  samplesFromBalance,
  samplesFromCumulative,
  spendBetween,
} from '../../../../lambdas/core/budget/spendSamples.ts';
import { ClawPulsarError } from '../../../../lambdas/core/errors.ts';
import { DAY_MS, dailySamples, HOUR_MS } from './fixtures.ts';

const T0 = Date.UTC(2025, 2, 1);

describe('spendBetween', () => {
  it('counts whole samples inside the window and a share of those on its edges', () => {
    const samples = dailySamples(T0, [24_000_000, 48_000_000]);

    expect(spendBetween(samples, T0, T0 + 2 * DAY_MS, T0 + 3 * DAY_MS)).toBe(72_000_000);
    // 06:00 on day one to 06:00 on day two: 18/24 of the first and 6/24 of the second.
    expect(spendBetween(samples, T0 + 6 * HOUR_MS, T0 + 30 * HOUR_MS, T0 + 3 * DAY_MS)).toBe(
      18_000_000 + 12_000_000,
    );
  });

  it('spreads an open bucket over the part of it that has happened', () => {
    const today = dailySamples(T0, [6_000_000]);
    const now = T0 + 6 * HOUR_MS;

    expect(spendBetween(today, T0, now, now)).toBe(6_000_000);
    expect(spendBetween(today, now - HOUR_MS, now, now)).toBe(1_000_000);
  });

  it('is additive over adjacent windows', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50_000_000 }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 0, max: 20 * DAY_MS }),
        fc.integer({ min: 0, max: 20 * DAY_MS }),
        (amounts, a, b) => {
          const samples = dailySamples(T0, amounts);
          const [from, to] = a < b ? [a, b] : [b, a];
          const split = from + Math.floor((to - from) / 3);
          const now = T0 + 30 * DAY_MS;
          const whole = spendBetween(samples, T0 + from, T0 + to, now);
          const parts =
            spendBetween(samples, T0 + from, T0 + split, now) +
            spendBetween(samples, T0 + split, T0 + to, now);
          expect(Math.abs(whole - parts)).toBeLessThan(1e-3);
          const total = amounts.reduce((sum, amount) => sum + amount, 0);
          expect(spendBetween(samples, T0 - DAY_MS, T0 + 40 * DAY_MS, now)).toBe(total);
        },
      ),
    );
  });
});

describe('assertSamples', () => {
  it('refuses overlapping samples of one key, which would count spend twice', () => {
    const samples = [...dailySamples(T0, [1]), { ...dailySamples(T0, [1])[0]!, startMs: T0 + HOUR_MS }];

    expect(() => assertSamples(samples)).toThrow(/overlap/);
  });

  it('accepts the same interval for different keys and refuses empty intervals', () => {
    expect(() => assertSamples([...dailySamples(T0, [1], 'a'), ...dailySamples(T0, [1], 'b')])).not.toThrow();
    expect(() => assertSamples([{ ...dailySamples(T0, [1])[0]!, endMs: T0 }])).toThrow(ClawPulsarError);
  });
});

describe('samplesFromCumulative and samplesFromBalance', () => {
  const readings = [
    { atMs: T0, valueMicros: 10_000_000 },
    { atMs: T0 + HOUR_MS, valueMicros: 7_000_000 },
    { atMs: T0 + 2 * HOUR_MS, valueMicros: 57_000_000 },
    { atMs: T0 + 3 * HOUR_MS, valueMicros: 56_500_000 },
  ];

  it('turns a growing counter into the spend between readings', () => {
    const samples = samplesFromCumulative('vercel', null, [
      { atMs: T0 + HOUR_MS, valueMicros: 4_750_000 },
      { atMs: T0, valueMicros: 4_500_000 },
    ]);

    expect(samples).toEqual([
      { provider: 'vercel', keyId: null, startMs: T0, endMs: T0 + HOUR_MS, amountMicros: 250_000 },
    ]);
  });

  it('counts the fall of a balance as spend and a top-up as none', () => {
    const samples = samplesFromBalance('deepseek', null, readings);

    expect(samples.map((sample) => sample.amountMicros)).toEqual([3_000_000, 0, 500_000]);
  });
});
