import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonths,
  dayOfWeek,
  formatLocalDate,
  fromEpochDay,
  parseLocalDate,
  toEpochDay,
} from '../../../../lambdas/core/budget/localDate.ts';
import { ClawPulsarError } from '../../../../lambdas/core/errors.ts';

describe('localDate', () => {
  it('parses and formats real dates', () => {
    expect(parseLocalDate('2024-02-29')).toEqual({ year: 2024, month: 2, day: 29 });
    expect(formatLocalDate({ year: 2025, month: 3, day: 9 })).toBe('2025-03-09');
  });

  it.each(['2025-02-29', '2025-13-01', '2025-00-10', '2025-1-01', '25-01-01', '2025-01-01T00:00:00Z', ''])(
    'rejects %j',
    (text) => {
      expect(() => parseLocalDate(text)).toThrow(ClawPulsarError);
    },
  );

  it('round-trips through epoch days', () => {
    fc.assert(
      fc.property(fc.integer({ min: -100_000, max: 100_000 }), (epochDay) => {
        const date = fromEpochDay(epochDay);
        expect(toEpochDay(date)).toBe(epochDay);
        expect(formatLocalDate(parseLocalDate(formatLocalDate(date)))).toBe(formatLocalDate(date));
        expect(dayOfWeek(addDays(date, 7))).toBe(dayOfWeek(date));
      }),
    );
  });

  it('knows weekdays and month steps', () => {
    expect(dayOfWeek({ year: 1970, month: 1, day: 1 })).toBe(4);
    expect(dayOfWeek({ year: 2025, month: 3, day: 10 })).toBe(1);
    expect(addMonths({ year: 2025, month: 12, day: 15 }, 1)).toEqual({ year: 2026, month: 1, day: 1 });
    expect(addMonths({ year: 2025, month: 1, day: 31 }, -1)).toEqual({ year: 2024, month: 12, day: 1 });
  });
});
