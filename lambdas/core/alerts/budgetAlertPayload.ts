/**
 * The alert as it travels: the agent's `…/alerts` message (schema in core/delivery/messages.ts), also the
 * `data` of signed outgoing webhooks.
 */
import { createHash } from 'node:crypto';
import type { AlertMessage } from '../budget/buildAlertMessage.ts';
import type { BudgetAlert } from '../budget/claimNewAlerts.ts';
import type { BudgetAlertMessage } from '../delivery/messages.ts';

/**
 * A stable, opaque id per alert key: redeliveries and webhook retries carry the same id.
 *
 * @example
 * alertIdOf('openai-prod|3f1c9a0d2b7e4c61|month:2025-03-01|threshold:p80'); // 'alrt_…'
 */
export function alertIdOf(alertKey: string): string {
  return `alrt_${createHash('sha256').update(alertKey, 'utf8').digest('base64url').slice(0, 24)}`;
}

/** The percentage of the limit spent, one decimal. */
export function percentOf(spentMicros: number, limitMicros: number): number {
  return Math.round((spentMicros / limitMicros) * 1000) / 10;
}

/**
 * Builds the message for `alert` from its human wording.
 *
 * @example
 * const payload = budgetAlertPayload(alert, buildAlertMessage(alert), false);
 */
export function budgetAlertPayload(
  alert: BudgetAlert,
  message: AlertMessage,
  simulated: boolean,
): BudgetAlertMessage {
  const { budget, period, forecast, nowMs } = alert.evaluation;
  return {
    type: 'budget-alert',
    alertId: alertIdOf(alert.key),
    budgetId: budget.id,
    budgetName: budget.name,
    provider: budget.scope.provider,
    kind: alert.kind,
    ...(alert.threshold ? { thresholdId: alert.threshold.thresholdId, basis: alert.threshold.basis } : {}),
    amountMicros: forecast.actualMicros,
    limitMicros: budget.limitMicros,
    percent: percentOf(forecast.actualMicros, budget.limitMicros),
    forecast: {
      p50Micros: forecast.p50Micros,
      p90Micros: forecast.p90Micros,
      dailyRateMicros: forecast.dailyRateMicros,
    },
    period: {
      kind: period.kind,
      key: period.key,
      startMs: period.startMs,
      endMs: period.endMs,
      timeZone: period.timeZone,
    },
    subject: message.subject.slice(0, 300),
    text: message.text.slice(0, 4000),
    next: message.next.slice(0, 1000),
    at: nowMs,
    ...(simulated ? { simulated: true } : {}),
  };
}
