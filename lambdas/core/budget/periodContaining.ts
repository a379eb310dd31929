/**
 * Budget periods — a calendar day, week or month in the user's IANA time zone — as half-open ranges of
 * instants [startMs, endMs).
 *
 * A period starts at the first instant of its first local date (see `startOfZonedDay`) and ends where
 * the next one starts, so periods are contiguous and every instant belongs to exactly one of them. A day
 * therefore lasts 23 h or 25 h across a DST change (23.5/24.5 h on Lord Howe Island), a month lasts its
 * real number of days, and a week starts on the configured weekday (Monday by default, as in ISO 8601).
 */
import type { LocalDate } from './localDate.ts';
import { addDays, addMonths, dayOfWeek, formatLocalDate } from './localDate.ts';
import { startOfZonedDay, zonedDateTime } from './zonedTime.ts';

export type PeriodKind = 'day' | 'week' | 'month';

export interface PeriodSpec {
  readonly kind: PeriodKind;
  /** IANA time zone, e.g. "Europe/Berlin". */
  readonly timeZone: string;
  /** First day of a week: 0 = Sunday … 6 = Saturday. Default 1 (Monday). */
  readonly weekStartsOn?: number;
}

export interface Period {
  readonly kind: PeriodKind;
  readonly timeZone: string;
  /** The local date the period starts on. */
  readonly startDate: LocalDate;
  /** Inclusive start instant (ms). */
  readonly startMs: number;
  /** Exclusive end instant (ms). */
  readonly endMs: number;
  /** Stable identifier, e.g. "month:2025-03-01"; used in alert keys. */
  readonly key: string;
}

function firstDateOf(date: LocalDate, spec: PeriodSpec): LocalDate {
  switch (spec.kind) {
    case 'day':
      return date;
    case 'week': {
      const weekStartsOn = spec.weekStartsOn ?? 1;
      return addDays(date, -((dayOfWeek(date) - weekStartsOn + 7) % 7));
    }
    case 'month':
      return { year: date.year, month: date.month, day: 1 };
  }
}

function shiftStart(startDate: LocalDate, kind: PeriodKind, steps: number): LocalDate {
  switch (kind) {
    case 'day':
      return addDays(startDate, steps);
    case 'week':
      return addDays(startDate, 7 * steps);
    case 'month':
      return addMonths(startDate, steps);
  }
}

/**
 * The period of kind `spec.kind` that starts on `startDate` (which must be a valid period start).
 *
 * @example
 * periodStartingOn({ year: 2025, month: 3, day: 1 }, { kind: 'month', timeZone: 'Europe/Berlin' });
 */
export function periodStartingOn(startDate: LocalDate, spec: PeriodSpec): Period {
  const next = shiftStart(startDate, spec.kind, 1);
  return {
    kind: spec.kind,
    timeZone: spec.timeZone,
    startDate,
    startMs: startOfZonedDay(startDate, spec.timeZone),
    endMs: startOfZonedDay(next, spec.timeZone),
    key: `${spec.kind}:${formatLocalDate(startDate)}`,
  };
}

/** The period right after `period`. */
export function nextPeriod(period: Period, spec: PeriodSpec): Period {
  return periodStartingOn(shiftStart(period.startDate, period.kind, 1), spec);
}

/** The period right before `period`. */
export function previousPeriod(period: Period, spec: PeriodSpec): Period {
  return periodStartingOn(shiftStart(period.startDate, period.kind, -1), spec);
}

/**
 * The period that contains `instantMs`.
 *
 * @example
 * const march = periodContaining(Date.parse('2025-03-15T12:00:00Z'), { kind: 'month', timeZone: 'UTC' });
 * // march.startMs === Date.parse('2025-03-01T00:00:00Z'), march.endMs === Date.parse('2025-04-01T00:00:00Z')
 */
export function periodContaining(instantMs: number, spec: PeriodSpec): Period {
  let period = periodStartingOn(firstDateOf(zonedDateTime(instantMs, spec.timeZone), spec), spec);
  // The wall-clock date can step backwards across a fall-back at midnight; the boundaries, not the wall
  // clock, decide which period an instant is in.
  while (instantMs >= period.endMs) period = nextPeriod(period, spec);
  while (instantMs < period.startMs) period = previousPeriod(period, spec);
  return period;
}
