import { percentOf } from '../alerts/budgetAlertPayload.ts';
import type { ForecastBand, ThresholdBasis } from '../budget/Budget.ts';
import type { BurnRateReading } from '../budget/burnRate.ts';
import { thresholdMicros } from '../budget/evaluateBudget.ts';
import type { Micros } from '../budget/money.ts';
import type { PeriodKind } from '../budget/periodContaining.ts';
import { NotFoundError } from '../errors.ts';
import type { KeyPollState } from '../keys/ProviderKeyRepository.ts';
import type { BudgetMonitorDeps } from './BudgetMonitorDeps.ts';
import { type BudgetView, toBudgetView } from './BudgetView.ts';
import { evaluateStoredBudget } from './evaluateStoredBudgets.ts';
import { budgetCovers } from './pollBudgets.ts';
import type { AlertRecord } from './ports.ts';

export interface ThresholdStatus {
  readonly id: string;
  readonly basis: ThresholdBasis;
  readonly band?: ForecastBand;
  readonly amountMicros: Micros;
  /** The spend (actual or forecast) compared with it now. */
  readonly valueMicros: Micros;
  readonly crossed: boolean;
}

export interface BudgetStatus {
  readonly budget: BudgetView;
  readonly period: {
    readonly kind: PeriodKind;
    readonly key: string;
    readonly startMs: number;
    readonly endMs: number;
    readonly timeZone: string;
  };
  readonly spentMicros: Micros;
  readonly limitMicros: Micros;
  readonly percent: number;
  readonly forecast: {
    readonly p50Micros: Micros;
    readonly p90Micros: Micros;
    readonly dailyRateMicros: Micros;
    readonly windows: number;
  };
  readonly burnRate?: BurnRateReading;
  readonly thresholds: readonly ThresholdStatus[];
  readonly alerts: readonly AlertRecord[];
  /** The keys feeding the budget and how their last poll went. */
  readonly keys: readonly { keyId: string; label: string; lastPoll?: KeyPollState }[];
}

/**
 * Where a budget stands now, from stored history: spend, limit, percentage, forecast band, every
 * threshold, and the alerts sent this period and before.
 *
 * @example
 * const status = await budgetStatus(deps, 'openai-prod');
 */
export async function budgetStatus(
  deps: Pick<BudgetMonitorDeps, 'budgets' | 'history' | 'alerts' | 'keys' | 'clock'>,
  budgetId: string,
): Promise<BudgetStatus> {
  const stored = await deps.budgets.get(budgetId);
  if (!stored) throw new NotFoundError('unknown_budget', `No budget "${budgetId}"`);
  const nowMs = deps.clock.now();
  const { budget } = stored;
  const [evaluation, alerts, keys] = await Promise.all([
    evaluateStoredBudget(deps, budget, nowMs),
    deps.alerts.list(budgetId, 100, nowMs),
    deps.keys.list(),
  ]);
  const { forecast, period } = evaluation;
  return {
    budget: toBudgetView(stored),
    period: {
      kind: period.kind,
      key: period.key,
      startMs: period.startMs,
      endMs: period.endMs,
      timeZone: period.timeZone,
    },
    spentMicros: forecast.actualMicros,
    limitMicros: budget.limitMicros,
    percent: percentOf(forecast.actualMicros, budget.limitMicros),
    forecast: {
      p50Micros: forecast.p50Micros,
      p90Micros: forecast.p90Micros,
      dailyRateMicros: forecast.dailyRateMicros,
      windows: forecast.windows,
    },
    ...(evaluation.burnRate ? { burnRate: evaluation.burnRate } : {}),
    thresholds: budget.thresholds.map((threshold) => {
      const amount = thresholdMicros(threshold, budget.limitMicros);
      const band = threshold.basis === 'forecast' ? (threshold.band ?? 'p50') : undefined;
      const value =
        band === undefined ? forecast.actualMicros : band === 'p90' ? forecast.p90Micros : forecast.p50Micros;
      return {
        id: threshold.id,
        basis: threshold.basis,
        ...(band ? { band } : {}),
        amountMicros: amount,
        valueMicros: value,
        crossed: value >= amount,
      };
    }),
    alerts,
    keys: keys
      .filter((key) => budgetCovers(budget, key))
      .map((key) => ({ keyId: key.keyId, label: key.label, ...(key.poll ? { lastPoll: key.poll } : {}) })),
  };
}
