/**
 * Spend as samples: an amount spent during a half-open interval of time. A provider's daily cost bucket is
 * one sample ([00:00Z, 24:00Z)); so is the rise of a lifetime-spend counter, or the fall of a prepaid
 * balance, between two polls. Budgets sum samples over windows of time.
 *
 * Attribution: when a sample straddles a window's edge (a UTC-day bucket against a period that starts at
 * local midnight in New York), it counts in proportion to the overlap, as if spent evenly across the
 * sample. A sample that is still open (its interval reaches past `nowMs`) is spread over the part that has
 * happened. This is exact for windows aligned with the samples and an even-spend estimate otherwise.
 */
import { BadRequestError } from '../errors.ts';
import type { UsageProviderId } from '../usage/SpendReport.ts';
import type { Micros } from './money.ts';

export interface SpendSample {
  readonly provider: UsageProviderId;
  /** The key the spend belongs to; null for spend reported for the whole account. */
  readonly keyId: string | null;
  readonly startMs: number;
  /** Exclusive; greater than `startMs`. */
  readonly endMs: number;
  readonly amountMicros: Micros;
}

/** One reading of a cumulative quantity (a lifetime-spend counter, a balance) at an instant. */
export interface Reading {
  readonly atMs: number;
  readonly valueMicros: Micros;
}

/**
 * Checks that samples are well-formed and that no two samples of the same provider and key overlap (which
 * would count spend twice).
 */
export function assertSamples(samples: readonly SpendSample[]): void {
  const byStream = new Map<string, SpendSample[]>();
  for (const sample of samples) {
    if (!(sample.endMs > sample.startMs) || !Number.isSafeInteger(sample.amountMicros)) {
      throw new BadRequestError('invalid_samples', 'A spend sample needs endMs > startMs and whole micros');
    }
    const stream = `${sample.provider}\u0000${sample.keyId ?? ''}`;
    const list = byStream.get(stream) ?? [];
    list.push(sample);
    byStream.set(stream, list);
  }
  for (const list of byStream.values()) {
    list.sort((a, b) => a.startMs - b.startMs);
    for (let i = 1; i < list.length; i++) {
      if (list[i]!.startMs < list[i - 1]!.endMs) {
        throw new BadRequestError(
          'invalid_samples',
          'Spend samples of one key overlap; spend would count twice',
          {
            provider: list[i]!.provider,
            keyId: list[i]!.keyId,
          },
        );
      }
    }
  }
}

/**
 * Spend in [fromMs, toMs), in micro-dollars (fractional: callers round once at the end).
 *
 * @example
 * spendBetween(samples, period.startMs, now, now);
 */
export function spendBetween(
  samples: readonly SpendSample[],
  fromMs: number,
  toMs: number,
  nowMs: number,
): number {
  if (!(toMs > fromMs)) return 0;
  let total = 0;
  for (const sample of samples) {
    const start = sample.startMs;
    // An open sample's spend happened between its start and now.
    const end = sample.endMs > nowMs ? Math.max(nowMs, start + 1) : sample.endMs;
    const overlap = Math.min(end, toMs) - Math.max(start, fromMs);
    if (overlap <= 0) continue;
    total += overlap >= end - start ? sample.amountMicros : (sample.amountMicros * overlap) / (end - start);
  }
  return total;
}

function fromReadings(
  provider: UsageProviderId,
  keyId: string | null,
  readings: readonly Reading[],
  spent: (previous: Micros, current: Micros) => Micros,
): SpendSample[] {
  const sorted = [...readings].sort((a, b) => a.atMs - b.atMs);
  const samples: SpendSample[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1]!;
    const current = sorted[i]!;
    if (current.atMs <= previous.atMs) continue;
    samples.push({
      provider,
      keyId,
      startMs: previous.atMs,
      endMs: current.atMs,
      amountMicros: spent(previous.valueMicros, current.valueMicros),
    });
  }
  return samples;
}

/**
 * Samples from successive readings of a counter that only grows with spend (Vercel's `total_used`,
 * OpenRouter's `total_usage`, or the running total of today's open cost bucket). A fall means the provider
 * restated its figures; it is kept as a negative sample so sums stay equal to the latest reading.
 *
 * @example
 * samplesFromCumulative('vercel', null, [{ atMs: t0, valueMicros: 4_500_000 }, { atMs: t1, valueMicros: 4_750_000 }]);
 * // [{ startMs: t0, endMs: t1, amountMicros: 250_000, … }]
 */
export function samplesFromCumulative(
  provider: UsageProviderId,
  keyId: string | null,
  readings: readonly Reading[],
): SpendSample[] {
  return fromReadings(provider, keyId, readings, (previous, current) => current - previous);
}

/**
 * Samples from successive readings of a prepaid balance (DeepSeek). Spend is the fall of the balance; a
 * rise is a top-up and counts as no spend. Spend made in the same interval as a top-up is hidden by it, so
 * poll often: the error is bounded by the spend of one polling interval.
 */
export function samplesFromBalance(
  provider: UsageProviderId,
  keyId: string | null,
  readings: readonly Reading[],
): SpendSample[] {
  return fromReadings(provider, keyId, readings, (previous, current) => Math.max(0, previous - current));
}
