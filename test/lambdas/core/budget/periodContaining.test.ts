import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PeriodKind, PeriodSpec } from '../../../../lambdas/core/budget/periodContaining.ts';
import {
  nextPeriod,
  periodContaining,
  periodStartingOn,
  previousPeriod,
} from '../../../../lambdas/core/budget/periodContaining.ts';
import { zonedDateTime } from '../../../../lambdas/core/budget/zonedTime.ts';
import { ClawPulsarError } from '../../../../lambdas/core/errors.ts';

const HOUR = 3_600_000;

// Zones with DST, half-hour DST (Lord Howe), midnight gaps (Santiago), midnight fall-backs (Sao Paulo
// until 2019), odd offsets (Kolkata, Chatham, St Johns) and the date line (Kiritimati).
const ZONES = [
  'UTC',
  'America/New_York',
  'Europe/Berlin',
  'Australia/Lord_Howe',
  'America/Santiago',
  'America/Sao_Paulo',
  'Asia/Kolkata',
  'Pacific/Chatham',
  'Pacific/Kiritimati',
  'America/St_Johns',
  'Africa/Casablanca',
];
const KINDS: PeriodKind[] = ['day', 'week', 'month'];

const specArb = fc.record({
  kind: fc.constantFrom(...KINDS),
  timeZone: fc.constantFrom(...ZONES),
  weekStartsOn: fc.integer({ min: 0, max: 6 }),
});
// 2000-01-01 … 2040-01-01
const instantArb = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) });

function day(date: string, timeZone: string) {
  const [year, month, dayOfMonth] = date.split('-').map(Number) as [number, number, number];
  return periodStartingOn({ year, month, day: dayOfMonth }, { kind: 'day', timeZone });
}

