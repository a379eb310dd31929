import { describe, expect, it } from 'vitest';
import { ClawPulsarError } from '../../../../lambdas/core/errors.ts';
import { MAX_RANGE_DAYS, utcDateOf, utcDayRange } from '../../../../lambdas/core/usage/utcDayRange.ts';

describe('utcDayRange', () => {
  it('lists every UTC day of [start, end)', () => {
    const range = utcDayRange('2024-02-27', '2024-03-02');

    expect(range.dates).toEqual(['2024-02-27', '2024-02-28', '2024-02-29', '2024-03-01']);
    expect(range.startMs).toBe(Date.UTC(2024, 1, 27));
    expect(range.endMs).toBe(Date.UTC(2024, 2, 2));
  });

  it.each([
    ['2025-03-02', '2025-03-02', /must be after/],
    ['2025-03-02', '2025-03-01', /must be after/],
    ['2024-01-01', '2025-12-31', new RegExp(`at most ${MAX_RANGE_DAYS}`)],
    ['2025-3-1', '2025-03-02', /Invalid date/],
  ])('rejects %s to %s', (start, end, message) => {
    expect(() => utcDayRange(start, end)).toThrow(ClawPulsarError);
    expect(() => utcDayRange(start, end)).toThrow(message);
  });

  it('gives the UTC date of an instant', () => {
    expect(utcDateOf(Date.UTC(2025, 2, 1, 23, 59, 59))).toBe('2025-03-01');
  });
});
