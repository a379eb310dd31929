/**
 * Wall-clock time in an IANA time zone, from the runtime's own tz database through
 * `Intl.DateTimeFormat` (no library, no Temporal). Formatters are cached per zone because building one is
 * far more expensive than using it.
 */
import { BadRequestError } from '../errors.ts';
import type { LocalDate } from './localDate.ts';
import { utcStartOf } from './localDate.ts';

export interface ZonedDateTime extends LocalDate {
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();
// Budgets ask for the same few period boundaries on every poll; remembering them skips the Intl calls.
const dayStarts = new Map<string, number>();
const DAY_START_CACHE_SIZE = 4096;

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
        era: 'short',
      });
    } catch {
      throw new BadRequestError('invalid_time_zone', `Unknown time zone "${timeZone.slice(0, 64)}"`, {
        timeZone: timeZone.slice(0, 64),
      });
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/**
 * Fails with a clear error unless `timeZone` is an IANA zone the runtime knows.
 *
 * @example
 * assertTimeZone('Europe/Berlin');
 */
export function assertTimeZone(timeZone: string): void {
  formatterFor(timeZone);
}

/**
 * The wall-clock date and time at `instantMs` in `timeZone` (seconds resolution).
 *
 * @example
 * zonedDateTime(Date.UTC(2025, 2, 9, 7), 'America/New_York'); // 2025-03-09 03:00:00 (EDT)
 */
export function zonedDateTime(instantMs: number, timeZone: string): ZonedDateTime {
  const parts = formatterFor(timeZone).formatToParts(instantMs);
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let bce = false;
  for (const part of parts) {
    switch (part.type) {
      case 'year':
        year = Number(part.value);
        break;
      case 'month':
        month = Number(part.value);
        break;
      case 'day':
        day = Number(part.value);
        break;
      case 'hour':
        // Some ICU versions print midnight as "24" even with h23.
        hour = Number(part.value) % 24;
        break;
      case 'minute':
        minute = Number(part.value);
        break;
      case 'second':
        second = Number(part.value);
        break;
      case 'era':
        bce = part.value.startsWith('B');
        break;
    }
  }
  return { year: bce ? 1 - year : year, month, day, hour, minute, second };
}

/** The zone's UTC offset at `instantMs` in ms (east positive), e.g. +3,600,000 for CET. */
export function offsetAt(instantMs: number, timeZone: string): number {
  const wall = zonedDateTime(instantMs, timeZone);
  const wallAsUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return wallAsUtc - Math.floor(instantMs / 1000) * 1000;
}

function isMidnightOf(instantMs: number, date: LocalDate, timeZone: string): boolean {
  const wall = zonedDateTime(instantMs, timeZone);
  return (
    wall.year === date.year &&
    wall.month === date.month &&
    wall.day === date.day &&
    wall.hour === 0 &&
    wall.minute === 0 &&
    wall.second === 0
  );
}

/**
 * The first instant of `date` in `timeZone`: the earliest moment the wall clock reads that date.
 *
 * Usually local midnight. When a DST change skips midnight (e.g. America/Santiago), the day starts at
 * the transition, when the clock jumps past the gap. When midnight happens twice (a fall-back at
 * midnight), the earlier one. Offsets are read a day either side, which assumes at most one transition
 * within two days of `date` — true of every zone in the tz database for the dates a budget concerns.
 *
 * @example
 * startOfZonedDay({ year: 2025, month: 3, day: 9 }, 'America/New_York'); // Date.UTC(2025, 2, 9, 5)
 */
export function startOfZonedDay(date: LocalDate, timeZone: string): number {
  const cacheKey = `${timeZone}|${date.year}-${date.month}-${date.day}`;
  const cached = dayStarts.get(cacheKey);
  if (cached !== undefined) return cached;
  const start = computeStartOfZonedDay(date, timeZone);
  if (dayStarts.size >= DAY_START_CACHE_SIZE) dayStarts.clear();
  dayStarts.set(cacheKey, start);
  return start;
}

function computeStartOfZonedDay(date: LocalDate, timeZone: string): number {
  const wall = utcStartOf(date);
  const offsetBefore = offsetAt(wall - DAY_MS, timeZone);
  const offsetAfter = offsetAt(wall + DAY_MS, timeZone);
  // No transition nearby: local midnight is simply wall time minus the offset.
  if (offsetBefore === offsetAfter) return wall - offsetBefore;
  const early = wall - Math.max(offsetBefore, offsetAfter);
  const late = wall - Math.min(offsetBefore, offsetAfter);
  if (isMidnightOf(early, date, timeZone)) return early;
  if (isMidnightOf(late, date, timeZone)) return late;
  // Midnight falls in a gap: the day begins at the transition, which is midnight under the old offset.
  return wall - offsetBefore;
}
