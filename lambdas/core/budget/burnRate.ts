/**
 * The burn-rate alarm: spend per hour over the last window (default 60 minutes) against the hourly rate
 * of the trailing window before it (default a week). A runaway agent — a loop, an idle heartbeat gone
 * wild — shows up here long before it moves a monthly total.
 *
 * The alarm sounds when the recent rate is at least `minMicrosPerHour` (so tiny amounts never alarm) and
 * either exceeds `multiplier` × the trailing rate, or there is no trailing spend at all. The trailing rate
 * is taken over the part of its window the history covers, so a key watched for only a day is compared
 * with that day rather than with a week that is mostly unknown.
 *
 * Burn rate needs samples finer than a day (poll-to-poll deltas, see `samplesFromCumulative`); with daily
 * buckets only, the recent window sees an even share of today's bucket.
 */
import type { BurnRateRule } from './Budget.ts';
import type { Micros } from './money.ts';
import type { SpendSample } from './spendSamples.ts';
import { spendBetween } from './spendSamples.ts';

export interface BurnRateReading {
  /** Spend per hour over the recent window. */
  readonly recentMicrosPerHour: Micros;
  /** Spend per hour over the trailing window (the covered part of it). */
  readonly trailingMicrosPerHour: Micros;
  /** recent ÷ trailing; null when there was no trailing spend. */
  readonly ratio: number | null;
  readonly alarming: boolean;
}

const HOUR_MS = 3_600_000;
export const DEFAULT_MIN_MICROS_PER_HOUR = 1_000_000;

/**
 * Reads the burn rate as of `nowMs`.
 *
 * @example
 * burnRate(samples, Date.now(), { multiplier: 5 }).alarming;
 */
export function burnRate(
  samples: readonly SpendSample[],
  nowMs: number,
  rule: BurnRateRule,
  historyStartMs?: number,
): BurnRateReading {
  const windowMs = (rule.windowMinutes ?? 60) * 60_000;
  const trailingMs = (rule.trailingHours ?? 168) * HOUR_MS;
  const floor = rule.minMicrosPerHour ?? DEFAULT_MIN_MICROS_PER_HOUR;
  let historyStart = historyStartMs ?? Number.POSITIVE_INFINITY;
  if (historyStartMs === undefined)
    for (const sample of samples) historyStart = Math.min(historyStart, sample.startMs);

  const recentStart = nowMs - windowMs;
  const recent = (spendBetween(samples, recentStart, nowMs, nowMs) * HOUR_MS) / windowMs;
  const trailingStart = Math.max(recentStart - trailingMs, historyStart);
  const covered = recentStart - trailingStart;
  const trailing =
    covered > 0 ? (spendBetween(samples, trailingStart, recentStart, nowMs) * HOUR_MS) / covered : 0;

  const ratio = trailing > 0 ? recent / trailing : null;
  const alarming = recent >= floor && recent > 0 && (ratio === null || ratio > rule.multiplier);
  return {
    recentMicrosPerHour: Math.round(recent),
    trailingMicrosPerHour: Math.round(trailing),
    ratio,
    alarming,
  };
}
