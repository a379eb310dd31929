/**
 * A calendar date without a time zone ("2025-03-09"), and the proleptic-Gregorian arithmetic on it.
 * Dates are computed through `Date.UTC`, which has no DST, so adding days or months is exact.
 */
import { BadRequestError } from '../errors.ts';

export interface LocalDate {
  readonly year: number;
  /** 1–12 */
  readonly month: number;
  /** 1–31 */
  readonly day: number;
}

const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Parses a strict `YYYY-MM-DD` date; rejects impossible dates such as 2025-02-30.
 *
 * @example
 * parseLocalDate('2024-02-29'); // { year: 2024, month: 2, day: 29 }
 */
export function parseLocalDate(text: string): LocalDate {
  const match = ISO_DATE.exec(text);
  if (match) {
    const date = { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
    const roundTrip = fromEpochDay(toEpochDay(date));
    if (roundTrip.year === date.year && roundTrip.month === date.month && roundTrip.day === date.day)
      return date;
  }
  throw new BadRequestError(
    'invalid_date',
    `Invalid date "${text.slice(0, 32)}": expected a real date as YYYY-MM-DD`,
  );
}

/** Formats as `YYYY-MM-DD`. */
export function formatLocalDate(date: LocalDate): string {
  const pad = (value: number, width: number) => String(value).padStart(width, '0');
  return `${pad(date.year, 4)}-${pad(date.month, 2)}-${pad(date.day, 2)}`;
}

/** Days since 1970-01-01 (may be negative). */
export function toEpochDay(date: LocalDate): number {
  return Math.floor(Date.UTC(date.year, date.month - 1, date.day) / DAY_MS);
}

/** The date `epochDay` days after 1970-01-01. */
export function fromEpochDay(epochDay: number): LocalDate {
  const utc = new Date(epochDay * DAY_MS);
  return { year: utc.getUTCFullYear(), month: utc.getUTCMonth() + 1, day: utc.getUTCDate() };
}

/** The date `days` days later (or earlier when negative). */
export function addDays(date: LocalDate, days: number): LocalDate {
  return fromEpochDay(toEpochDay(date) + days);
}

/** The first day of the month `months` months after `date`'s month. */
export function addMonths(date: LocalDate, months: number): LocalDate {
  const index = date.year * 12 + (date.month - 1) + months;
  return { year: Math.floor(index / 12), month: (index % 12) + 1, day: 1 };
}

/** 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(date: LocalDate): number {
  // 1970-01-01 was a Thursday (4).
  return (((toEpochDay(date) + 4) % 7) + 7) % 7;
}

/** The UTC instant at which `date` starts in UTC (ms). */
export function utcStartOf(date: LocalDate): number {
  return Date.UTC(date.year, date.month - 1, date.day);
}
