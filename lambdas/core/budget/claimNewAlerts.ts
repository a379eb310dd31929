/**
 * The alert-state model: each (budget, period, threshold) alerts once.
 *
 * Every alert has a key `budgetId|budgetHash|periodKey|slot`, where the slot is `threshold:<id>` or, for
 * the burn-rate alarm, `burn:<local day>` (a runaway is an episode, so it may alarm once a day within a
 * longer period). The key is claimed atomically in a ledger before the alert is sent: a claimed key never
 * alerts again, however often the budget is evaluated. A new period changes `periodKey` and an edit of the
 * budget changes `budgetHash`, so both re-arm every alert.
 */
import type { BudgetEvaluation, CrossedThreshold } from './evaluateBudget.ts';
import { periodContaining } from './periodContaining.ts';

/** Remembers which alert keys have fired. AWS: DynamoDB conditional put with TTL; local: SQLite. */
export interface AlertLedger {
  /** Atomically records `key`; false when it was already recorded (and has not expired). */
  claim(key: string, expiresAtMs: number): Promise<boolean>;
}

export type BudgetAlertKind = 'threshold' | 'burn_rate';

export interface BudgetAlert {
  readonly key: string;
  readonly kind: BudgetAlertKind;
  readonly evaluation: BudgetEvaluation;
  /** The threshold crossed, for `kind: 'threshold'`. */
  readonly threshold?: CrossedThreshold;
}

/** Alert keys outlive their period by the 90-day history retention, then expire from the ledger. */
export const ALERT_KEY_RETENTION_MS = 90 * 86_400_000;

/**
 * The key of one alert.
 *
 * @example
 * alertKey('b1', '3f1c9a0d2b7e4c61', 'month:2025-03-01', 'threshold:p80');
 */
export function alertKey(budgetId: string, hash: string, periodKey: string, slot: string): string {
  return `${budgetId}|${hash}|${periodKey}|${slot}`;
}

/** Every alert the evaluation calls for, before the ledger is consulted. */
export function alertsFor(evaluation: BudgetEvaluation): BudgetAlert[] {
  const { budget, budgetHash, period } = evaluation;
  const alerts: BudgetAlert[] = evaluation.crossed.map((threshold) => ({
    key: alertKey(budget.id, budgetHash, period.key, `threshold:${threshold.thresholdId}`),
    kind: 'threshold',
    evaluation,
    threshold,
  }));
  if (evaluation.burnRate?.alarming) {
    const day = periodContaining(evaluation.nowMs, { kind: 'day', timeZone: budget.timeZone });
    alerts.push({
      key: alertKey(budget.id, budgetHash, period.key, `burn:${day.key}`),
      kind: 'burn_rate',
      evaluation,
    });
  }
  return alerts;
}

/**
 * The alerts to send now: those the evaluation calls for whose keys the ledger had not seen. Claims are
 * made before sending, so two pollers racing on one budget send each alert once.
 *
 * @example
 * for (const alert of await claimNewAlerts(evaluateBudget({ budget, samples, nowMs }), ledger)) send(alert);
 */
export async function claimNewAlerts(
  evaluation: BudgetEvaluation,
  ledger: AlertLedger,
): Promise<BudgetAlert[]> {
  const expiresAtMs = evaluation.period.endMs + ALERT_KEY_RETENTION_MS;
  const fresh: BudgetAlert[] = [];
  for (const alert of alertsFor(evaluation)) {
    if (await ledger.claim(alert.key, expiresAtMs)) fresh.push(alert);
  }
  return fresh;
}
