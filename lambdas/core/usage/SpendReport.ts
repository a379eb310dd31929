/**
 * The normalised results of the provider usage clients, whatever unit or shape the provider used.
 */
import type { Micros } from '../budget/money.ts';
import { sumMicros } from '../budget/money.ts';
import type { ProviderRequestOptions } from './fetchProviderJson.ts';
import type { UtcDayRange } from './utcDayRange.ts';

/** The providers ClawPulsar reads usage or balances from. */
export const USAGE_PROVIDER_IDS = ['openai', 'anthropic', 'openrouter', 'deepseek', 'vercel'] as const;
export type UsageProviderId = (typeof USAGE_PROVIDER_IDS)[number];

export interface DailySpend {
  /** UTC date `YYYY-MM-DD`; the provider's bucket [date 00:00Z, next day 00:00Z). */
  readonly date: string;
  readonly amountMicros: Micros;
}

/** Spend per UTC day over [start, end); every day of the range is present, zero when nothing was spent. */
export interface SpendReport {
  readonly provider: UsageProviderId;
  readonly currency: 'usd';
  readonly start: string;
  readonly end: string;
  readonly days: readonly DailySpend[];
  readonly totalMicros: Micros;
  /**
   * Dates in the range the provider cannot report (e.g. outside its retention window). They count as zero
   * in `days` and `totalMicros`; callers should say so rather than present them as no spend.
   */
  readonly unavailableDates?: readonly string[];
}

/** One currency's balance: micro-units of `currency` (micro-dollars for "usd"). */
export interface CurrencyBalance {
  /** Lower-case ISO 4217 code, e.g. "usd", "cny". */
  readonly currency: string;
  readonly amountMicros: Micros;
}

/**
 * A point-in-time reading of a prepaid account. Spend over time is the fall of the balance between
 * readings, or the rise of `totalUsedMicros` where the provider reports a lifetime counter.
 */
export interface BalanceSnapshot {
  readonly provider: UsageProviderId;
  readonly balances: readonly CurrencyBalance[];
  /** Lifetime spend in micro-dollars, when the provider reports it. */
  readonly totalUsedMicros?: Micros;
  /** False when the provider says the balance can no longer pay for API calls. */
  readonly available?: boolean;
}

/** Reads spend per UTC day from a provider's cost API. */
export interface SpendClient {
  readonly provider: UsageProviderId;
  readDailySpend(range: UtcDayRange, options?: ProviderRequestOptions): Promise<SpendReport>;
}

/** Reads a provider's prepaid balance. */
export interface BalanceClient {
  readonly provider: UsageProviderId;
  readBalance(options?: ProviderRequestOptions): Promise<BalanceSnapshot>;
}

/**
 * Builds a report for `range` from per-date sums, filling missing days with zero and ignoring buckets
 * outside the range (providers round the range out to whole buckets).
 *
 * @example
 * spendReport('openai', range, new Map([['2025-03-01', 60000]]));
 */
export function spendReport(
  provider: UsageProviderId,
  range: UtcDayRange,
  amountsByDate: ReadonlyMap<string, Micros>,
): SpendReport {
  const days = range.dates.map((date) => ({ date, amountMicros: amountsByDate.get(date) ?? 0 }));
  return {
    provider,
    currency: 'usd',
    start: range.dates[0] ?? '',
    end: new Date(range.endMs).toISOString().slice(0, 10),
    days,
    totalMicros: sumMicros(days.map((day) => day.amountMicros)),
  };
}

/** Adds `amount` to the running sum for `date`. */
export function addToDate(sums: Map<string, Micros>, date: string, amount: Micros): void {
  sums.set(date, sumMicros([sums.get(date) ?? 0, amount]));
}

/** Token counts for one UTC day, optionally broken down by model and key (null when not grouped). */
export interface TokenUsageRow {
  readonly date: string;
  readonly model: string | null;
  readonly apiKeyId: string | null;
  /** Input tokens not served from a cache. */
  readonly inputTokens: number;
  readonly cachedInputTokens: number;
  readonly outputTokens: number;
  /** Number of requests, when the provider reports it. */
  readonly requests: number | null;
}

/** How a token usage report is filtered and grouped. */
export interface TokenUsageQuery {
  readonly groupBy?: readonly ('model' | 'api_key_id')[];
  readonly apiKeyIds?: readonly string[];
}
