/**
 * A half-open range of whole UTC days [start, end), the unit every provider cost API buckets by.
 */
import type { LocalDate } from '../budget/localDate.ts';
import { addDays, formatLocalDate, parseLocalDate, toEpochDay, utcStartOf } from '../budget/localDate.ts';
import { BadRequestError } from '../errors.ts';

export interface UtcDayRange {
  readonly start: LocalDate;
  /** Exclusive. */
  readonly end: LocalDate;
  readonly startMs: number;
  readonly endMs: number;
  /** Every date in the range as `YYYY-MM-DD`, in order. */
  readonly dates: readonly string[];
}

/** Longest range one report may cover; providers restate at most a few weeks, budgets span a month. */
export const MAX_RANGE_DAYS = 400;

/**
 * Builds the range [start, end) from `YYYY-MM-DD` strings.
 *
 * @example
 * utcDayRange('2025-03-01', '2025-04-01').dates.length; // 31
 */
export function utcDayRange(startText: string, endText: string): UtcDayRange {
  const start = parseLocalDate(startText);
  const end = parseLocalDate(endText);
  const days = toEpochDay(end) - toEpochDay(start);
  if (days <= 0) {
    throw new BadRequestError(
      'invalid_range',
      `The end date ${endText} must be after the start date ${startText}`,
    );
  }
  if (days > MAX_RANGE_DAYS) {
    throw new BadRequestError(
      'invalid_range',
      `The range covers ${days} days; at most ${MAX_RANGE_DAYS} are allowed`,
    );
  }
  const dates: string[] = [];
  for (let i = 0; i < days; i++) dates.push(formatLocalDate(addDays(start, i)));
  return { start, end, startMs: utcStartOf(start), endMs: utcStartOf(end), dates };
}

/** The UTC date (`YYYY-MM-DD`) of an instant in ms. */
export function utcDateOf(instantMs: number): string {
  return new Date(instantMs).toISOString().slice(0, 10);
}
