/**
 * Forecast of a period's spend at its end, with a P50/P90 band.
 *
 * Method (recent-weighted daily run-rate):
 * 1. Actual spend A is the spend from the period's start to now.
 * 2. The daily rates r₀…r₆ are the spend in the seven 24-hour windows ending now (r₀ the most recent),
 *    counting only windows that lie entirely after the history start (the earliest data we have).
 * 3. Each window has weight wᵢ = 2^(−i/2): a half-life of two days, so a change in behaviour shows within a
 *    day or two while one odd day does not swing the forecast.
 * 4. The run-rate μ is the weighted mean of the rᵢ and σ their weighted standard deviation.
 * 5. With R days left in the period (fractional, from real instants, so DST days count as 23 or 25 h):
 *      P50 = A + max(μ, 0) · R
 *      P90 = P50 + 1.2816 · σ · √R
 *    1.2816 is the 90th percentile of the standard normal; treating days as independent, the spread of R
 *    days' spend grows with √R.
 * 6. Without a single complete window, μ is the average rate since the history start and σ is 0.
 *
 * Always A ≤ P50 ≤ P90; all three are whole micro-dollars.
 */
import type { Micros } from './money.ts';
import type { SpendSample } from './spendSamples.ts';
import { spendBetween } from './spendSamples.ts';

export interface SpendForecast {
  /** Spend from the period's start to now. */
  readonly actualMicros: Micros;
  /** Median forecast of spend at the period's end. */
  readonly p50Micros: Micros;
  /** 90th-percentile forecast of spend at the period's end. */
  readonly p90Micros: Micros;
  /** The weighted daily run-rate μ used, in micro-dollars per day. */
  readonly dailyRateMicros: Micros;
  /** How many complete 24-hour windows the rate rests on (0–7). */
  readonly windows: number;
}

export interface ForecastOptions {
  /** Earliest instant the samples cover; windows before it are not counted. Default: the first sample. */
  readonly historyStartMs?: number;
  /** Number of daily windows (default 7). */
  readonly lookbackDays?: number;
  /** Half-life of the weights in days (default 2). */
  readonly halfLifeDays?: number;
}

const DAY_MS = 86_400_000;
const Z90 = 1.2816;

/**
 * Forecasts spend at the end of the period [startMs, endMs) as of `nowMs`.
 *
 * @example
 * const { p50Micros, p90Micros } = forecastPeriodSpend(samples, period, Date.now());
 */
export function forecastPeriodSpend(
  samples: readonly SpendSample[],
  period: { readonly startMs: number; readonly endMs: number },
  nowMs: number,
  options: ForecastOptions = {},
): SpendForecast {
  const lookbackDays = options.lookbackDays ?? 7;
  const halfLifeDays = options.halfLifeDays ?? 2;
  let historyStart = options.historyStartMs ?? Number.POSITIVE_INFINITY;
  if (options.historyStartMs === undefined)
    for (const sample of samples) historyStart = Math.min(historyStart, sample.startMs);

  const now = Math.min(Math.max(nowMs, period.startMs), period.endMs);
  const actual = Math.round(spendBetween(samples, period.startMs, now, nowMs));
  const remainingDays = (period.endMs - now) / DAY_MS;

  let weightSum = 0;
  let weighted = 0;
  const rates: { rate: number; weight: number }[] = [];
  for (let i = 0; i < lookbackDays; i++) {
    const to = nowMs - i * DAY_MS;
    const from = to - DAY_MS;
    if (from < historyStart) break;
    const rate = spendBetween(samples, from, to, nowMs);
    const weight = 2 ** (-i / halfLifeDays);
    rates.push({ rate, weight });
    weightSum += weight;
    weighted += weight * rate;
  }

  let mean = 0;
  let sd = 0;
  if (rates.length > 0) {
    mean = weighted / weightSum;
    let variance = 0;
    for (const { rate, weight } of rates) variance += weight * (rate - mean) ** 2;
    sd = Math.sqrt(variance / weightSum);
  } else if (Number.isFinite(historyStart) && nowMs > historyStart) {
    mean = (spendBetween(samples, historyStart, nowMs, nowMs) * DAY_MS) / (nowMs - historyStart);
  }

  const p50 = actual + Math.round(Math.max(mean, 0) * remainingDays);
  const p90 = p50 + Math.round(Z90 * sd * Math.sqrt(remainingDays));
  return {
    actualMicros: actual,
    p50Micros: p50,
    p90Micros: p90,
    dailyRateMicros: Math.round(mean),
    windows: rates.length,
  };
}