describe('periodContaining', () => {
  it('puts every instant in exactly one period, and periods are contiguous', () => {
    fc.assert(
      fc.property(instantArb, specArb, (instant, spec: PeriodSpec) => {
        const period = periodContaining(instant, spec);
        expect(period.startMs).toBeLessThanOrEqual(instant);
        expect(instant).toBeLessThan(period.endMs);

        const next = nextPeriod(period, spec);
        const previous = previousPeriod(period, spec);
        expect(next.startMs).toBe(period.endMs);
        expect(previous.endMs).toBe(period.startMs);
        // The boundaries belong to exactly one side.
        expect(periodContaining(period.startMs, spec).key).toBe(period.key);
        expect(periodContaining(period.endMs - 1, spec).key).toBe(period.key);
        expect(periodContaining(period.endMs, spec).key).toBe(next.key);
        expect(periodContaining(period.startMs - 1, spec).key).toBe(previous.key);
      }),
      { numRuns: 300 },
    );
  });

  it('starts each period on the first instant the wall clock shows its first date', () => {
    fc.assert(
      fc.property(instantArb, specArb, (instant, spec: PeriodSpec) => {
        const period = periodContaining(instant, spec);
        const wall = zonedDateTime(period.startMs, spec.timeZone);
        expect([wall.year, wall.month, wall.day]).toEqual([
          period.startDate.year,
          period.startDate.month,
          period.startDate.day,
        ]);
        const justBefore = zonedDateTime(period.startMs - 1000, spec.timeZone);
        expect([justBefore.year, justBefore.month, justBefore.day]).not.toEqual([
          period.startDate.year,
          period.startDate.month,
          period.startDate.day,
        ]);
      }),
      { numRuns: 300 },
    );
  });

  it('makes days 23 to 25 hours long, and months as long as their days', () => {
    fc.assert(
      fc.property(instantArb, fc.constantFrom(...ZONES), (instant, timeZone) => {
        const today = periodContaining(instant, { kind: 'day', timeZone });
        expect([23, 23.5, 24, 24.5, 25]).toContain((today.endMs - today.startMs) / HOUR);

        const month = periodContaining(instant, { kind: 'month', timeZone });
        const { year, month: monthNumber } = month.startDate;
        const days = new Date(Date.UTC(year, monthNumber, 0)).getUTCDate();
        // Zones that moved their standard offset (e.g. Casablanca, Kiritimati in 1994) may differ by more.
        expect(Math.abs(month.endMs - month.startMs - days * 24 * HOUR)).toBeLessThanOrEqual(2 * HOUR);
      }),
      { numRuns: 300 },
    );
  });

  it('gives US DST days 23 and 25 hours', () => {
    const spring = day('2025-03-09', 'America/New_York');
    const autumn = day('2025-11-02', 'America/New_York');

    expect(spring.startMs).toBe(Date.UTC(2025, 2, 9, 5));
    expect((spring.endMs - spring.startMs) / HOUR).toBe(23);
    expect(autumn.startMs).toBe(Date.UTC(2025, 10, 2, 4));
    expect((autumn.endMs - autumn.startMs) / HOUR).toBe(25);
  });

  it('gives European DST days 23 and 25 hours', () => {
    expect(
      (day('2025-03-30', 'Europe/Berlin').endMs - day('2025-03-30', 'Europe/Berlin').startMs) / HOUR,
    ).toBe(23);
    expect(
      (day('2025-10-26', 'Europe/Berlin').endMs - day('2025-10-26', 'Europe/Berlin').startMs) / HOUR,
    ).toBe(25);
  });

  it('handles Lord Howe Island half-hour DST', () => {
    const spring = day('2025-10-05', 'Australia/Lord_Howe');
    const autumn = day('2025-04-06', 'Australia/Lord_Howe');

    expect((spring.endMs - spring.startMs) / HOUR).toBe(23.5);
    expect((autumn.endMs - autumn.startMs) / HOUR).toBe(24.5);
  });

  it('starts a day whose midnight is skipped at the transition (Santiago)', () => {
    // 2022-09-11: clocks jumped from 23:59:59 to 01:00 local.
    const period = day('2022-09-11', 'America/Santiago');

    expect(period.startMs).toBe(Date.UTC(2022, 8, 11, 4));
    expect(zonedDateTime(period.startMs, 'America/Santiago').hour).toBe(1);
    expect((period.endMs - period.startMs) / HOUR).toBe(23);
  });

  it('keeps an instant in the repeated hour of a midnight fall-back in one period (Sao Paulo 2018)', () => {
    // 2018-02-18 00:00 local went back to 2018-02-17 23:00.
    const repeated = Date.UTC(2018, 1, 18, 2, 30); // 23:30 on the 17th, the second time

    const period = periodContaining(repeated, { kind: 'day', timeZone: 'America/Sao_Paulo' });

    expect(period.key).toBe('day:2018-02-17');
    expect((period.endMs - period.startMs) / HOUR).toBe(25);
    expect(period.endMs).toBe(Date.UTC(2018, 1, 18, 3));
  });

  it('starts weeks on Monday by default and on the configured weekday otherwise', () => {
    const saturday = Date.UTC(2025, 2, 15, 12);

    expect(periodContaining(saturday, { kind: 'week', timeZone: 'UTC' }).key).toBe('week:2025-03-10');
    expect(periodContaining(saturday, { kind: 'week', timeZone: 'UTC', weekStartsOn: 0 }).key).toBe(
      'week:2025-03-09',
    );
    expect(periodContaining(saturday, { kind: 'week', timeZone: 'UTC', weekStartsOn: 6 }).key).toBe(
      'week:2025-03-15',
    );
  });

  it('follows month lengths, leap years included, in the user zone', () => {
    const feb = periodContaining(Date.UTC(2024, 1, 15), { kind: 'month', timeZone: 'Asia/Kolkata' });

    expect(feb.key).toBe('month:2024-02-01');
    expect(feb.startMs).toBe(Date.UTC(2024, 0, 31, 18, 30));
    expect(feb.endMs).toBe(Date.UTC(2024, 1, 29, 18, 30));
  });

  it('assigns an instant by the user clock, not UTC', () => {
    // 2025-03-31T23:30Z is already April 1st in Berlin.
    const period = periodContaining(Date.UTC(2025, 2, 31, 23, 30), {
      kind: 'month',
      timeZone: 'Europe/Berlin',
    });

    expect(period.key).toBe('month:2025-04-01');
  });

  it('rejects an unknown time zone with a clear error', () => {
    expect(() => periodContaining(0, { kind: 'day', timeZone: 'Mars/Olympus_Mons' })).toThrow(
      ClawPulsarError,
    );
    expect(() => periodContaining(0, { kind: 'day', timeZone: 'Mars/Olympus_Mons' })).toThrow(
      /Unknown time zone/,
    );
  });
});
