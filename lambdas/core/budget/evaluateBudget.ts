/**
 * Evaluates one budget at one instant: its current period, actual spend, forecast, burn rate, and which
 * thresholds are crossed. Pure: the samples come from the caller (the poller's stored daily aggregates and
 * poll deltas), nothing is read or written here.
 */
import { BadRequestError } from '../errors.ts';
import type { Budget, ForecastBand, Threshold, ThresholdBasis } from './Budget.ts';
import { budgetHash } from './Budget.ts';
import type { BurnRateReading } from './burnRate.ts';
import { burnRate } from './burnRate.ts';
import type { SpendForecast } from './forecastPeriodSpend.ts';
import { forecastPeriodSpend } from './forecastPeriodSpend.ts';
import type { Micros } from './money.ts';
import type { Period, PeriodSpec } from './periodContaining.ts';
import { periodContaining } from './periodContaining.ts';
import type { SpendSample } from './spendSamples.ts';
import { assertSamples } from './spendSamples.ts';

export interface CrossedThreshold {
  readonly thresholdId: string;
  readonly basis: ThresholdBasis;
  /** The forecast band compared, for forecast thresholds. */
  readonly band?: ForecastBand;
  /** The threshold as an amount. */
  readonly thresholdMicros: Micros;
  /** The spend (actual or forecast) that reached it. */
  readonly valueMicros: Micros;
}

export interface BudgetEvaluation {
  readonly budget: Budget;
  readonly budgetHash: string;
  readonly period: Period;
  readonly nowMs: number;
  readonly forecast: SpendForecast;
  readonly burnRate?: BurnRateReading;
  readonly crossed: readonly CrossedThreshold[];
}

export interface EvaluateBudgetInput {
  readonly budget: Budget;
  /** Spend samples; those outside the budget's scope are ignored. */
  readonly samples: readonly SpendSample[];
  readonly nowMs: number;
  /** Earliest instant the samples cover (default: the first in-scope sample). */
  readonly historyStartMs?: number;
}

/**
 * The threshold as whole micro-dollars: a percentage of the limit rounded up, so "80 %" of $0.000001 is
 * never crossed by zero spend.
 *
 * @example
 * thresholdMicros({ id: 'p80', basis: 'actual', percent: 80 }, 100_000_000); // 80_000_000
 */
export function thresholdMicros(threshold: Threshold, limitMicros: Micros): Micros {
  if ('amountMicros' in threshold) return threshold.amountMicros;
  const basisPoints = BigInt(Math.round(threshold.percent * 100));
  const numerator = BigInt(limitMicros) * basisPoints;
  return Number((numerator + 9_999n) / 10_000n);
}

function inScope(budget: Budget, sample: SpendSample): boolean {
  if (sample.provider !== budget.scope.provider) return false;
  const keys = budget.scope.keyIds;
  return keys === undefined || keys.length === 0 || (sample.keyId !== null && keys.includes(sample.keyId));
}

/**
 * Evaluates `budget` at `nowMs`.
 *
 * @example
 * const evaluation = evaluateBudget({ budget, samples, nowMs: Date.now() });
 * evaluation.crossed; // [{ thresholdId: 'p80', basis: 'actual', thresholdMicros: 80_000_000, valueMicros: 81_200_000 }]
 */
export function evaluateBudget(input: EvaluateBudgetInput): BudgetEvaluation {
  const { budget, nowMs } = input;
  const samples = input.samples.filter((sample) => inScope(budget, sample));
  assertSamples(samples);
  // Account-wide samples already include every key's spend: mixing them with per-key samples counts twice.
  if (samples.some((sample) => sample.keyId === null) && samples.some((sample) => sample.keyId !== null)) {
    throw new BadRequestError(
      'invalid_samples',
      'Spend samples mix account-wide and per-key figures for one provider; spend would count twice',
      { provider: budget.scope.provider },
    );
  }
  const spec: PeriodSpec = {
    kind: budget.period,
    timeZone: budget.timeZone,
    weekStartsOn: budget.weekStartsOn,
  };
  const period = periodContaining(nowMs, spec);
  const forecast = forecastPeriodSpend(samples, period, nowMs, { historyStartMs: input.historyStartMs });

  const crossed: CrossedThreshold[] = [];
  for (const threshold of budget.thresholds) {
    const amount = thresholdMicros(threshold, budget.limitMicros);
    const band = threshold.basis === 'forecast' ? (threshold.band ?? 'p50') : undefined;
    const value =
      band === undefined ? forecast.actualMicros : band === 'p90' ? forecast.p90Micros : forecast.p50Micros;
    if (value >= amount) {
      crossed.push({
        thresholdId: threshold.id,
        basis: threshold.basis,
        ...(band ? { band } : {}),
        thresholdMicros: amount,
        valueMicros: value,
      });
    }
  }

  const reading = budget.burnRate
    ? burnRate(samples, nowMs, budget.burnRate, input.historyStartMs)
    : undefined;
  return {
    budget,
    budgetHash: budgetHash(budget),
    period,
    nowMs,
    forecast,
    ...(reading ? { burnRate: reading } : {}),
    crossed,
  };
}
