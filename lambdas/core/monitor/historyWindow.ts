/**
 * Which days of history the monitor reads and keeps. Providers bucket spend by UTC day and restate recent
 * days, budgets need their whole current period plus a week for the forecast, and nothing is kept past
 * 90 days.
 */
import type { Budget } from '../budget/Budget.ts';
import { parseLocalDate, utcStartOf } from '../budget/localDate.ts';
import { periodContaining } from '../budget/periodContaining.ts';
import { utcDateOf } from '../usage/utcDayRange.ts';

const DAY_MS = 86_400_000;
/** Days a provider may still restate: every poll reads them again. */
export const RESTATEMENT_DAYS = 3;
/** How long daily aggregates are kept. */
export const HISTORY_RETENTION_DAYS = 90;
/** The forecast's look-back (seven 24-hour windows). */
const FORECAST_LOOKBACK_MS = 7 * DAY_MS;

/**
 * The earliest instant `budget` needs spend from, as of `nowMs`: its current period's start, the
 * forecast's week, and the burn-rate alarm's trailing window, whichever is earliest.
 *
 * @example
 * historyStartFor(budget, Date.now()); // e.g. the first instant of this month in the budget's zone
 */
export function historyStartFor(budget: Budget, nowMs: number): number {
  const period = periodContaining(nowMs, {
    kind: budget.period,
    timeZone: budget.timeZone,
    weekStartsOn: budget.weekStartsOn,
  });
  let start = Math.min(period.startMs, nowMs - FORECAST_LOOKBACK_MS);
  if (budget.burnRate) {
    const windowMs = (budget.burnRate.windowMinutes ?? 60) * 60_000;
    const trailingMs = (budget.burnRate.trailingHours ?? 168) * 3_600_000;
    start = Math.min(start, nowMs - windowMs - trailingMs);
  }
  return Math.max(start, oldestKeptMs(nowMs));
}

/** The start of the oldest UTC day still kept. */
export function oldestKeptMs(nowMs: number): number {
  return utcStartOf(parseLocalDate(utcDateOf(nowMs))) - (HISTORY_RETENTION_DAYS - 1) * DAY_MS;
}

/** When the aggregate of UTC `date` expires: 90 days after the day began. */
export function historyExpiry(date: string): number {
  return utcStartOf(parseLocalDate(date)) + HISTORY_RETENTION_DAYS * DAY_MS;
}

/** The UTC day `date` as an instant range [start, end). */
export function utcDayBounds(date: string): { startMs: number; endMs: number } {
  const startMs = utcStartOf(parseLocalDate(date));
  return { startMs, endMs: startMs + DAY_MS };
}

export interface PollWindowInput {
  readonly nowMs: number;
  /** Earliest instant any budget covering the key needs (see `historyStartFor`). */
  readonly neededFromMs: number;
  readonly lastPolledAt?: number;
  /** Earliest date the history already holds for the key. */
  readonly coveredFrom?: string;
}

/**
 * The UTC dates [start, end) one poll of a key reads: always the last `RESTATEMENT_DAYS` and today; back
 * to the day before the previous poll after a gap; back to what the budgets need when the history does
 * not reach that far yet; never past the 90 days kept.
 *
 * @example
 * pollWindow({ nowMs, neededFromMs }); // { start: '2025-03-01', end: '2025-03-15' }
 */
export function pollWindow(input: PollWindowInput): { start: string; end: string } {
  const { nowMs } = input;
  let startMs = nowMs - RESTATEMENT_DAYS * DAY_MS;
  if (input.lastPolledAt !== undefined) startMs = Math.min(startMs, input.lastPolledAt - DAY_MS);
  const needed = utcDateOf(input.neededFromMs);
  if (input.coveredFrom === undefined || input.coveredFrom > needed)
    startMs = Math.min(startMs, input.neededFromMs);
  startMs = Math.max(startMs, oldestKeptMs(nowMs));
  return { start: utcDateOf(startMs), end: utcDateOf(nowMs + DAY_MS) };
}
